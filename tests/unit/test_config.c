/* Unit tests for oci/: config.json parsing and validation, state.json,
 * the OCI state document, `spec` and `features` output.
 *
 * Output: "ok - name", "not ok - name: reason", then "N passed, N failed";
 * exit status 1 when anything failed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/oci.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "../../oci/config_json.h"
#include "tap.h"

/* report(NAME, GOOD, FMT, ...): tap() with the name first */
#define report(name, good, ...) tap(good, name, __VA_ARGS__)

#ifndef SRC_DIR
#define SRC_DIR "."
#endif
/* The repository's own config cases (tests/unit/data/config/{good,bad}). */
#define FIXTURES SRC_DIR "/tests/unit/data/config"
/* The OCI runtime-spec's schema test set, extra cases when there is a copy:
 * OCI_SPEC_DIR, else ../shared/oci-runtime-spec beside the repository. */
#define SPEC_DIR (getenv("OCI_SPEC_DIR") ? getenv("OCI_SPEC_DIR") : SRC_DIR "/../shared/oci-runtime-spec")

/* Stand-in for rootfs/mountopts.c when it is not linked in. */
__attribute__((weak)) const char *const *sk_mount_option_names(size_t *n)
{
	static const char *const names[] = { "bind", "rbind", "ro", "rw" };

	*n = SK_ARRAY_SIZE(names);
	return names;
}


/* Multi-check cases: the first failed EXPECT is the reason. */
static char why[1200];
#define BEGIN() (why[0] = '\0')
#define EXPECT(cond) do { \
	if (!(cond) && !why[0]) \
		snprintf(why, sizeof(why), "line %d: %s", __LINE__, #cond); \
} while (0)
#define END(name) report((name), !why[0], "%s", why)

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int parse(const char *json, struct sk_config **c, struct sk_error *e)
{
	memset(e, 0, sizeof(*e));
	return sk_config_parse(json, strlen(json), "config.json", c, e);
}

static void expect_ok(const char *name, const char *json)
{
	struct sk_config *c = NULL;
	struct sk_error e;

	if (parse(json, &c, &e) < 0) {
		report(name, false, "refused: %s", e.msg);
		return;
	}
	sk_config_free(c);
	report(name, true, " ");
}

static void expect_err(const char *name, const char *json, const char *msg)
{
	struct sk_config *c = NULL;
	struct sk_error e;

	if (parse(json, &c, &e) == 0) {
		sk_config_free(c);
		report(name, false, "accepted, expected \"%s\"", msg);
		return;
	}
	report(name, strcmp(e.msg, msg) == 0, "got \"%s\", expected \"%s\"", e.msg, msg);
}

static char *slurp(const char *path, size_t *len)
{
	struct sk_error e;
	char *buf = NULL;

	if (sk_read_file_at(AT_FDCWD, path, &buf, len, 0, &e) < 0)
		return NULL;
	return buf;
}

/* The exact messages for the repository's bad cases (the spec's, and new
 * files, need only be refused with one line naming config.json). */
static const char *const bad_msgs[][2] = {
	{ "invalid-json.json",
	  "config.json: invalid JSON: parse error: invalid object key (must be a string)" },
	{ "hugepage-size.json",
	  "config.json: linux.resources.hugepageLimits[0].pageSize: expected a size like "
	  "\"2MB\", got \"2mb\"" },
	{ "net-device-name.json",
	  "config.json: linux.netDevices.veth9.name: expected a string, got an array" },
	{ "rdma-handles.json",
	  "config.json: linux.resources.rdma.siw0.hcaHandles: expected a non-negative "
	  "integer, got \"two\"" },
	{ "rdma-objects.json",
	  "config.json: linux.resources.rdma.siw0.hcaObjects: expected a non-negative "
	  "integer, got -1" },
};

/* Every file of DIR/{good,bad}: good ones parse, bad ones are refused.
 * `required`: a missing DIR fails (else it is noted and skipped). */
