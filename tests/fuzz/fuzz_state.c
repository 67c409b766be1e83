/* libFuzzer target: state.json: parse, and what parses must come back the
 * same through its writer (write, read again, compare). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/oci.h"

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_state(const struct sk_state *a, const struct sk_state *b)
{
	if (!same(a->id, b->id) || a->pid != b->pid || a->start_time != b->start_time ||
	    !same(a->bundle, b->bundle) || !same(a->rootfs, b->rootfs) ||
	    !same(a->created, b->created) || !same(a->cgroup_path, b->cgroup_path) ||
	    a->cgroup_owned != b->cgroup_owned || !same(a->cgroup_owned_v1, b->cgroup_owned_v1) ||
	    a->n_annotations != b->n_annotations)
		return false;
	for (size_t i = 0; i < a->n_annotations; i++)
		if (!same(a->annotations[i].key, b->annotations[i].key) ||
		    !same(a->annotations[i].value, b->annotations[i].value))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_state *s = NULL, *back = NULL;
	struct sk_error e = { 0 };
	char *json, *oci;

	if (sk_state_parse((const char *)data, size, &s, &e) < 0)
		return 0;
	json = sk_state_json(s);
	if (sk_state_parse(json, strlen(json), &back, &e) < 0 || !same_state(s, back))
		abort();	/* what skiff writes, skiff must read back */
	oci = sk_state_oci_json(s, SK_STATUS_RUNNING, true);
	free(oci);
	free(json);
	sk_state_free(back);
	sk_state_free(s);
	return 0;
}
