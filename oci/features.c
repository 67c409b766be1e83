/* `skiff features`: the features document (features.md, features-linux.md). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <yajl/yajl_gen.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/enums.h"
#include "skiff/json.h"
#include "skiff/oci.h"
#include "skiff/rootfs.h"
#include "skiff/seccomp.h"
#include "skiff/util.h"

/* src/checkpoint/criu.c: criu's version (enabled), else why not (heap).  Weak: the
 * unit tests link the features without the commands. */
char *sk_criu_features_note(bool *enabled) __attribute__((weak));

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* ======================================================================
 * WHAT SKIFF CLAIMS.  The lists are the config's own name tables
 * (oci/enums.c: what the parser accepts is what the runtime applies),
 * filtered by what the drivers can do (sk_seccomp_arch_supported: the
 * architectures this libseccomp builds).  The switches below are the
 * rest; keep them true: flip one only in the change that makes the
 * feature work (and its tests pass), never ahead of it.
 * tests/integration/features_claims.bats runs a config using each claim.
 *
 * Derived elsewhere:
 *   hooks         - sk_enum_hook_phase
 *   mountOptions  - sk_mount_option_names() (rootfs/mountopts.c)
 *   capabilities  - every capability libcap knows (0 .. CAP_LAST_CAP)
 * ====================================================================== */
static const struct {
	/* linux.cgroup */
	/* v1, v2 and systemd: the cgroup drivers' table (sk_cgroup_driver_built) */
	bool cgroup_systemd_user, cgroup_rdma;
	bool seccomp;            /* its lists are emitted only while enabled */
	bool apparmor, selinux;
	bool intel_rdt;
	bool idmap_mounts;       /* linux.mountExtensions.idmap */
	bool net_devices;
	bool memory_policy;      /* modes and flags emitted only while enabled */
} claims = {
	.cgroup_systemd_user = false,
	.cgroup_rdma = true,    /* rdma.max, v2 (cgroups/v2.c) and v1 (cgroups/v1_res.c) */
	.seccomp = true,
	/* exec labels are written when the host has the LSM (features-linux.md:
	 * "irrelevant to the availability on the host"); else a clear error */
	.apparmor = true,
	.selinux = true,
	.intel_rdt = false,
	.idmap_mounts = true,
	.net_devices = true,
	.memory_policy = true,
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

/* "key": [...] the names of table e (those `keep` keeps, when given). */
static void knames(yajl_gen g, const char *k, const struct sk_enum *e,
		   bool (*keep)(unsigned long value))
{
	str(g, k);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < e->n; i++)
		if (!keep || keep(e->v[i].value))
			str(g, e->v[i].name);
	yajl_gen_array_close(g);
}

static bool arch_supported(unsigned long a)
{
	return sk_seccomp_arch_supported((enum sk_scmp_arch)a);
}

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
	knames(g, "namespaces", &sk_enum_ns_type, NULL);
	gen_capabilities(g);

	str(g, "cgroup");
	yajl_gen_map_open(g);
	kbool(g, "v1", sk_cgroup_driver_built("v1") || sk_cgroup_driver_built("hybrid"));
	kbool(g, "v2", sk_cgroup_driver_built("v2"));
	kbool(g, "systemd", sk_cgroup_driver_built("systemd"));
	kbool(g, "systemdUser", claims.cgroup_systemd_user);
	kbool(g, "rdma", claims.cgroup_rdma);
	yajl_gen_map_close(g);

	str(g, "seccomp");
	yajl_gen_map_open(g);
	kbool(g, "enabled", claims.seccomp);
	if (claims.seccomp) {
		knames(g, "actions", &sk_enum_scmp_action, NULL);
		knames(g, "operators", &sk_enum_scmp_op, NULL);
		knames(g, "archs", &sk_enum_scmp_arch, arch_supported);
		knames(g, "knownFlags", &sk_enum_scmp_flag, NULL);
		knames(g, "supportedFlags", &sk_enum_scmp_flag, NULL);
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
		knames(g, "modes", &sk_enum_mpol_mode, NULL);
		knames(g, "flags", &sk_enum_mpol_flag, NULL);
	}
	yajl_gen_map_close(g);

	yajl_gen_map_close(g);
}

char *sk_features_json(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const char *const *opts;
	size_t i, n = 0;

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

	knames(g, "hooks", &sk_enum_hook_phase, NULL);

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
