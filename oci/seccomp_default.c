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

/* one string of NUL-terminated names (an empty one ends it): no pointers,
 * so no relocations in a position-independent skiff */
static const char allowed[] =
	"accept\0" "accept4\0" "access\0" "adjtimex\0" "alarm\0" "bind\0" "brk\0"
	"cachestat\0" "capget\0" "capset\0" "chdir\0" "chmod\0" "chown\0" "chown32\0"
	"clock_adjtime\0" "clock_adjtime64\0" "clock_getres\0" "clock_getres_time64\0"
	"clock_gettime\0" "clock_gettime64\0" "clock_nanosleep\0" "clock_nanosleep_time64\0"
	"close\0" "close_range\0" "connect\0" "copy_file_range\0" "creat\0" "dup\0" "dup2\0"
	"dup3\0" "epoll_create\0" "epoll_create1\0" "epoll_ctl\0" "epoll_ctl_old\0"
	"epoll_pwait\0" "epoll_pwait2\0" "epoll_wait\0" "epoll_wait_old\0" "eventfd\0"
	"eventfd2\0" "execve\0" "execveat\0" "exit\0" "exit_group\0" "faccessat\0"
	"faccessat2\0" "fadvise64\0" "fadvise64_64\0" "fallocate\0" "fanotify_mark\0"
	"fchdir\0" "fchmod\0" "fchmodat\0" "fchmodat2\0" "fchown\0" "fchown32\0" "fchownat\0"
	"fcntl\0" "fcntl64\0" "fdatasync\0" "fgetxattr\0" "flistxattr\0" "flock\0" "fork\0"
	"fremovexattr\0" "fsetxattr\0" "fstat\0" "fstat64\0" "fstatat64\0" "fstatfs\0"
	"fstatfs64\0" "fsync\0" "ftruncate\0" "ftruncate64\0" "futex\0" "futex_requeue\0"
	"futex_time64\0" "futex_wait\0" "futex_waitv\0" "futex_wake\0" "futimesat\0"
	"getcpu\0" "getcwd\0" "getdents\0" "getdents64\0" "getegid\0" "getegid32\0"
	"geteuid\0" "geteuid32\0" "getgid\0" "getgid32\0" "getgroups\0" "getgroups32\0"
	"getitimer\0" "getpeername\0" "getpgid\0" "getpgrp\0" "getpid\0" "getppid\0"
	"getpriority\0" "getrandom\0" "getresgid\0" "getresgid32\0" "getresuid\0"
	"getresuid32\0" "getrlimit\0" "get_robust_list\0" "getrusage\0" "getsid\0"
	"getsockname\0" "getsockopt\0" "get_thread_area\0" "gettid\0" "gettimeofday\0"
	"getuid\0" "getuid32\0" "getxattr\0" "inotify_add_watch\0" "inotify_init\0"
	"inotify_init1\0" "inotify_rm_watch\0" "io_cancel\0" "ioctl\0" "io_destroy\0"
	"io_getevents\0" "io_pgetevents\0" "io_pgetevents_time64\0" "ioprio_get\0"
	"ioprio_set\0" "io_setup\0" "io_submit\0" "ipc\0" "kill\0"
	"landlock_add_rule\0" "landlock_create_ruleset\0" "landlock_restrict_self\0"
	"lchown\0" "lchown32\0" "lgetxattr\0" "link\0" "linkat\0" "listen\0" "listxattr\0"
	"llistxattr\0" "_llseek\0" "lremovexattr\0" "lseek\0" "lsetxattr\0" "lstat\0"
	"lstat64\0" "madvise\0" "map_shadow_stack\0" "membarrier\0" "memfd_create\0"
	"memfd_secret\0" "mincore\0" "mkdir\0" "mkdirat\0" "mknod\0" "mknodat\0" "mlock\0"
	"mlock2\0" "mlockall\0" "mmap\0" "mmap2\0" "mprotect\0" "mq_getsetattr\0"
	"mq_notify\0" "mq_open\0" "mq_timedreceive\0" "mq_timedreceive_time64\0"
	"mq_timedsend\0" "mq_timedsend_time64\0" "mq_unlink\0" "mremap\0" "msgctl\0"
	"msgget\0" "msgrcv\0" "msgsnd\0" "msync\0" "munlock\0" "munlockall\0" "munmap\0"
	"name_to_handle_at\0" "nanosleep\0" "newfstatat\0" "_newselect\0" "open\0"
	"openat\0" "openat2\0" "pause\0" "pidfd_open\0" "pidfd_send_signal\0" "pipe\0"
	"pipe2\0" "pkey_alloc\0" "pkey_free\0" "pkey_mprotect\0" "poll\0" "ppoll\0"
	"ppoll_time64\0" "prctl\0" "pread64\0" "preadv\0" "preadv2\0" "prlimit64\0"
	"process_mrelease\0" "process_vm_readv\0" "process_vm_writev\0" "pselect6\0"
	"pselect6_time64\0" "ptrace\0" "pwrite64\0" "pwritev\0" "pwritev2\0" "read\0"
	"readahead\0" "readlink\0" "readlinkat\0" "readv\0" "recv\0" "recvfrom\0"
	"recvmmsg\0" "recvmmsg_time64\0" "recvmsg\0" "remap_file_pages\0" "removexattr\0"
	"rename\0" "renameat\0" "renameat2\0" "restart_syscall\0" "rmdir\0" "rseq\0"
	"rt_sigaction\0" "rt_sigpending\0" "rt_sigprocmask\0" "rt_sigqueueinfo\0"
	"rt_sigreturn\0" "rt_sigsuspend\0" "rt_sigtimedwait\0" "rt_sigtimedwait_time64\0"
	"rt_tgsigqueueinfo\0" "sched_getaffinity\0" "sched_getattr\0" "sched_getparam\0"
	"sched_get_priority_max\0" "sched_get_priority_min\0" "sched_getscheduler\0"
	"sched_rr_get_interval\0" "sched_rr_get_interval_time64\0" "sched_setaffinity\0"
	"sched_setattr\0" "sched_setparam\0" "sched_setscheduler\0" "sched_yield\0"
	"seccomp\0" "select\0" "semctl\0" "semget\0" "semop\0" "semtimedop\0"
	"semtimedop_time64\0" "send\0" "sendfile\0" "sendfile64\0" "sendmmsg\0" "sendmsg\0"
	"sendto\0" "setfsgid\0" "setfsgid32\0" "setfsuid\0" "setfsuid32\0" "setgid\0"
	"setgid32\0" "setgroups\0" "setgroups32\0" "setitimer\0" "setpgid\0" "setpriority\0"
	"setregid\0" "setregid32\0" "setresgid\0" "setresgid32\0" "setresuid\0"
	"setresuid32\0" "setreuid\0" "setreuid32\0" "setrlimit\0" "set_robust_list\0"
	"setsid\0" "setsockopt\0" "set_thread_area\0" "set_tid_address\0" "setuid\0"
	"setuid32\0" "setxattr\0" "shmat\0" "shmctl\0" "shmdt\0" "shmget\0" "shutdown\0"
	"sigaltstack\0" "signalfd\0" "signalfd4\0" "sigprocmask\0" "sigreturn\0"
	"socketcall\0" "socketpair\0" "splice\0" "stat\0" "stat64\0" "statfs\0" "statfs64\0"
	"statx\0" "symlink\0" "symlinkat\0" "sync\0" "sync_file_range\0" "syncfs\0"
	"sysinfo\0" "tee\0" "tgkill\0" "time\0" "timer_create\0" "timer_delete\0"
	"timer_getoverrun\0" "timer_gettime\0" "timer_gettime64\0" "timer_settime\0"
	"timer_settime64\0" "timerfd_create\0" "timerfd_gettime\0" "timerfd_gettime64\0"
	"timerfd_settime\0" "timerfd_settime64\0" "times\0" "tkill\0" "truncate\0"
	"truncate64\0" "ugetrlimit\0" "umask\0" "uname\0" "unlink\0" "unlinkat\0" "utime\0"
	"utimensat\0" "utimensat_time64\0" "utimes\0" "vfork\0" "vmsplice\0" "wait4\0"
	"waitid\0" "waitpid\0" "write\0" "writev\0"
#if defined(__x86_64__) || defined(__i386__)
	"arch_prctl\0" "modify_ldt\0"
#endif
#if defined(__aarch64__) || defined(__arm__)
	"arm_fadvise64_64\0" "arm_sync_file_range\0" "sync_file_range2\0" "breakpoint\0"
	"cacheflush\0" "set_tls\0"
#endif
#if defined(__powerpc64__)
	"sync_file_range2\0" "swapcontext\0"
#endif
#if defined(__s390x__)
	"s390_pci_mmio_read\0" "s390_pci_mmio_write\0" "s390_runtime_instr\0"
#endif
#if defined(__riscv)
	"riscv_flush_icache\0"
#endif
	"";

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
	for (const char *a = allowed; *a; a += strlen(a) + 1)
		STR(g, a);
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