static void test_case_dir(const char *base, const char *kind, bool want_ok, bool required)
{
	_cleanup_free_ char *dir = sk_xasprintf("%s/%s", base, kind);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	int count = 0;

	if (!d) {
		if (required)
			report(kind, false, "opendir %s: %s", dir, strerror(errno));
		else
			printf("# %s: %s: its extra cases skipped\n", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL, *name = NULL, *buf = NULL;
		struct sk_config *c = NULL;
		struct sk_error e = { 0 };
		const char *want = NULL;
		size_t len = 0, i;
		int r;

		if (de->d_name[0] == '.' || !strstr(de->d_name, ".json"))
			continue;
		count++;
		path = sk_xasprintf("%s/%s", dir, de->d_name);
		name = sk_xasprintf("%s %s/%s", required ? "cases" : "spec schema", kind, de->d_name);
		buf = slurp(path, &len);
		if (!buf) {
			report(name, false, "cannot read %s", path);
			continue;
		}
		r = sk_config_parse(buf, len, "config.json", &c, &e);
		sk_config_free(r == 0 ? c : NULL);
		if (want_ok) {
			report(name, r == 0, "refused: %s", e.msg);
			continue;
		}
		for (i = 0; required && i < SK_ARRAY_SIZE(bad_msgs); i++)
			if (strcmp(de->d_name, bad_msgs[i][0]) == 0)
				want = bad_msgs[i][1];
		report(name, r < 0 && strchr(e.msg, '\n') == NULL &&
		       strncmp(e.msg, "config.json: ", 13) == 0 &&
		       (!want || strcmp(e.msg, want) == 0),
		       "accepted or unexpected message \"%s\"", e.msg);
	}
	if (!count)
		report(kind, false, "no files in %s", dir);
}

/* The repository's cases, then the spec's schema test set when there. */
static void test_cases(void)
{
	_cleanup_free_ char *spec = sk_xasprintf("%s/schema/test/config", SPEC_DIR);

	test_case_dir(FIXTURES, "good", true, true);
	test_case_dir(FIXTURES, "bad", false, true);
	test_case_dir(spec, "good", true, false);
	test_case_dir(spec, "bad", false, false);
}

static const struct sk_hook *hook(const struct sk_config *c, enum sk_hook_phase p, size_t i)
{
	return i < c->hooks.n[p] ? &c->hooks.list[p][i] : NULL;
}

static void test_full_example(void)
{
	const char *path = FIXTURES "/good/full.json";
	_cleanup_free_ char *buf = NULL;
	const struct sk_process *p;
	const struct sk_linux *l;
	const struct sk_resources *r;
	struct sk_config *c = NULL;
	struct sk_error e = { 0 };
	size_t len = 0;

	buf = slurp(path, &len);
	if (!buf || sk_config_parse(buf, len, "config.json", &c, &e) < 0) {
		report("full example fields", false, "cannot parse %s: %s", path, e.msg);
		return;
	}
	p = &c->process;
	l = &c->linux;
	r = &l->resources;

	BEGIN();
	EXPECT(streq(c->oci_version, "1.3.0"));
	EXPECT(c->has_root && streq(c->root_path, "fs") && c->root_readonly);
	EXPECT(streq(c->hostname, "skiff-full"));
	EXPECT(streq(c->domainname, "full.skiff.test"));
	EXPECT(c->n_annotations == 2 && streq(c->annotations[1].key, "org.skiff.second") &&
	       streq(c->annotations[1].value, "two"));
	END("full example: top level");

	BEGIN();
	EXPECT(p->present && p->terminal);
	EXPECT(p->user.uid == 7 && p->user.gid == 8);
	EXPECT(p->user.n_additional_gids == 2 && p->user.additional_gids[0] == 20 &&
	       p->user.additional_gids[1] == 21);
	EXPECT(!p->user.has_umask);
	EXPECT(p->n_args == 1 && streq(p->args[0], "/bin/sh"));
	EXPECT(p->n_env == 2 && streq(p->env[1], "HOME=/root"));
	EXPECT(streq(p->cwd, "/work"));
	EXPECT(p->caps.present);
	EXPECT(p->caps.n[SK_CAP_BOUNDING] == 3 &&
	       streq(p->caps.set[SK_CAP_BOUNDING][2], "CAP_SYS_TIME"));
	EXPECT(p->caps.n[SK_CAP_EFFECTIVE] == 2 &&
	       streq(p->caps.set[SK_CAP_EFFECTIVE][1], "CAP_SETUID"));
	EXPECT(p->caps.n[SK_CAP_INHERITABLE] == 3 && p->caps.n[SK_CAP_PERMITTED] == 3);
	EXPECT(p->caps.n[SK_CAP_AMBIENT] == 1 &&
	       streq(p->caps.set[SK_CAP_AMBIENT][0], "CAP_SYS_TIME"));
	EXPECT(p->n_rlimits == 2 && p->rlimits[0].type == RLIMIT_NPROC &&
	       p->rlimits[0].hard == 128 && p->rlimits[0].soft == 64 &&
	       p->rlimits[1].soft == 256 && p->rlimits[1].type == RLIMIT_NOFILE);
	EXPECT(streq(p->apparmor_profile, "skiff_profile"));
	EXPECT(streq(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2"));
	EXPECT(p->no_new_privileges);
	EXPECT(!p->has_oom_score_adj && !p->scheduler.present && !p->has_io_priority);
	END("full example: process");

	BEGIN();
	EXPECT(c->n_mounts == 4 && streq(c->mounts[0].destination, "/proc") &&
	       streq(c->mounts[0].type, "proc") && streq(c->mounts[0].source, "proc") &&
	       c->mounts[0].n_options == 0);
	EXPECT(c->n_mounts == 4 && c->mounts[2].n_options == 6 &&
	       streq(c->mounts[2].options[5], "gid=5"));
	EXPECT(c->n_mounts == 4 && streq(c->mounts[3].destination, "/sys/fs/cgroup") &&
	       streq(c->mounts[3].options[4], "ro"));
	END("full example: mounts");

	BEGIN();
	EXPECT(c->hooks.n[SK_HOOK_PRESTART] == 2);
	EXPECT(hook(c, SK_HOOK_PRESTART, 0) &&
	       streq(hook(c, SK_HOOK_PRESTART, 0)->path, "/bin/pre") &&
	       hook(c, SK_HOOK_PRESTART, 0)->n_args == 3 &&
	       streq(hook(c, SK_HOOK_PRESTART, 0)->args[2], "b") &&
	       hook(c, SK_HOOK_PRESTART, 0)->n_env == 1 &&
	       streq(hook(c, SK_HOOK_PRESTART, 0)->env[0], "K=v"));
	EXPECT(hook(c, SK_HOOK_PRESTART, 1) &&
	       hook(c, SK_HOOK_PRESTART, 1)->n_args == 0 &&
	       !hook(c, SK_HOOK_PRESTART, 1)->has_timeout);
	EXPECT(c->hooks.n[SK_HOOK_CREATE_RUNTIME] == 2);
	EXPECT(hook(c, SK_HOOK_CREATE_CONTAINER, 0) &&
	       streq(hook(c, SK_HOOK_CREATE_CONTAINER, 0)->path, "/bin/cc"));
	EXPECT(hook(c, SK_HOOK_START_CONTAINER, 0) &&
	       streq(hook(c, SK_HOOK_START_CONTAINER, 0)->path, "/bin/sc"));
	EXPECT(hook(c, SK_HOOK_POSTSTART, 0) && hook(c, SK_HOOK_POSTSTART, 0)->has_timeout &&
	       hook(c, SK_HOOK_POSTSTART, 0)->timeout == 9);
	EXPECT(hook(c, SK_HOOK_POSTSTOP, 0) &&
	       streq(hook(c, SK_HOOK_POSTSTOP, 0)->args[1], "-r"));
	END("full example: hooks");

	BEGIN();
	EXPECT(l->present && l->n_devices == 2);
	EXPECT(l->n_devices == 2 && streq(l->devices[0].path, "/dev/net/tun") &&
	       l->devices[0].type == SK_DEV_CHAR && l->devices[0].major == 10 &&
	       l->devices[0].minor == 200 && l->devices[0].file_mode == 420 &&
	       l->devices[0].has_uid && l->devices[0].uid == 0);
	EXPECT(l->n_devices == 2 && l->devices[1].type == SK_DEV_BLOCK &&
	       l->devices[1].file_mode == 384 && !l->devices[1].has_uid);
	EXPECT(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 200000 &&
	       l->uid_mappings[0].size == 65536 && l->uid_mappings[0].container_id == 0);
	EXPECT(l->n_gid_mappings == 1 && l->gid_mappings[0].host_id == 300000);
	EXPECT(l->n_sysctl == 2 && streq(l->sysctl[0].key, "net.ipv4.ip_unprivileged_port_start") &&
	       streq(l->sysctl[0].value, "0"));
	EXPECT(streq(l->cgroups_path, "/skiff/full"));
	EXPECT(l->rootfs_propagation == (MS_REC | MS_SLAVE));
	EXPECT(l->has_time_offsets && l->time_monotonic.present &&
	       l->time_monotonic.secs == 3600 && l->time_monotonic.nanosecs == 5 &&
	       l->time_boottime.secs == 7200 && l->time_boottime.nanosecs == 0);
	EXPECT(l->n_namespaces == 8 && l->namespaces[0].type == SK_NS_MOUNT &&
	       l->namespaces[1].type == SK_NS_PID && l->namespaces[7].type == SK_NS_TIME &&
	       !l->namespaces[0].path);
	EXPECT(sk_config_ns(c, SK_NS_USER) && !sk_config_ns(c, SK_NS_USER)->path);
	EXPECT(l->n_masked_paths == 3 && streq(l->masked_paths[2], "/sys/firmware"));
	EXPECT(l->n_readonly_paths == 2 && streq(l->readonly_paths[0], "/proc/sys"));
	EXPECT(streq(l->mount_label, "system_u:object_r:container_file_t:s0:c1,c2"));
	END("full example: linux");

	BEGIN();
	EXPECT(r->present);
	EXPECT(r->network.present && r->network.has_class_id &&
	       r->network.class_id == 42 && r->network.n_priorities == 2 &&
	       streq(r->network.priorities[1].name, "eth0") &&
	       r->network.priorities[1].priority == 7);
	EXPECT(r->pids.present && r->pids.has_limit && r->pids.limit == 100);
	EXPECT(r->n_hugepage_limits == 2 && streq(r->hugepage_limits[0].page_size, "1GB") &&
	       r->hugepage_limits[0].limit == 1073741824ULL &&
	       streq(r->hugepage_limits[1].page_size, "2MB") &&
	       r->hugepage_limits[1].limit == 4194304);
	EXPECT(r->memory.present && r->memory.has_limit && r->memory.limit == 268435456 &&
	       r->memory.reservation == 134217728 && r->memory.swap == 536870912 &&
	       r->memory.has_kernel && r->memory.kernel == -1 && r->memory.kernel_tcp == -1 &&
	       r->memory.has_swappiness && r->memory.swappiness == 10 &&
	       r->memory.has_disable_oom_killer && r->memory.disable_oom_killer &&
	       r->memory.has_use_hierarchy && r->memory.has_check_before_update);
	EXPECT(r->cpu.present && r->cpu.shares == 512 && r->cpu.quota == 50000 &&
	       r->cpu.has_burst && r->cpu.burst == 10000 && r->cpu.period == 100000 &&
	       r->cpu.realtime_runtime == 1000 && r->cpu.realtime_period == 10000 &&
	       streq(r->cpu.cpus, "0-1") && streq(r->cpu.mems, "0") && !r->cpu.has_idle);
	EXPECT(r->n_devices == 3 && !r->devices[0].allow && !r->devices[0].type &&
	       !r->devices[0].has_major && streq(r->devices[0].access, "rwm"));
	EXPECT(r->n_devices == 3 && r->devices[1].allow && streq(r->devices[1].type, "c") &&
	       r->devices[1].major == 1 && r->devices[1].minor == 3 &&
	       r->devices[2].has_major && !r->devices[2].has_minor &&
	       streq(r->devices[2].access, "r"));
	EXPECT(r->blkio.present && r->blkio.weight == 200 && r->blkio.leaf_weight == 100);
	EXPECT(r->blkio.n_weight_device == 2 && r->blkio.weight_device[0].major == 8 &&
	       r->blkio.weight_device[0].weight == 300 &&
	       r->blkio.weight_device[0].has_leaf_weight &&
	       r->blkio.weight_device[0].leaf_weight == 150 &&
	       r->blkio.weight_device[1].minor == 16 &&
	       !r->blkio.weight_device[1].has_leaf_weight);
	EXPECT(r->blkio.n_throttle_read_bps == 1 && r->blkio.throttle_read_bps[0].rate == 1048576);
	EXPECT(r->blkio.n_throttle_write_iops == 1 &&
	       r->blkio.throttle_write_iops[0].minor == 16 &&
	       r->blkio.throttle_write_iops[0].rate == 50);
	EXPECT(r->blkio.n_throttle_write_bps == 0 && r->blkio.n_throttle_read_iops == 0);
	END("full example: linux.resources");

	BEGIN();
	EXPECT(l->seccomp.present && l->seccomp.default_action == SK_SCMP_ACT_ERRNO);
	EXPECT(l->seccomp.n_architectures == 2 &&
	       l->seccomp.architectures[1] == SK_SCMP_ARCH_X86);
	EXPECT(l->seccomp.n_syscalls == 1 && l->seccomp.syscalls[0].n_names == 3 &&
	       streq(l->seccomp.syscalls[0].names[2], "exit_group") &&
	       l->seccomp.syscalls[0].action == SK_SCMP_ACT_ALLOW &&
	       !l->seccomp.syscalls[0].has_errno_ret);
	END("full example: seccomp");
	sk_config_free(c);
}

#include "data/extras.inc"     /* extras_json: what full.json lacks */

static void test_extras(void)
{
	const struct sk_process *p;
	const struct sk_linux *l;
	struct sk_config *c = NULL;
	struct sk_error e;

	if (parse(extras_json, &c, &e) < 0) {
		report("extra fields", false, "refused: %s", e.msg);
		return;
	}
	p = &c->process;
	l = &c->linux;

	BEGIN();
	EXPECT(p->has_console_size && p->console_height == 25 && p->console_width == 80);
	EXPECT(p->user.uid == 4294967295u && p->user.gid == 7 && p->user.has_umask &&
	       p->user.umask == 18 && streq(p->user.username, "bob"));
	EXPECT(streq(p->command_line, "a b"));
	EXPECT(p->has_oom_score_adj && p->oom_score_adj == -500);
	EXPECT(p->n_rlimits == 1 && p->rlimits[0].soft == UINT64_MAX &&
	       p->rlimits[0].hard == UINT64_MAX);
	END("extras: process");

	BEGIN();
	EXPECT(p->scheduler.present && p->scheduler.policy == SK_SCHED_DEADLINE);
	EXPECT(p->scheduler.has_nice && p->scheduler.nice == -5);
	EXPECT(p->scheduler.has_priority && p->scheduler.priority == 3);
	EXPECT(p->scheduler.flags == 0x01 /* SCHED_FLAG_RESET_ON_FORK */);
	EXPECT(p->scheduler.has_runtime && p->scheduler.runtime == 100 &&
	       p->scheduler.deadline == 200 && p->scheduler.period == UINT64_MAX);
	END("extras: scheduler");

	BEGIN();
	EXPECT(p->has_io_priority && p->io_priority_class == SK_IOPRIO_CLASS_BE &&
	       p->io_priority == 4);
	EXPECT(streq(p->exec_cpu_affinity_initial, "0-3, 7") &&
	       streq(p->exec_cpu_affinity_final, "1"));
	END("extras: ioPriority, execCPUAffinity");

	BEGIN();
	EXPECT(c->n_mounts == 1 && c->mounts[0].n_uid_mappings == 1 &&
	       c->mounts[0].uid_mappings[0].host_id == 100000 &&
	       c->mounts[0].uid_mappings[0].size == 65536 &&
	       c->mounts[0].n_gid_mappings == 1 &&
	       c->mounts[0].gid_mappings[0].container_id == 1);
	EXPECT(!c->has_root && !c->root_path);
	END("extras: mount idmaps");

	BEGIN();
	EXPECT(l->n_net_devices == 2 && streq(l->net_devices[0].host_name, "eth0") &&
	       streq(l->net_devices[0].name, "ceth0") &&
	       streq(l->net_devices[1].host_name, "ens4") && !l->net_devices[1].name);
	EXPECT(l->has_time_offsets && !l->time_monotonic.present &&
	       l->time_boottime.present && l->time_boottime.secs == -3 &&
	       l->time_boottime.nanosecs == 999999999);
	EXPECT(sk_config_ns(c, SK_NS_NET) &&
	       streq(sk_config_ns(c, SK_NS_NET)->path, "/var/run/netns/x") &&
	       !sk_config_ns(c, SK_NS_PID));
	EXPECT(l->n_devices == 1 && l->devices[0].type == SK_DEV_FIFO && !l->devices[0].has_major);
	END("extras: netDevices, timeOffsets, namespaces, devices");

	BEGIN();
	EXPECT(l->resources.cpu.has_idle && l->resources.cpu.idle == 1 &&
	       l->resources.cpu.quota == -1);
	EXPECT(l->resources.memory.limit == -1 && l->resources.memory.swap == INT64_MAX);
	EXPECT(l->resources.n_rdma == 1 && streq(l->resources.rdma[0].device, "mlx5_1") &&
	       l->resources.rdma[0].has_handles && l->resources.rdma[0].handles == 3 &&
	       l->resources.rdma[0].objects == 10000);
	EXPECT(l->resources.n_unified == 2 &&
	       streq(l->resources.unified[1].key, "memory.high") &&
	       streq(l->resources.unified[1].value, "max"));
	END("extras: resources");

	BEGIN();
	EXPECT(l->seccomp.has_default_errno_ret && l->seccomp.default_errno_ret == 38);
	EXPECT(l->seccomp.flags == 2 /* SECCOMP_FILTER_FLAG_LOG */);
	EXPECT(streq(l->seccomp.listener_path, "/run/l.sock") &&
	       streq(l->seccomp.listener_metadata, "meta"));
	EXPECT(l->seccomp.n_syscalls == 1 && l->seccomp.syscalls[0].has_errno_ret &&
	       l->seccomp.syscalls[0].errno_ret == 1 && l->seccomp.syscalls[0].n_args == 1 &&
	       l->seccomp.syscalls[0].args[0].value == UINT64_MAX &&
	       l->seccomp.syscalls[0].args[0].has_value_two &&
	       l->seccomp.syscalls[0].args[0].value_two == 8 &&
	       l->seccomp.syscalls[0].args[0].op == SK_SCMP_CMP_MASKED_EQ);
	END("extras: seccomp");

	BEGIN();
	EXPECT(l->memory_policy.present && l->memory_policy.mode == SK_MPOL_INTERLEAVE &&
	       streq(l->memory_policy.nodes, "0-3") && l->memory_policy.flags != 0);
	EXPECT(l->intel_rdt.present && streq(l->intel_rdt.clos_id, "guaranteed") &&
	       streq(l->intel_rdt.l3_cache_schema, "L3:0=7f") &&
	       streq(l->intel_rdt.mem_bw_schema, "MB:0=20") &&
	       l->intel_rdt.n_schemata == 1 && l->intel_rdt.enable_monitoring);
	EXPECT(l->personality.present && l->personality.domain == SK_PER_LINUX32 &&
	       l->personality.n_flags == 0);
	END("extras: memoryPolicy, intelRdt, personality");
	sk_config_free(c);
}

static void test_errors(void)
{
#define ERR(name, json, msg) expect_err(name, json, msg);
#define OK(name, json) expect_ok(name, json);
#include "data/config_cases.inc"
#undef ERR
#undef OK
	{
		static const char nul[] = "{\"ociVersion\": \"1.0.0\"}\0{}";
		struct sk_config *c = NULL;
		struct sk_error e = { 0 };
		int r = sk_config_parse(nul, sizeof(nul) - 1, "config.json", &c, &e);

		if (r == 0)
			sk_config_free(c);
		report("NUL byte in document", r < 0 &&
		       streq(e.msg, "config.json: invalid JSON: NUL byte in document"),
		       "got \"%s\"", e.msg);
	}
	{
		static const char pj[] = "{\"cwd\": \"/\", \"args\": [\"sh\"], \"user\": "
					 "{\"uid\": 0, \"gid\": 0, \"uid\": 5}}";
		static const char pn[] = "{\"cwd\": \"/\", \"args\": [\"sh\"], "
					 "\"env\": [\"A=1\", \"B=\\u0000\"]}";
		struct sk_process p = { 0 };
		struct sk_error e = { 0 };
		int r = sk_process_parse(pj, sizeof(pj) - 1, "process.json", &p, &e);

		report("process.json: duplicate key", r < 0 &&
		       streq(e.msg, "process.json: user: duplicate key \"uid\""), "got \"%s\"", e.msg);
		if (!r)
			sk_process_free(&p);
		r = sk_process_parse(pn, sizeof(pn) - 1, "process.json", &p, &e);
		report("process.json: NUL in a string", r < 0 &&
		       streq(e.msg, "process.json: env[1]: string contains a NUL character"),
		       "got \"%s\"", e.msg);
		if (!r)
			sk_process_free(&p);
	}
	{
		/* many keys: the sorted check finds the one repeated */
		size_t n = 0, cap = 200000;
		char *buf = sk_xmalloc(cap);
		struct sk_config *c = NULL;
		struct sk_error e = { 0 };
		int r, i;

		n += (size_t)snprintf(buf + n, cap - n, "{\"ociVersion\": \"1.0.0\", \"annotations\": {");
		for (i = 0; i < 5000; i++)
			n += (size_t)snprintf(buf + n, cap - n, "\"k%d\": \"\", ", i == 4000 ? 17 : i);
		n += (size_t)snprintf(buf + n, cap - n, "\"end\": \"\"}}");
		r = sk_config_parse(buf, n, "config.json", &c, &e);
		report("duplicate among 5000 keys", r < 0 &&
		       streq(e.msg, "config.json: annotations: duplicate key \"k17\""), "got \"%s\"", e.msg);
		if (!r)
			sk_config_free(c);
		free(buf);
	}
}

static void test_big_config(void)
{
	/* 20000 entries of ~520 bytes: yajl grows arrays one slot at a time,
	 * so far more entries makes valgrind runs crawl. */
	const size_t n_env = 20000;
	size_t cap = n_env * 540 + 256, len = 0, i;
	char *buf = sk_xmalloc(cap);
	struct sk_config *c = NULL;
	struct sk_error e = { 0 };
	int r;

	len += (size_t)snprintf(buf + len, cap - len,
				"{\"ociVersion\": \"1.0.0\", \"process\": {\"cwd\": \"/\", \"env\": [");
	for (i = 0; i < n_env; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s\"VAR_%07zu=%0500zu\"",
					i ? "," : "", i, i);
	len += (size_t)snprintf(buf + len, cap - len, "]}}");
	r = sk_config_parse(buf, len, "config.json", &c, &e);
	BEGIN();
	EXPECT(len > 10 * 1000 * 1000);
	EXPECT(r == 0);
	EXPECT(r < 0 || c->process.n_env == n_env);
	EXPECT(r < 0 || (strncmp(c->process.env[12345], "VAR_0012345=000", 15) == 0 &&
			 strlen(c->process.env[12345]) == 512 &&
			 strcmp(c->process.env[12345] + 507, "12345") == 0));
	if (r < 0)
		snprintf(why, sizeof(why), "%s", e.msg);
	else
		sk_config_free(c);
	END("10 MB config");
	free(buf);
}

/* sk_j_tree_parse (oci/json_tree.c) against yajl_tree_parse: the same
 * tree, or the same first line of error, for runc's config and thousands
 * of mutations of it (bytes replaced, inserted, removed, cut short;
 * deterministic). */
static bool same_tree(yajl_val a, yajl_val b)
{
	if (!a || !b || a->type != b->type)
		return a == b;
	switch (a->type) {
	case yajl_t_string:
		return !strcmp(a->u.string, b->u.string);
	case yajl_t_number:
		return !strcmp(a->u.number.r, b->u.number.r) &&
		       a->u.number.flags == b->u.number.flags &&
		       (!(a->u.number.flags & YAJL_NUMBER_INT_VALID) || a->u.number.i == b->u.number.i) &&
		       (!(a->u.number.flags & YAJL_NUMBER_DOUBLE_VALID) || a->u.number.d == b->u.number.d);
	case yajl_t_object:
		if (a->u.object.len != b->u.object.len)
			return false;
		for (size_t i = 0; i < a->u.object.len; i++)
			if (strcmp(a->u.object.keys[i], b->u.object.keys[i]) ||
			    !same_tree(a->u.object.values[i], b->u.object.values[i]))
				return false;
		return true;
	case yajl_t_array:
		if (a->u.array.len != b->u.array.len)
			return false;
		for (size_t i = 0; i < a->u.array.len; i++)
			if (!same_tree(a->u.array.values[i], b->u.array.values[i]))
				return false;
		return true;
	default:
		return true;
	}
}

static void test_json_tree(void)
{
	static const char alphabet[] = "{}[]\":,0123456789-+.eEtrufalsn \t\n\\/*xu";
	_cleanup_free_ char *base = NULL;
	size_t base_len, bad = 0, failed_parses = 0;
	unsigned long long seed = 42;
	char why1[256] = "";
	struct sk_error e = { 0 };

	if (sk_read_file_at(AT_FDCWD, SRC_DIR "/bench/config.json", &base, &base_len, 0, &e) < 0) {
		report("JSON tree equals yajl_tree's", false, "bench/config.json: %s", e.msg);
		return;
	}
	for (int n = 0; n < 4000; n++) {
		char *t = sk_xmalloc(base_len + 16), ea[512], eb[512];
		size_t len = base_len;
		yajl_val a, b;
		bool refused = false;
		int edits = n ? 1 + n % 4 : 0;

		memcpy(t, base, base_len);
		for (int k = 0; k < edits; k++) {
			size_t at;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			at = (size_t)(seed >> 33) % (len ? len : 1);
			switch ((seed >> 20) % 4) {
			case 0: t[at] = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)]; break;
			case 1: memmove(t + at + 1, t + at, len - at); t[at] = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)]; len++; break;
			case 2: if (len) { memmove(t + at, t + at + 1, len - at - 1); len--; } break;
			default: len = at; break;
			}
		}
		t[len] = '\0';
		ea[0] = eb[0] = '\0';
		a = sk_j_tree_parse(t, len, ea, sizeof(ea), NULL, &refused);
		b = yajl_tree_parse(t, eb, sizeof(eb));
		ea[strcspn(ea, "\n")] = eb[strcspn(eb, "\n")] = '\0';
		if (!b)
			failed_parses++;
		/* a key made a duplicate of its neighbour's: refused, yajl takes it */
		if (refused ? !b : !same_tree(a, b) || (!a && strcmp(ea, eb))) {
			if (!bad++)
				snprintf(why1, sizeof(why1), "mutation %d: %.100s / %.100s", n, a ? "tree" : ea,
					 b ? "tree" : eb);
		}
		sk_j_free(a);
		yajl_tree_free(b);
		free(t);
	}
	report("JSON tree equals yajl_tree's (runc's config, 4000 mutations)", !bad && failed_parses > 100,
	       "%zu differ (%s); %zu mutations failed to parse", bad, why1, failed_parses);
}

