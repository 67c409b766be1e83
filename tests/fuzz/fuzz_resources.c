/* libFuzzer target: the resources JSON of `update -r`, and the cgroup v2
 * check of what it gives. */
#include <stddef.h>
#include <stdint.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "../../cgroups/v2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_config *c = NULL;
	struct sk_error e = { 0 };
	struct sk_cg_ctrls need = { 0 };

	if (sk_resources_parse((const char *)data, size, "resources", &c, &e) < 0)
		return 0;
	sk_cg2_check(&c->linux.resources, &need, &e);
	sk_config_free(c);
	return 0;
}
