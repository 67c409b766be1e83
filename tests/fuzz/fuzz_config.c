/* libFuzzer target: config.json as `create` reads it: parse, the checks
 * run before anything is created, the mount options of every mount, the
 * cgroup v2 check of linux.resources and the seccomp compile. */
#include <stddef.h>
#include <stdint.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/seccomp.h"
#include "../../cgroups/v2.h"
#include "../../rootfs/mountopts.h"
#include "../../src/skiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_config *c = NULL;
	struct sk_error e = { 0 };
	struct sk_seccomp_prog prog = { 0 };
	struct sk_cg_ctrls need = { 0 };

	if (sk_config_parse((const char *)data, size, "config.json", &c, &e) < 0)
		return 0;
	sk_config_check_supported(c, &e);
	for (size_t i = 0; i < c->n_mounts; i++) {
		struct sk_mount_opts o = { 0 };

		if (sk_mount_opts_parse(c->mounts[i].options, c->mounts[i].n_options, &o, &e) == 0)
			sk_mount_opts_free(&o);
	}
	sk_cg2_check(&c->linux.resources, &need, &e);
	if (c->linux.seccomp.present && sk_seccomp_compile(&c->linux.seccomp, &prog, &e) == 0)
		sk_seccomp_prog_free(&prog);
	sk_config_free(c);
	return 0;
}
