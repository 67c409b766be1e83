/* The name <-> value tables of the enumerated config fields: the one place
 * their names are written (include/skiff/enums.h says how they are used). */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "skiff/config.h"
#include "skiff/enums.h"
#include "skiff/util.h"

#define SK_ENUM(id, what_, ...)                                              \
	static const struct sk_enum_entry id##_v[] = { __VA_ARGS__ };       \
	const struct sk_enum sk_enum_##id = { what_, id##_v, SK_ARRAY_SIZE(id##_v) }
#define E(name, value) { #name, value }

SK_ENUM(ns_type, "namespace type",
	{ "pid", SK_NS_PID }, { "network", SK_NS_NET }, { "mount", SK_NS_MOUNT },
	{ "ipc", SK_NS_IPC }, { "uts", SK_NS_UTS }, { "user", SK_NS_USER },
	{ "cgroup", SK_NS_CGROUP }, { "time", SK_NS_TIME });

SK_ENUM(hook_phase, "hook",
	{ "prestart", SK_HOOK_PRESTART }, { "createRuntime", SK_HOOK_CREATE_RUNTIME },
	{ "createContainer", SK_HOOK_CREATE_CONTAINER },
	{ "startContainer", SK_HOOK_START_CONTAINER },
	{ "poststart", SK_HOOK_POSTSTART }, { "poststop", SK_HOOK_POSTSTOP });

SK_ENUM(ioprio_class, "class",
	E(IOPRIO_CLASS_RT, SK_IOPRIO_CLASS_RT), E(IOPRIO_CLASS_BE, SK_IOPRIO_CLASS_BE),
	E(IOPRIO_CLASS_IDLE, SK_IOPRIO_CLASS_IDLE));

SK_ENUM(sched_policy, "policy",
	E(SCHED_OTHER, SK_SCHED_OTHER), E(SCHED_FIFO, SK_SCHED_FIFO),
	E(SCHED_RR, SK_SCHED_RR), E(SCHED_BATCH, SK_SCHED_BATCH),
	E(SCHED_ISO, SK_SCHED_ISO), E(SCHED_IDLE, SK_SCHED_IDLE),
	E(SCHED_DEADLINE, SK_SCHED_DEADLINE));

SK_ENUM(sched_flag, "flag",
	E(SCHED_FLAG_RESET_ON_FORK, 0x01), E(SCHED_FLAG_RECLAIM, 0x02),
	E(SCHED_FLAG_DL_OVERRUN, 0x04), E(SCHED_FLAG_KEEP_POLICY, 0x08),
	E(SCHED_FLAG_KEEP_PARAMS, 0x10), E(SCHED_FLAG_UTIL_CLAMP_MIN, 0x20),
	E(SCHED_FLAG_UTIL_CLAMP_MAX, 0x40));

SK_ENUM(rlimit, "rlimit",
	E(RLIMIT_CPU, RLIMIT_CPU), E(RLIMIT_FSIZE, RLIMIT_FSIZE),
	E(RLIMIT_DATA, RLIMIT_DATA), E(RLIMIT_STACK, RLIMIT_STACK),
	E(RLIMIT_CORE, RLIMIT_CORE), E(RLIMIT_RSS, RLIMIT_RSS),
	E(RLIMIT_NPROC, RLIMIT_NPROC), E(RLIMIT_NOFILE, RLIMIT_NOFILE),
	E(RLIMIT_MEMLOCK, RLIMIT_MEMLOCK), E(RLIMIT_AS, RLIMIT_AS),
	E(RLIMIT_LOCKS, RLIMIT_LOCKS), E(RLIMIT_SIGPENDING, RLIMIT_SIGPENDING),
	E(RLIMIT_MSGQUEUE, RLIMIT_MSGQUEUE), E(RLIMIT_NICE, RLIMIT_NICE),
	E(RLIMIT_RTPRIO, RLIMIT_RTPRIO), E(RLIMIT_RTTIME, RLIMIT_RTTIME));

SK_ENUM(scmp_action, "action",
	E(SCMP_ACT_KILL, SK_SCMP_ACT_KILL), E(SCMP_ACT_KILL_PROCESS, SK_SCMP_ACT_KILL_PROCESS),
	E(SCMP_ACT_KILL_THREAD, SK_SCMP_ACT_KILL_THREAD), E(SCMP_ACT_TRAP, SK_SCMP_ACT_TRAP),
	E(SCMP_ACT_ERRNO, SK_SCMP_ACT_ERRNO), E(SCMP_ACT_TRACE, SK_SCMP_ACT_TRACE),
	E(SCMP_ACT_ALLOW, SK_SCMP_ACT_ALLOW), E(SCMP_ACT_LOG, SK_SCMP_ACT_LOG),
	E(SCMP_ACT_NOTIFY, SK_SCMP_ACT_NOTIFY));