static void test_deep_nesting(void)
{
	const size_t depth = 100000;
	char *buf = sk_xmalloc(2 * depth + 64);
	struct sk_config *c = NULL;
	struct sk_error e = { 0 };
	size_t len;
	int r;

	len = (size_t)sprintf(buf, "{\"ociVersion\": \"1.0.0\", \"x\": ");
	memset(buf + len, '[', depth);
	memset(buf + len + depth, ']', depth);
	len += 2 * depth;
	buf[len++] = '}';
	r = sk_config_parse(buf, len, "config.json", &c, &e);
	if (r == 0)
		sk_config_free(c);
	report("deep nesting refused", r < 0 &&
	       streq(e.msg, "config.json: invalid JSON: nested deeper than 256 levels"),
	       "got \"%s\"", e.msg);
	free(buf);
	expect_ok("nesting in strings is not nesting",
		  "{\"ociVersion\": \"1.0.0\", \"hostname\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\"}");
}

static void test_spec_output(void)
{
	int rootless;

	for (rootless = 0; rootless < 2; rootless++) {
		char *json = sk_spec_default_json(rootless);
		struct sk_config *c = NULL;
		struct sk_error e = { 0 };
		int r = sk_config_parse(json, strlen(json), "config.json", &c, &e);

		BEGIN();
		EXPECT(r == 0);
		if (r < 0) {
			snprintf(why, sizeof(why), "refused: %s", e.msg);
		} else {
			EXPECT(streq(c->oci_version, SK_OCI_VERSION));
			EXPECT(streq(c->hostname, "skiff"));
			EXPECT(streq(c->process.args[0], "sh") && c->process.terminal);
			EXPECT(c->n_mounts == 7 && c->linux.n_masked_paths == 10);
			EXPECT(json[strlen(json) - 1] == '\n' && json[strlen(json) - 2] == '}');
			if (rootless) {
				EXPECT(sk_config_ns(c, SK_NS_USER) && !sk_config_ns(c, SK_NS_NET));
				EXPECT(c->linux.n_uid_mappings == 1 &&
				       c->linux.uid_mappings[0].host_id == geteuid());
				EXPECT(streq(c->mounts[5].type, "none"));
			} else {
				EXPECT(!sk_config_ns(c, SK_NS_USER) && sk_config_ns(c, SK_NS_NET));
				EXPECT(c->linux.resources.n_devices == 1);
			}
			sk_config_free(c);
		}
		END(rootless ? "spec --rootless parses back" : "spec parses back");

		free(json);
	}
}

