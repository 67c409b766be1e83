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

struct name_val { const char *name; unsigned long val; };

static int lookup(const struct name_val *t, size_t n, const char *name, unsigned long *out)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name)) {
			*out = t[i].val;
			return 0;
		}
	return -1;
}

static int set_personality(const struct sk_linux *l, struct sk_error *err)
{
	unsigned long dom;

	if (!l->personality.present)
		return 0;
	if (!strcmp(l->personality.domain, "LINUX"))
		dom = PER_LINUX;
	else if (!strcmp(l->personality.domain, "LINUX32"))
		dom = PER_LINUX32;
	else
		return sk_error(err, EINVAL, "linux.personality.domain: unknown domain \"%s\"",
				l->personality.domain);
	if (l->personality.n_flags)
		return sk_error(err, EINVAL, "linux.personality.flags: unknown flag \"%s\" (the spec defines none)",
				l->personality.flags[0]);
	if (personality(dom) < 0)
		return sk_error_sys(err, "linux.personality %s", l->personality.domain);
	return 0;
}

static int set_io_priority(const struct sk_process *p, struct sk_error *err)
{
	static const struct name_val classes[] = {
		{ "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
	};
	unsigned long cls;

	if (!p->has_io_priority)
		return 0;
	if (lookup(classes, SK_ARRAY_SIZE(classes), p->io_priority_class, &cls) < 0)
		return sk_error(err, EINVAL, "process.ioPriority.class: unknown class \"%s\"",
				p->io_priority_class);
	if (p->io_priority < 0 || p->io_priority > 7)
		return sk_error(err, EINVAL, "process.ioPriority.priority: %d is not in 0..7", p->io_priority);
	if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0,
		    (int)(cls << 13 | (unsigned long)p->io_priority)) < 0)
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
	static const struct name_val policies[] = {
		{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 }, { "SCHED_BATCH", 3 },
		{ "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
	};
	static const struct name_val flags[] = {
		{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
		{ "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
		{ "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
		{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
	};
	struct sk_sched_attr a = { .size = sizeof(a) };
	unsigned long v;

	if (!s->present)
		return 0;
	if (!strcmp(s->policy, "SCHED_ISO"))
		return sk_error(err, EINVAL, "process.scheduler.policy: SCHED_ISO is not implemented by Linux");
	if (lookup(policies, SK_ARRAY_SIZE(policies), s->policy, &v) < 0)
		return sk_error(err, EINVAL, "process.scheduler.policy: unknown policy \"%s\"", s->policy);
	a.sched_policy = (uint32_t)v;
	for (size_t i = 0; i < s->n_flags; i++) {
		if (lookup(flags, SK_ARRAY_SIZE(flags), s->flags[i], &v) < 0)
			return sk_error(err, EINVAL, "process.scheduler.flags[%zu]: unknown flag \"%s\"",
					i, s->flags[i]);
		a.sched_flags |= v;
	}
	a.sched_nice = s->has_nice ? s->nice : 0;
	a.sched_priority = s->has_priority ? (uint32_t)s->priority : 0;
	a.sched_runtime = s->has_runtime ? s->runtime : 0;
	a.sched_deadline = s->has_deadline ? s->deadline : 0;
	a.sched_period = s->has_period ? s->period : 0;
	/* the spec carries no clamp values: with the UTIL_CLAMP flags,
	 * (u32)-1 resets the clamps to the system default */
	a.sched_util_min = a.sched_util_max = UINT32_MAX;
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0) {
		if (errno == EOPNOTSUPP && (a.sched_flags & 0x60))
			return sk_error(err, EOPNOTSUPP, "process.scheduler.flags: utilization clamping "
					"(SCHED_FLAG_UTIL_CLAMP_*) is not supported by this kernel");
		if (errno == EPERM && (a.sched_policy == 1 || a.sched_policy == 2))
			return sk_error_sys(err, "process.scheduler (%s; a realtime policy needs "
					    "CAP_SYS_NICE and, with RT group scheduling, "
					    "linux.resources.cpu.realtimeRuntime)", s->policy);
		return sk_error_sys(err, "process.scheduler (%s)", s->policy);
	}
	return 0;
}

/* "0-3,7" -> bits.  Returns -1 on a malformed list. */
static int parse_list(const char *s, unsigned long *mask, size_t nbits)
{
	const char *p = s;

	memset(mask, 0, nbits / 8);
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			return -1;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (end == p + 1)
				return -1;
			p = end;
		}
		if (a > b || b >= nbits)
			return -1;
		for (unsigned long i = a; i <= b; i++)
			mask[i / (8 * sizeof(long))] |= 1UL << (i % (8 * sizeof(long)));
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

static int set_affinity(const char *list, const char *field, struct sk_error *err)
{
	cpu_set_t set;

	if (!list)
		return 0;
	if (parse_list(list, (unsigned long *)&set, sizeof(set) * 8) < 0)
		return sk_error(err, EINVAL, "%s: malformed CPU list \"%s\"", field, list);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return sk_error_sys(err, "%s \"%s\"", field, list);
	return 0;
}

static int set_memory_policy(const struct sk_linux *l, struct sk_error *err)
{
	static const struct name_val modes[] = {
		{ "MPOL_DEFAULT", 0 }, { "MPOL_PREFERRED", 1 }, { "MPOL_BIND", 2 },
		{ "MPOL_INTERLEAVE", 3 }, { "MPOL_LOCAL", 4 }, { "MPOL_PREFERRED_MANY", 5 },
		{ "MPOL_WEIGHTED_INTERLEAVE", 6 },
	};
	static const struct name_val flags[] = {
		{ "MPOL_F_NUMA_BALANCING", 1 << 13 }, { "MPOL_F_RELATIVE_NODES", 1 << 14 },
		{ "MPOL_F_STATIC_NODES", 1 << 15 },
	};
	unsigned long mode, f, mask[1024 / (8 * sizeof(long))];
	bool has_nodes;

	if (!l->memory_policy.present)
		return 0;
	if (lookup(modes, SK_ARRAY_SIZE(modes), l->memory_policy.mode, &mode) < 0)
		return sk_error(err, EINVAL, "linux.memoryPolicy.mode: unknown mode \"%s\"", l->memory_policy.mode);
	for (size_t i = 0; i < l->memory_policy.n_flags; i++) {
		if (lookup(flags, SK_ARRAY_SIZE(flags), l->memory_policy.flags[i], &f) < 0)
			return sk_error(err, EINVAL, "linux.memoryPolicy.flags[%zu]: unknown flag \"%s\"",
					i, l->memory_policy.flags[i]);
		mode |= f;
	}
	has_nodes = l->memory_policy.nodes && *l->memory_policy.nodes;
	if (has_nodes && parse_list(l->memory_policy.nodes, mask, sizeof(mask) * 8) < 0)
		return sk_error(err, EINVAL, "linux.memoryPolicy.nodes: malformed node list \"%s\"",
				l->memory_policy.nodes);
	if (syscall(SYS_set_mempolicy, mode, has_nodes ? mask : NULL,
		    has_nodes ? sizeof(mask) * 8 : 0) < 0)
		return sk_error_sys(err, "linux.memoryPolicy (%s%s%s)", l->memory_policy.mode,
				    has_nodes ? " nodes " : "", has_nodes ? l->memory_policy.nodes : "");
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
