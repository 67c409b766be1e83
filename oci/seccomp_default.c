/* The linux.seccomp object `skiff spec` writes: an allow-list comparable
 * to Docker's and Podman's default profiles for a container with the
 * default capabilities (CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE;
 * the syscalls those profiles add only for CAP_SYS_ADMIN, CAP_SYS_PTRACE
 * ... are left out).  Anything else fails with EPERM; clone3 fails with
 * ENOSYS so that libcs fall back to clone, whose namespace flags are
 * filtered.  Names this libseccomp does not know are skipped when the
 * profile is compiled, so one list serves every architecture. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "skiff/oci.h"
#include "skiff/util.h"

static const char *const allowed[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk",
	"cachestat", "capget", "capset", "chdir", "chmod", "chown", "chown32",
	"clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
	"clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
	"close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2",
	"dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
	"epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd",
	"eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
	"faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
	"fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
	"fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
	"fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
	"fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue",
	"futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat",
	"getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
	"geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
	"getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid",
	"getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
	"getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid",
	"getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
	"getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
	"inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy",
	"io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
	"ioprio_set", "io_setup", "io_submit", "ipc", "kill",
	"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
	"lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr",
	"llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat",
	"lstat64", "madvise", "map_shadow_stack", "membarrier", "memfd_create",
	"memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
	"mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr",
	"mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
	"mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl",
	"msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
	"name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
	"openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
	"pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
	"ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
	"process_mrelease", "process_vm_readv", "process_vm_writev", "pselect6",
	"pselect6_time64", "ptrace", "pwrite64", "pwritev", "pwritev2", "read",
	"readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom",
	"recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
	"rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq",
	"rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
	"rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
	"sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
	"seccomp", "select", "semctl", "semget", "semop", "semtimedop",
	"semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
	"sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid",
	"setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
	"setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
	"setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
	"setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
	"setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
	"sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn",
	"socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64",
	"statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
	"sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
	"timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
	"timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
	"truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime",
	"utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4",
	"waitid", "waitpid", "write", "writev",
#if defined(__x86_64__) || defined(__i386__)
	"arch_prctl", "modify_ldt",
#endif
#if defined(__aarch64__) || defined(__arm__)
	"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
	"cacheflush", "set_tls",
#endif
#if defined(__powerpc64__)
	"sync_file_range2", "swapcontext",
#endif
#if defined(__s390x__)
	"s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr",
#endif
#if defined(__riscv)
	"riscv_flush_icache",
#endif
	NULL
};

static const char *const arches[] = {
#if defined(__x86_64__)
	"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
#elif defined(__i386__)
	"SCMP_ARCH_X86",
#elif defined(__aarch64__)
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
#elif defined(__arm__)
	"SCMP_ARCH_ARM",
#elif defined(__s390x__)
	"SCMP_ARCH_S390X", "SCMP_ARCH_S390",
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	"SCMP_ARCH_PPC64LE",
#elif defined(__riscv) && __riscv_xlen == 64
	"SCMP_ARCH_RISCV64",
#endif
	NULL
};

/* personality(2) values a container may set: PER_LINUX, PER_LINUX32,
 * UNAME26, UNAME26|PER_LINUX32, and 0xffffffff (query). */
static const uint64_t personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* clone(2) flags that make namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|
 * NEWIPC|NEWUSER|NEWPID|NEWNET): refused without CAP_SYS_ADMIN. */
#define CLONE_NS_FLAGS 0x7E020000ULL
#define AF_VSOCK_NR 40

#define STR(g, s) yajl_gen_string((g), (const unsigned char *)(s), strlen(s))

static void num(yajl_gen g, const char *key, uint64_t v)
{
	char buf[24];

	STR(g, key);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	yajl_gen_number(g, buf, strlen(buf));
}

/* {"names":[name], "action":action, "args":[{index, value, op}]} */
static void rule(yajl_gen g, const char *name, const char *action, int index, uint64_t value,
		 const char *op)
{
	yajl_gen_map_open(g);
	STR(g, "names");
	yajl_gen_array_open(g);
	STR(g, name);
	yajl_gen_array_close(g);
	STR(g, "action");
	STR(g, action);
	if (op) {
		STR(g, "args");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		num(g, "index", (uint64_t)index);
		num(g, "value", value);
		STR(g, "op");
		STR(g, op);
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

void sk_spec_default_seccomp(void *gen)
{
	yajl_gen g = gen;
	const char *const *p;

	STR(g, "seccomp");
	yajl_gen_map_open(g);
	STR(g, "defaultAction");
	STR(g, "SCMP_ACT_ERRNO");
	num(g, "defaultErrnoRet", 1);               /* EPERM */
	STR(g, "architectures");
	yajl_gen_array_open(g);
	for (p = arches; *p; p++)
		STR(g, *p);
	yajl_gen_array_close(g);
	STR(g, "syscalls");
	yajl_gen_array_open(g);

	yajl_gen_map_open(g);
	STR(g, "names");
	yajl_gen_array_open(g);
	for (p = allowed; *p; p++)
		STR(g, *p);
	yajl_gen_array_close(g);
	STR(g, "action");
	STR(g, "SCMP_ACT_ALLOW");
	yajl_gen_map_close(g);

	/* every socket family but AF_VSOCK (host communication) */
	rule(g, "socket", "SCMP_ACT_ALLOW", 0, AF_VSOCK_NR, "SCMP_CMP_NE");
	for (size_t i = 0; i < SK_ARRAY_SIZE(personalities); i++)
		rule(g, "personality", "SCMP_ACT_ALLOW", 0, personalities[i], "SCMP_CMP_EQ");
	/* clone without namespace flags: (flags & CLONE_NS_FLAGS) == 0
	 * (the flags are argument 1 on s390) */
#if defined(__s390x__)
	rule(g, "clone", "SCMP_ACT_ALLOW", 1, CLONE_NS_FLAGS, "SCMP_CMP_MASKED_EQ");
#else
	rule(g, "clone", "SCMP_ACT_ALLOW", 0, CLONE_NS_FLAGS, "SCMP_CMP_MASKED_EQ");
#endif
	/* clone3's flags are in memory, out of seccomp's reach: ENOSYS makes
	 * the libc fall back to clone. */
	yajl_gen_map_open(g);
	STR(g, "names");
	yajl_gen_array_open(g);
	STR(g, "clone3");
	yajl_gen_array_close(g);
	STR(g, "action");
	STR(g, "SCMP_ACT_ERRNO");
	num(g, "errnoRet", 38);                     /* ENOSYS */
	yajl_gen_map_close(g);

	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}