SK_ENUM(scmp_arch, "architecture",
	E(SCMP_ARCH_X86, SK_SCMP_ARCH_X86), E(SCMP_ARCH_X86_64, SK_SCMP_ARCH_X86_64),
	E(SCMP_ARCH_X32, SK_SCMP_ARCH_X32), E(SCMP_ARCH_ARM, SK_SCMP_ARCH_ARM),
	E(SCMP_ARCH_AARCH64, SK_SCMP_ARCH_AARCH64),
	E(SCMP_ARCH_LOONGARCH64, SK_SCMP_ARCH_LOONGARCH64),
	E(SCMP_ARCH_M68K, SK_SCMP_ARCH_M68K), E(SCMP_ARCH_MIPS, SK_SCMP_ARCH_MIPS),
	E(SCMP_ARCH_MIPS64, SK_SCMP_ARCH_MIPS64), E(SCMP_ARCH_MIPS64N32, SK_SCMP_ARCH_MIPS64N32),
	E(SCMP_ARCH_MIPSEL, SK_SCMP_ARCH_MIPSEL), E(SCMP_ARCH_MIPSEL64, SK_SCMP_ARCH_MIPSEL64),
	E(SCMP_ARCH_MIPSEL64N32, SK_SCMP_ARCH_MIPSEL64N32), E(SCMP_ARCH_PPC, SK_SCMP_ARCH_PPC),
	E(SCMP_ARCH_PPC64, SK_SCMP_ARCH_PPC64), E(SCMP_ARCH_PPC64LE, SK_SCMP_ARCH_PPC64LE),
	E(SCMP_ARCH_S390, SK_SCMP_ARCH_S390), E(SCMP_ARCH_S390X, SK_SCMP_ARCH_S390X),
	E(SCMP_ARCH_SH, SK_SCMP_ARCH_SH), E(SCMP_ARCH_SHEB, SK_SCMP_ARCH_SHEB),
	E(SCMP_ARCH_PARISC, SK_SCMP_ARCH_PARISC), E(SCMP_ARCH_PARISC64, SK_SCMP_ARCH_PARISC64),
	E(SCMP_ARCH_RISCV64, SK_SCMP_ARCH_RISCV64));

SK_ENUM(scmp_op, "operator",
	E(SCMP_CMP_NE, SK_SCMP_CMP_NE), E(SCMP_CMP_LT, SK_SCMP_CMP_LT),
	E(SCMP_CMP_LE, SK_SCMP_CMP_LE), E(SCMP_CMP_EQ, SK_SCMP_CMP_EQ),
	E(SCMP_CMP_GE, SK_SCMP_CMP_GE), E(SCMP_CMP_GT, SK_SCMP_CMP_GT),
	E(SCMP_CMP_MASKED_EQ, SK_SCMP_CMP_MASKED_EQ));

/* the kernel's SECCOMP_FILTER_FLAG_* bits (ABI) */
SK_ENUM(scmp_flag, "flag",
	E(SECCOMP_FILTER_FLAG_TSYNC, 1ul << 0), E(SECCOMP_FILTER_FLAG_LOG, 1ul << 1),
	E(SECCOMP_FILTER_FLAG_SPEC_ALLOW, 1ul << 2),
	E(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 1ul << 5));

SK_ENUM(personality_domain, "domain",
	E(LINUX, SK_PER_LINUX), E(LINUX32, SK_PER_LINUX32));

SK_ENUM(mpol_mode, "mode",
	E(MPOL_DEFAULT, SK_MPOL_DEFAULT), E(MPOL_BIND, SK_MPOL_BIND),
	E(MPOL_INTERLEAVE, SK_MPOL_INTERLEAVE),
	E(MPOL_WEIGHTED_INTERLEAVE, SK_MPOL_WEIGHTED_INTERLEAVE),
	E(MPOL_PREFERRED, SK_MPOL_PREFERRED), E(MPOL_PREFERRED_MANY, SK_MPOL_PREFERRED_MANY),
	E(MPOL_LOCAL, SK_MPOL_LOCAL));

SK_ENUM(mpol_flag, "flag",
	E(MPOL_F_NUMA_BALANCING, 1ul << 13), E(MPOL_F_RELATIVE_NODES, 1ul << 14),
	E(MPOL_F_STATIC_NODES, 1ul << 15));

/* Schema enum plus the recursive forms engines write (containerd "rshared"). */
SK_ENUM(propagation, "propagation",
	{ "private", MS_PRIVATE }, { "shared", MS_SHARED }, { "slave", MS_SLAVE },
	{ "unbindable", MS_UNBINDABLE }, { "rprivate", MS_REC | MS_PRIVATE },
	{ "rshared", MS_REC | MS_SHARED }, { "rslave", MS_REC | MS_SLAVE },
	{ "runbindable", MS_REC | MS_UNBINDABLE });

SK_ENUM(dev_type, "device type",
	{ "c", SK_DEV_CHAR }, { "b", SK_DEV_BLOCK }, { "u", SK_DEV_UNBUF }, { "p", SK_DEV_FIFO });

bool sk_enum_value(const struct sk_enum *e, const char *name, unsigned long *out)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].name, name)) {
			*out = e->v[i].value;
			return true;
		}
	return false;
}

const char *sk_enum_name(const struct sk_enum *e, unsigned long value)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].value == value)
			return e->v[i].name;
	return "?";
}

const char *sk_enum_flag_names(const struct sk_enum *e, unsigned long set, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < e->n && len < size; i++)
		if (set & e->v[i].value)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "|" : "",
						e->v[i].name);
	return buf;
}
