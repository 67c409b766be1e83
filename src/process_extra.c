/* The less common process and linux attributes: personality, I/O
 * priority, scheduler, CPU affinity, NUMA memory policy, LSM labels. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/linux_api.h"
#include "skiff/util.h"

/* The values are checked (oci/validate.c) and are the kernel's. */
static int set_personality(const struct sk_linux *l, struct sk_error *err)
{
	if (!l->personality.present)
		return 0;
	if (personality(l->personality.domain) < 0)
		return sk_error_sys(err, "linux.personality %s",
				    sk_enum_name(&sk_enum_personality_domain, l->personality.domain));
	return 0;
}

static int set_io_priority(const struct sk_process *p, struct sk_error *err)
{
	if (!p->has_io_priority)
		return 0;
	if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0,
		    (int)((unsigned)p->io_priority_class << 13 | (unsigned)p->io_priority)) < 0)
		return sk_error_sys(err, "process.ioPriority");
	return 0;
}

struct sk_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;   /* SCHED_ATTR_SIZE_VER1 */
};

static int set_scheduler(const struct sk_scheduler *s, struct sk_error *err)
{
	struct sk_sched_attr a = { .size = sizeof(a) };
	const char *policy = sk_enum_name(&sk_enum_sched_policy, s->policy);

	if (!s->present)
		return 0;
	a.sched_policy = s->policy;
	a.sched_flags = s->flags;
	a.sched_nice = s->has_nice ? s->nice : 0;
	a.sched_priority = s->has_priority ? (uint32_t)s->priority : 0;
	a.sched_runtime = s->has_runtime ? s->runtime : 0;
	a.sched_deadline = s->has_deadline ? s->deadline : 0;
	a.sched_period = s->has_period ? s->period : 0;
	/* the spec carries no clamp values: with the UTIL_CLAMP flags,
	 * (u32)-1 resets the clamps to the system default */
	a.sched_util_min = a.sched_util_max = UINT32_MAX;
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0) {
		if (errno == EOPNOTSUPP && (a.sched_flags & SK_SCHED_FLAG_UTIL_CLAMP))
			return sk_error(err, EOPNOTSUPP, "process.scheduler.flags: utilization clamping "
					"(SCHED_FLAG_UTIL_CLAMP_*) is not supported by this kernel");
		if (errno == EPERM && (s->policy == SK_SCHED_FIFO || s->policy == SK_SCHED_RR))
			return sk_error_sys(err, "process.scheduler (%s; a realtime policy needs "
					    "CAP_SYS_NICE and, with RT group scheduling, "
					    "linux.resources.cpu.realtimeRuntime)", policy);
		return sk_error_sys(err, "process.scheduler (%s)", policy);
	}
	return 0;
}

static int set_affinity(const char *list, const char *field, struct sk_error *err)
{
	cpu_set_t set;

	if (!list)
		return 0;
	if (sk_id_list_parse(list, (unsigned long *)&set, sizeof(set) * 8) < 0)
		return sk_error(err, EINVAL, "%s: malformed CPU list \"%s\"", field, list);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return sk_error_sys(err, "%s \"%s\"", field, list);
	return 0;
}

static int set_memory_policy(const struct sk_linux *l, struct sk_error *err)
{
	unsigned long mask[SK_ID_LIST_BITS / (8 * sizeof(long))];
	const char *nodes = l->memory_policy.nodes;
	bool has_nodes = nodes && *nodes;

	if (!l->memory_policy.present)
		return 0;
	if (has_nodes && sk_id_list_parse(nodes, mask, sizeof(mask) * 8) < 0)
		return sk_error(err, EINVAL, "linux.memoryPolicy.nodes: malformed node list \"%s\"", nodes);
	if (syscall(SYS_set_mempolicy, l->memory_policy.mode | l->memory_policy.flags,
		    has_nodes ? mask : NULL, has_nodes ? sizeof(mask) * 8 : 0) < 0)
		return sk_error_sys(err, "linux.memoryPolicy (%s%s%s)",
				    sk_enum_name(&sk_enum_mpol_mode, l->memory_policy.mode),
				    has_nodes ? " nodes " : "", has_nodes ? nodes : "");
	return 0;
}

/* Write to a procfs file, making sure the write really goes to it
 * (CVE-2025-52881: a write redirected elsewhere must not pass): the file
 * must be on procfs and on the same mount as /proc itself, so neither a
 * file bound over it (from procfs or not) nor a symlink redirects it. */
int sk_proc_write(const char *file, const char *value, const char *field, struct sk_error *err)
{
	_cleanup_close_ int fd = open(file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	struct statx fx, px;
	struct statfs sfs;

	if (fd < 0)
		return sk_error_sys(err, "%s: open %s", field, file);
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return sk_error(err, EPERM, "%s: %s is not on procfs", field, file);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &fx) < 0 ||
	    statx(AT_FDCWD, "/proc", 0, STATX_MNT_ID, &px) < 0 ||
	    !(fx.stx_mask & STATX_MNT_ID) || !(px.stx_mask & STATX_MNT_ID))
		return sk_error_sys(err, "%s: statx %s", field, file);
	if (fx.stx_mnt_id != px.stx_mnt_id)
		return sk_error(err, EPERM, "%s: %s is mounted over (not /proc's own file)", field, file);
	if (sk_write_all(fd, value, strlen(value)) < 0)
		return sk_error_sys(err, "%s: write %s", field, file);
	return 0;
}

static bool apparmor_enabled(void)
{
	char b = 0;
	int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &b, 1) != 1)
		b = 0;
	close(fd);
	return b == 'Y';
}

static int set_labels(const struct sk_process *p, struct sk_error *err)
{
	if (p->apparmor_profile && *p->apparmor_profile) {
		_cleanup_free_ char *v = sk_xasprintf("exec %s", p->apparmor_profile);

		if (!apparmor_enabled())
			return sk_error(err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled on this host");
		if (sk_proc_write("/proc/thread-self/attr/apparmor/exec", v, "process.apparmorProfile", err) < 0)
			return -1;
	}
	if (p->selinux_label && *p->selinux_label) {
		if (access("/sys/fs/selinux/enforce", F_OK) < 0)
			return sk_error(err, ENOTSUP, "process.selinuxLabel: SELinux is not enabled on this host");
		if (sk_proc_write("/proc/thread-self/attr/exec", p->selinux_label, "process.selinuxLabel", err) < 0)
			return -1;
	}
	return 0;
}

/* Called in the init after the root filesystem is ready. */
int sk_process_set_extra(const struct sk_config *c, struct sk_error *err)
{
	const struct sk_process *p = &c->process;

	if (set_personality(&c->linux, err) < 0 ||
	    set_io_priority(p, err) < 0 ||
	    set_scheduler(&p->scheduler, err) < 0 ||
	    set_memory_policy(&c->linux, err) < 0 ||
	    set_affinity(p->exec_cpu_affinity_final ? p->exec_cpu_affinity_final
						    : p->exec_cpu_affinity_initial,
			 "process.execCPUAffinity", err) < 0 ||
	    set_labels(p, err) < 0)
		return -1;
	return 0;
}