static yajl_val jget(yajl_val v, const char *a, const char *b)
{
	const char *path[] = { a, b, NULL };

	return yajl_tree_get(v, path, yajl_t_any);
}

static void test_features(void)
{
	char *json = sk_features_json();
	char ebuf[256];
	yajl_val v = yajl_tree_parse(json, ebuf, sizeof(ebuf)), x;

	BEGIN();
	EXPECT(v && YAJL_IS_OBJECT(v));
	if (v) {
		x = jget(v, "ociVersionMin", NULL);
		EXPECT(x && streq(YAJL_GET_STRING(x), "1.0.0"));
		x = jget(v, "ociVersionMax", NULL);
		EXPECT(x && streq(YAJL_GET_STRING(x), "1.3.0"));
		x = jget(v, "hooks", NULL);
		EXPECT(x && YAJL_IS_ARRAY(x) && x->u.array.len == 6);
		x = jget(v, "mountOptions", NULL);
		EXPECT(x && YAJL_IS_ARRAY(x) && x->u.array.len > 0);
		x = jget(v, "linux", "namespaces");
		EXPECT(x && YAJL_IS_ARRAY(x) && x->u.array.len == 8);
		x = jget(v, "linux", "capabilities");
		EXPECT(x && YAJL_IS_ARRAY(x) && x->u.array.len >= 38 &&
		       streq(YAJL_GET_STRING(x->u.array.values[0]), "CAP_CHOWN"));
		x = jget(v, "linux", "cgroup");
		EXPECT(x && YAJL_IS_TRUE(jget(x, "v2", NULL)) && YAJL_IS_TRUE(jget(x, "v1", NULL)) &&
		       YAJL_IS_TRUE(jget(x, "rdma", NULL)) && YAJL_IS_TRUE(jget(x, "systemd", NULL)) &&
		       YAJL_IS_FALSE(jget(x, "systemdUser", NULL)));
		x = jget(v, "linux", "seccomp");
		EXPECT(x && jget(x, "enabled", NULL));
		x = jget(v, "annotations", "io.github.skiff.version");
		EXPECT(x && YAJL_IS_STRING(x));
	}
	END("features output is valid JSON");
	yajl_tree_free(v);
	free(json);
}

