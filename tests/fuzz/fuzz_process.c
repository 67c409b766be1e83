/* libFuzzer target: a process.json (`exec --process`). */
#include <stddef.h>
#include <stdint.h>

#include "skiff/config.h"
#include "skiff/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_process p = { 0 };
	struct sk_error e = { 0 };

	if (sk_process_parse((const char *)data, size, "process.json", &p, &e) == 0)
		sk_process_free(&p);
	return 0;
}
