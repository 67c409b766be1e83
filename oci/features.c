/* `skiff features`: the features document (features.md, features-linux.md). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <yajl/yajl_gen.h>

#include "skiff/config.h"
#include "skiff/json.h"
#include "skiff/oci.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"

/* src/checkpoint/criu.c: criu's version (enabled), else why not (heap).  Weak: the
 * unit tests link the features without the commands. */
char *sk_criu_features_note(bool *enabled) __attribute__((weak));

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* ======================================================================
 * WHAT SKIFF CLAIMS.  Every claim `skiff features` makes comes from this
 * one table.  Keep it true: flip an entry only in the change that makes
 * the feature work (and its tests pass), never ahead of it.
 *
 * Derived elsewhere, not claimed here:
 *   hooks         - the six phases of sk_hook_phase_name()
 *   mountOptions  - sk_mount_option_names() (rootfs/mountopts.c)
 *   capabilities  - every capability libcap knows (0 .. CAP_LAST_CAP)
 * ====================================================================== */
static const struct {
	/* linux.namespaces: types skiff can create or join */
	const char *namespaces[SK_NS_TYPES + 1];
	/* linux.cgroup */
	bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
	/* linux.seccomp (the lists are emitted only while enabled) */
	bool seccomp;
	const char *seccomp_actions[16], *seccomp_operators[8], *seccomp_archs[32];
	const char *seccomp_known_flags[8], *seccomp_supported_flags[8];
	bool apparmor, selinux;
	bool intel_rdt;
	bool idmap_mounts;       /* linux.mountExtensions.idmap */
	bool net_devices;
	bool memory_policy;      /* modes and flags emitted only while enabled */
	const char *mpol_modes[8], *mpol_flags[4];
} claims = {
	.namespaces = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" },
	.cgroup_v1 = true,      /* cgroups/v1*.c: hybrid and legacy hosts */
	.cgroup_v2 = true,
	.cgroup_systemd = false,
	.cgroup_systemd_user = false,
	.cgroup_rdma = true,    /* rdma.max, v2 (cgroups/v2.c) and v1 (cgroups/v1_res.c) */
	.seccomp = true,
	.seccomp_actions = {
		"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
		"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
		"SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
	},
	.seccomp_operators = {
		"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
		"SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
	},
	.seccomp_archs = {
		"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS",
		"SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
		"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
		"SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
		"SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32",
		"SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
	},
	.seccomp_known_flags = {
		"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
		"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
		"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	},
	.seccomp_supported_flags = {
		"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
		"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	},
	/* exec labels are written when the host has the LSM (features-linux.md:
	 * "irrelevant to the availability on the host"); else a clear error */
	.apparmor = true,
	.selinux = true,
	.intel_rdt = false,
	.idmap_mounts = true,
	.net_devices = true,
	.memory_policy = true,
	.mpol_modes = {
		"MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE",
		"MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED", "MPOL_PREFERRED_MANY",
		"MPOL_LOCAL",
	},
	.mpol_flags = {
		"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES",
	},
};
/* ====================================================================== */

static void str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kbool(yajl_gen g, const char *k, bool v)
{
	str(g, k);
	yajl_gen_bool(g, v);
}

/* "key": [...] from a NULL-padded table of at most n entries. */
static void kstrs(yajl_gen g, const char *k, const char *const *v, size_t n)
{
	size_t i;

	str(g, k);
	yajl_gen_array_open(g);
	for (i = 0; i < n && v[i]; i++)
		str(g, v[i]);
	yajl_gen_array_close(g);
}

#define KSTRS(g, k, arr) kstrs((g), (k), (arr), SK_ARRAY_SIZE(arr))

/* "key": {"enabled": v} */
static void kenabled(yajl_gen g, const char *k, bool v)
{
	str(g, k);
	yajl_gen_map_open(g);
	kbool(g, "enabled", v);
	yajl_gen_map_close(g);
}

static void gen_capabilities(yajl_gen g)
{
	int cap;

	str(g, "capabilities");
	yajl_gen_array_open(g);
	for (cap = 0; cap <= CAP_LAST_CAP; cap++) {
		char *name = cap_to_name((cap_value_t)cap);
		char *p;

		if (!name)
			continue;
		if (strncmp(name, "cap_", 4) == 0) {
			for (p = name; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			str(g, name);
		}
		cap_free(name);
	}
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g)
{
	str(g, "linux");
	yajl_gen_map_open(g);
	KSTRS(g, "namespaces", claims.namespaces);
	gen_capabilities(g);

	str(g, "cgroup");
	yajl_gen_map_open(g);
	kbool(g, "v1", claims.cgroup_v1);
	kbool(g, "v2", claims.cgroup_v2);
	kbool(g, "systemd", claims.cgroup_systemd);
	kbool(g, "systemdUser", claims.cgroup_systemd_user);
	kbool(g, "rdma", claims.cgroup_rdma);
	yajl_gen_map_close(g);

	str(g, "seccomp");
	yajl_gen_map_open(g);
	kbool(g, "enabled", claims.seccomp);
	if (claims.seccomp) {
		KSTRS(g, "actions", claims.seccomp_actions);
		KSTRS(g, "operators", claims.seccomp_operators);
		KSTRS(g, "archs", claims.seccomp_archs);
		KSTRS(g, "knownFlags", claims.seccomp_known_flags);
		KSTRS(g, "supportedFlags", claims.seccomp_supported_flags);
	}
	yajl_gen_map_close(g);

	kenabled(g, "apparmor", claims.apparmor);
	kenabled(g, "selinux", claims.selinux);
	kenabled(g, "intelRdt", claims.intel_rdt);

	str(g, "mountExtensions");
	yajl_gen_map_open(g);
	kenabled(g, "idmap", claims.idmap_mounts);
	yajl_gen_map_close(g);

	kenabled(g, "netDevices", claims.net_devices);

	str(g, "memoryPolicy");
	yajl_gen_map_open(g);
	kbool(g, "enabled", claims.memory_policy);
	if (claims.memory_policy) {
		KSTRS(g, "modes", claims.mpol_modes);
		KSTRS(g, "flags", claims.mpol_flags);
	}
	yajl_gen_map_close(g);

	yajl_gen_map_close(g);
}

char *sk_features_json(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const char *const *opts;
	size_t i, n = 0;
	int ph;

	if (!g) {
		fputs("skiff: out of memory\n", stderr);
		abort();
	}
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	yajl_gen_map_open(g);
	str(g, "ociVersionMin");
	str(g, "1.0.0");
	str(g, "ociVersionMax");
	str(g, SK_OCI_VERSION);

	str(g, "hooks");
	yajl_gen_array_open(g);
	for (ph = 0; ph < SK_HOOK_PHASES; ph++)
		str(g, sk_hook_phase_name((enum sk_hook_phase)ph));
	yajl_gen_array_close(g);

	str(g, "mountOptions");
	yajl_gen_array_open(g);
	opts = sk_mount_option_names(&n);
	for (i = 0; opts && i < n; i++)
		if (opts[i])
			str(g, opts[i]);
	yajl_gen_array_close(g);

	gen_linux(g);

	str(g, "annotations");
	yajl_gen_map_open(g);
	str(g, "io.github.skiff.version");
	str(g, PACKAGE_VERSION);
	if (sk_criu_features_note) {
		/* as runc's org.opencontainers.runc.checkpoint.enabled */
		bool on;
		char *note = sk_criu_features_note(&on);

		str(g, "io.github.skiff.checkpoint.enabled");
		str(g, on ? "true" : "false");
		str(g, on ? "io.github.skiff.checkpoint.criu" : "io.github.skiff.checkpoint.reason");
		str(g, note);
		free(note);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	return sk_json_finish(g, true);
}