static void test_state(void)
{
	char dir[] = "/tmp/skiff-test-state-XXXXXX";
	struct sk_kv ann[2] = { { "a", "1" }, { "b.c", "x\"y" } };
	struct sk_state s = {
		.id = "ctr1", .pid = 4242, .start_time = 18446744073709551615ULL,
		.bundle = "/b", .rootfs = "/b/rootfs", .created = "2026-01-01T00:00:00Z",
		.cgroup_path = "/sys/fs/cgroup/x", .cgroup_owned = true,
		.cgroup_owned_v1 = "memory;cpu,cpuacct", .cgroup_unit = "skiff-ctr1.scope",
		.annotations = ann, .n_annotations = 2,
	};
	struct sk_state *back = NULL;
	struct sk_error e = { 0 };
	int dfd;
	char *js;
	char ebuf[256];
	yajl_val v;

	if (!mkdtemp(dir)) {
		report("state round-trip", false, "mkdtemp: %s", strerror(errno));
		return;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	BEGIN();
	EXPECT(dfd >= 0);
	EXPECT(sk_state_write(dfd, &s, &e) == 0);
	EXPECT(sk_state_read(dfd, &back, &e) == 0);
	if (back) {
		EXPECT(streq(back->id, "ctr1") && back->pid == 4242);
		EXPECT(back->start_time == 18446744073709551615ULL);
		EXPECT(streq(back->bundle, "/b") && streq(back->rootfs, "/b/rootfs"));
		EXPECT(streq(back->created, "2026-01-01T00:00:00Z"));
		EXPECT(streq(back->cgroup_path, "/sys/fs/cgroup/x") && back->cgroup_owned);
		EXPECT(streq(back->cgroup_owned_v1, "memory;cpu,cpuacct"));
		EXPECT(streq(back->cgroup_unit, "skiff-ctr1.scope"));
		EXPECT(back->n_annotations == 2 && streq(back->annotations[1].key, "b.c") &&
		       streq(back->annotations[1].value, "x\"y"));
	}
	if (why[0] && e.msg[0])
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (%s)", e.msg);
	END("state round-trip");
	sk_state_free(back);
	back = NULL;

	/* A minimal state (no cgroup, no annotations) and a corrupt one. */
	s.cgroup_path = NULL;
	s.cgroup_owned = false;
	s.cgroup_owned_v1 = NULL;
	s.cgroup_unit = NULL;
	s.n_annotations = 0;
	s.annotations = NULL;
	s.pid = 0;
	BEGIN();
	EXPECT(sk_state_write(dfd, &s, &e) == 0);
	EXPECT(sk_state_read(dfd, &back, &e) == 0);
	EXPECT(back && !back->cgroup_path && !back->cgroup_owned && !back->cgroup_owned_v1 &&
	       back->pid == 0 && back->n_annotations == 0);
	END("state round-trip, minimal");
	sk_state_free(back);
	back = NULL;
	BEGIN();
	EXPECT(sk_write_file_atomic(dfd, "state.json", "{\"id\": 5}", 9, 0600, &e) == 0);
	EXPECT(sk_state_read(dfd, &back, &e) < 0);
	EXPECT(streq(e.msg, "state.json: id: expected a string, got 5"));
	END("corrupt state refused");
	sk_state_free(back);

	unlinkat(dfd, "state.json", 0);
	if (dfd >= 0)
		close(dfd);
	rmdir(dir);

	s.pid = 4422;
	s.annotations = ann;
	s.n_annotations = 1;
	js = sk_state_oci_json(&s, "running", true);
	v = yajl_tree_parse(js, ebuf, sizeof(ebuf));
	BEGIN();
	EXPECT(v && YAJL_IS_OBJECT(v));
	EXPECT(v && v->u.object.len == 6);
	EXPECT(streq(YAJL_GET_STRING(jget(v, "ociVersion", NULL)), SK_OCI_VERSION));
	EXPECT(streq(YAJL_GET_STRING(jget(v, "id", NULL)), "ctr1"));
	EXPECT(streq(YAJL_GET_STRING(jget(v, "status", NULL)), "running"));
	EXPECT(jget(v, "pid", NULL) && YAJL_GET_INTEGER(jget(v, "pid", NULL)) == 4422);
	EXPECT(streq(YAJL_GET_STRING(jget(v, "bundle", NULL)), "/b"));
	EXPECT(streq(YAJL_GET_STRING(jget(v, "annotations", "a")), "1"));
	END("OCI state JSON");
	yajl_tree_free(v);
	free(js);

	s.pid = 0;
	s.n_annotations = 0;
	js = sk_state_oci_json(&s, "stopped", false);
	v = yajl_tree_parse(js, ebuf, sizeof(ebuf));
	BEGIN();
	EXPECT(v && YAJL_IS_OBJECT(v) && v->u.object.len == 4);
	EXPECT(!jget(v, "pid", NULL) && !jget(v, "annotations", NULL));
	EXPECT(!strchr(js, '\n'));
	END("OCI state JSON, no pid, no annotations");
	yajl_tree_free(v);
	free(js);
}

static void test_load(void)
{
	char dir[] = "/tmp/skiff-test-load-XXXXXX";
	struct sk_config *c = NULL;
	struct sk_error e = { 0 };
	_cleanup_free_ char *path = NULL;
	int fd;

	if (!mkdtemp(dir)) {
		report("sk_config_load", false, "mkdtemp: %s", strerror(errno));
		return;
	}
	path = sk_xasprintf("%s/config.json", dir);
	BEGIN();
	EXPECT(sk_config_load(dir, &c, &e) < 0 && strstr(e.msg, "config.json"));
	EXPECT(sk_write_file_atomic(AT_FDCWD, path, "{\"ociVersion\": \"1.2.0\"}", 23,
				    0644, &e) == 0);
	EXPECT(sk_config_load(dir, &c, &e) == 0 && streq(c->oci_version, "1.2.0"));
	sk_config_free(c);
	c = NULL;
	fd = open(path, O_WRONLY | O_TRUNC);
	EXPECT(fd >= 0 && ftruncate(fd, (64 << 20) + 1) == 0);
	if (fd >= 0)
		close(fd);
	EXPECT(sk_config_load(dir, &c, &e) < 0 && strstr(e.msg, "larger than"));
	END("sk_config_load");
	unlink(path);
	rmdir(dir);
}

static void test_names(void)
{
	BEGIN();
	EXPECT(streq(sk_ns_type_name(SK_NS_PID), "pid"));
	EXPECT(streq(sk_ns_type_name(SK_NS_NET), "network"));
	EXPECT(streq(sk_ns_type_name(SK_NS_MOUNT), "mount"));
	EXPECT(streq(sk_ns_type_name(SK_NS_TIME), "time"));
	EXPECT(sk_ns_type_name(SK_NS_TYPES) == NULL);
	EXPECT(streq(sk_hook_phase_name(SK_HOOK_PRESTART), "prestart"));
	EXPECT(streq(sk_hook_phase_name(SK_HOOK_CREATE_RUNTIME), "createRuntime"));
	EXPECT(streq(sk_hook_phase_name(SK_HOOK_POSTSTOP), "poststop"));
	EXPECT(sk_hook_phase_name(SK_HOOK_PHASES) == NULL);
	EXPECT(sk_config_ns(NULL, SK_NS_PID) == NULL);
	END("names");
}

/* state.json's "created": sk_format_utc against gmtime_r over 1900..2400,
 * a day and a bit at a time, and before 1970. */
static void test_format_utc(void)
{
	BEGIN();
	for (long long t = -2208988800LL; t < 13569465600LL && !why[0]; t += 86400 + 3671) {
		char want[64];
		struct tm tm;
		time_t tt = (time_t)t;
		_cleanup_free_ char *got = sk_format_utc(t, 123456789);

		gmtime_r(&tt, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.123456789Z", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (strcmp(got, want))
			snprintf(why, sizeof(why), "t=%lld: got %s, want %s", t, got, want);
	}
	{
		_cleanup_free_ char *a = sk_format_utc(0, 0), *b = sk_format_utc(951782400, 5),
				    *c = sk_format_utc(951782400, 120000000);

		/* Go's RFC3339Nano (runc's "created"): no trailing zeros */
		EXPECT(streq(a, "1970-01-01T00:00:00Z"));
		EXPECT(streq(b, "2000-02-29T00:00:00.000000005Z"));
		EXPECT(streq(c, "2000-02-29T00:00:00.12Z"));
	}
	END("state: created time in UTC (RFC 3339) equals gmtime_r's, 1900..2400");
}

int main(void)
{
	test_format_utc();
	test_cases();
	test_full_example();
	test_extras();
	test_errors();
	test_big_config();
	test_deep_nesting();
	test_json_tree();
	test_spec_output();
	test_features();
	test_state();
	test_load();
	test_names();
	return tap_done();
}
