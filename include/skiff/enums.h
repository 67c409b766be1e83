/* The enumerated fields of config.json, typed.
 *
 * Each enumerated field has a C enum (or a flag set) below and ONE
 * name <-> value table in oci/enums.c.  The same table serves the parser
 * (which stores the value, never the string), `skiff features` (which
 * lists its names) and error messages (sk_enum_name()); the code that
 * applies a field uses the value as it is, with no second lookup.
 * Values are the kernel's (or libseccomp's) where there is one.
 *
 * Adding an enumerated field: 4 edit sites in 4 files, plus tests (it was
 * 6 in 3); docs/config-enums.md has the steps:
 *   1. here: its enum and `extern const struct sk_enum sk_enum_x;`
 *   2. oci/enums.c: its table (SK_ENUM(x, ...))
 *   3. skiff/config.h: the struct member, typed by the enum
 *   4. the parser (oci/config*.c): one sk_j_enum*() call
 * plus, when they apply, a check in oci/validate.c and one knames() line
 * in oci/features.c.  The code applying the value is the field's own. */
#ifndef SKIFF_ENUMS_H
#define SKIFF_ENUMS_H

#include <stdbool.h>
#include <stddef.h>

struct sk_enum_entry { const char *name; unsigned long value; };
struct sk_enum {
	const char *what;                       /* "policy": for messages */
	const struct sk_enum_entry *v;
	size_t n;
};

/* name -> value: false when the name is not in the table. */
bool sk_enum_value(const struct sk_enum *e, const char *name, unsigned long *out);
/* value -> name (the first with that value), "?" when none. */
const char *sk_enum_name(const struct sk_enum *e, unsigned long value);
/* A flag set -> "A|B" in buf ("" for none). */
const char *sk_enum_flag_names(const struct sk_enum *e, unsigned long set, char *buf, size_t size);

/* process.ioPriority.class (IOPRIO_CLASS_*) */
enum sk_ioprio_class { SK_IOPRIO_CLASS_RT = 1, SK_IOPRIO_CLASS_BE = 2, SK_IOPRIO_CLASS_IDLE = 3 };
/* process.scheduler.policy (SCHED_*); SCHED_ISO is in the spec, not in Linux */
enum sk_sched_policy {
	SK_SCHED_OTHER = 0, SK_SCHED_FIFO = 1, SK_SCHED_RR = 2, SK_SCHED_BATCH = 3,
	SK_SCHED_ISO = 4, SK_SCHED_IDLE = 5, SK_SCHED_DEADLINE = 6
};
/* process.scheduler.flags: a set of SCHED_FLAG_* bits */
#define SK_SCHED_FLAG_UTIL_CLAMP (0x20ul | 0x40ul)
/* process.rlimits[].type: the RLIMIT_* resource numbers (<sys/resource.h>) */

/* linux.seccomp.defaultAction and syscalls[].action */
enum sk_scmp_action {
	SK_SCMP_ACT_KILL, SK_SCMP_ACT_KILL_PROCESS, SK_SCMP_ACT_KILL_THREAD,
	SK_SCMP_ACT_TRAP, SK_SCMP_ACT_ERRNO, SK_SCMP_ACT_TRACE, SK_SCMP_ACT_ALLOW,
	SK_SCMP_ACT_LOG, SK_SCMP_ACT_NOTIFY, SK_SCMP_ACTIONS
};
/* linux.seccomp.architectures[] */
enum sk_scmp_arch {
	SK_SCMP_ARCH_X86, SK_SCMP_ARCH_X86_64, SK_SCMP_ARCH_X32, SK_SCMP_ARCH_ARM,
	SK_SCMP_ARCH_AARCH64, SK_SCMP_ARCH_LOONGARCH64, SK_SCMP_ARCH_M68K,
	SK_SCMP_ARCH_MIPS, SK_SCMP_ARCH_MIPS64, SK_SCMP_ARCH_MIPS64N32,
	SK_SCMP_ARCH_MIPSEL, SK_SCMP_ARCH_MIPSEL64, SK_SCMP_ARCH_MIPSEL64N32,
	SK_SCMP_ARCH_PPC, SK_SCMP_ARCH_PPC64, SK_SCMP_ARCH_PPC64LE, SK_SCMP_ARCH_S390,
	SK_SCMP_ARCH_S390X, SK_SCMP_ARCH_SH, SK_SCMP_ARCH_SHEB, SK_SCMP_ARCH_PARISC,
	SK_SCMP_ARCH_PARISC64, SK_SCMP_ARCH_RISCV64, SK_SCMP_ARCHES
};
/* linux.seccomp.syscalls[].args[].op: libseccomp's enum scmp_compare */
enum sk_scmp_op {
	SK_SCMP_CMP_NE = 1, SK_SCMP_CMP_LT, SK_SCMP_CMP_LE, SK_SCMP_CMP_EQ,
	SK_SCMP_CMP_GE, SK_SCMP_CMP_GT, SK_SCMP_CMP_MASKED_EQ
};
/* linux.seccomp.flags: a set of SECCOMP_FILTER_FLAG_* bits */

/* linux.personality.domain (PER_*) */
enum sk_personality_domain { SK_PER_LINUX = 0x0000, SK_PER_LINUX32 = 0x0008 };
/* linux.memoryPolicy.mode (MPOL_*); flags: a set of MPOL_F_* bits */
enum sk_mpol_mode {
	SK_MPOL_DEFAULT, SK_MPOL_PREFERRED, SK_MPOL_BIND, SK_MPOL_INTERLEAVE,
	SK_MPOL_LOCAL, SK_MPOL_PREFERRED_MANY, SK_MPOL_WEIGHTED_INTERLEAVE
};
/* linux.rootfsPropagation: MS_* propagation flags (0: not given) */
/* linux.devices[].type */
enum sk_dev_type { SK_DEV_CHAR = 'c', SK_DEV_BLOCK = 'b', SK_DEV_UNBUF = 'u', SK_DEV_FIFO = 'p' };

extern const struct sk_enum sk_enum_ns_type, sk_enum_hook_phase,
	sk_enum_ioprio_class, sk_enum_sched_policy, sk_enum_sched_flag, sk_enum_rlimit,
	sk_enum_scmp_action, sk_enum_scmp_arch, sk_enum_scmp_op, sk_enum_scmp_flag,
	sk_enum_personality_domain, sk_enum_mpol_mode, sk_enum_mpol_flag,
	sk_enum_propagation, sk_enum_dev_type;

#endif
