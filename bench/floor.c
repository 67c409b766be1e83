/* floor: the least a container runtime must do to run a process, and nothing else.
 *
 *   floor [-c] ROOTFS [PROG [ARGS...]]      (PROG defaults to /bin/true)
 *   floor-cfg ROOTFS [PROG [ARGS...]]       (a copy named so: as with -c)
 *
 * clone() with the namespaces of the default `runc spec` config (mount, pid, ipc,
 * uts, net), make / recursively slave, bind the rootfs on itself, pivot_root into it,
 * detach the old root and exec the program; the parent waits and exits with the
 * child's status.  No config parsing, no cgroups, no /proc, /dev or other mounts, no
 * capabilities or seccomp: it is the yardstick the benchmark divides by.
 *
 * With -c, or named floor-cfg (as the reports call it), it also does, with the fewest system calls
 * it can and no checks, the kernel work the default `runc spec` config asks for:
 * a cgroup made beforehand, entered by clone3 and removed after, and a cgroup
 * namespace; its seven mounts
 * (proc, /dev tmpfs, devpts, shm, mqueue, sysfs, cgroup2); the six device nodes
 * and five /dev symlinks; the masked and read-only paths; the read-only root; the
 * hostname; the bounding set, capabilities, groups, ids, RLIMIT_NOFILE and
 * no_new_privs.  It is what is left of a runtime once the runtime is taken away:
 * no config file, no state, no handshake, no error handling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* from <linux/sched.h> and <linux/capability.h>, which musl-gcc does not see */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		set_tid, set_tid_size, cgroup;
};
#define CLONE_INTO_CGROUP 0x200000000ULL
#define CAP_KILL 5
#define CAP_NET_BIND_SERVICE 10
#define CAP_AUDIT_WRITE 29
struct cap_header {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET)

static char **child_argv;
static const char *rootfs;

static int die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return 127;
}

/* into the rootfs (the cwd): pivot_root, the old root detached */
static int pivot(void)
{
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return die("detach old root");
	if (chdir("/") < 0)
		return die("chdir /");
	return 0;
}

/* the default `runc spec` config's work between the bind of the rootfs and exec */
static int config_work(void)
{
	static const struct {
		const char *src, *dst, *type, *data;
		unsigned long flags;
	} mnts[] = {
		{ "proc", "proc", "proc", NULL, 0 },
		{ "tmpfs", "dev", "tmpfs", "mode=755,size=65536k", MS_NOSUID | MS_STRICTATIME },
		{ "devpts", "dev/pts", "devpts", "newinstance,ptmxmode=0666,mode=0620,gid=5",
		  MS_NOSUID | MS_NOEXEC },
		{ "shm", "dev/shm", "tmpfs", "mode=1777,size=65536k", MS_NOSUID | MS_NOEXEC | MS_NODEV },
		{ "mqueue", "dev/mqueue", "mqueue", NULL, MS_NOSUID | MS_NOEXEC | MS_NODEV },
		{ "sysfs", "sys", "sysfs", NULL, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY },
		{ "cgroup", "sys/fs/cgroup", "cgroup2", NULL,
		  MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY },
	};
	static const struct {
		const char *name;
		unsigned maj, min;
	} devs[] = { { "dev/null", 1, 3 },   { "dev/zero", 1, 5 },	 { "dev/full", 1, 7 },
		     { "dev/random", 1, 8 }, { "dev/urandom", 1, 9 }, { "dev/tty", 5, 0 } };
	static const char *links[][2] = { { "/proc/self/fd", "dev/fd" },
					   { "/proc/self/fd/0", "dev/stdin" },
					   { "/proc/self/fd/1", "dev/stdout" },
					   { "/proc/self/fd/2", "dev/stderr" },
					   { "pts/ptmx", "dev/ptmx" } };
	static const char *masked[] = { "/proc/acpi",	       "/proc/asound",	  "/proc/kcore",
					"/proc/keys",	       "/proc/latency_stats", "/proc/timer_list",
					"/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
					"/proc/scsi" };
	static const char *ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
				    "/proc/sysrq-trigger" };
	const unsigned keep = 1u << CAP_AUDIT_WRITE | 1u << CAP_KILL | 1u << CAP_NET_BIND_SERVICE;
	unsigned i;

	for (i = 0; i < sizeof(mnts) / sizeof(*mnts); i++) {
		if (i >= 2 && i <= 4)
			mkdir(mnts[i].dst, 0755);
		if (mount(mnts[i].src, mnts[i].dst, mnts[i].type, mnts[i].flags, mnts[i].data) < 0)
			return die(mnts[i].dst);
	}
	for (i = 0; i < sizeof(devs) / sizeof(*devs); i++)
		if (mknod(devs[i].name, S_IFCHR | 0666, makedev(devs[i].maj, devs[i].min)) < 0)
			return die(devs[i].name);
	for (i = 0; i < sizeof(links) / sizeof(*links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			return die(links[i][1]);
	if (pivot())
		return 127;
	for (i = 0; i < sizeof(masked) / sizeof(*masked); i++) {
		if (mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL) == 0 || errno == ENOENT)
			continue;
		if (errno != ENOTDIR || mount("/dev/null", masked[i], NULL, MS_BIND, NULL) < 0)
			return die(masked[i]);
	}
	for (i = 0; i < sizeof(ro) / sizeof(*ro); i++) {
		if (mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return die(ro[i]);
		}
		if (mount(NULL, ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			return die(ro[i]);
	}
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return die("read-only root");
	if (sethostname("runc", 4) < 0)
		return die("sethostname");
	if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 1024, 1024 }) < 0)
		return die("RLIMIT_NOFILE");
	for (i = 0; prctl(PR_CAPBSET_READ, i) >= 0; i++) /* up to the kernel's last */
		if (!(i < 32 && keep & 1u << i) && prctl(PR_CAPBSET_DROP, i) < 0)
			return die("PR_CAPBSET_DROP");
	if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 0, 0, 0) < 0 ||
	    syscall(SYS_setresuid, 0, 0, 0) < 0)
		return die("ids");
	struct cap_header h = { 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0 };
	struct cap_data d[2] = { { keep, keep, 0 }, { 0, 0, 0 } };
	if (syscall(SYS_capset, &h, d) < 0)
		return die("capset");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return die("no_new_privs");
	return 0;
}

static int child(void *arg)
{
	int cfg = arg != NULL;

	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return die("make / rslave");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return die("bind rootfs");
	if (chdir(rootfs) < 0)
		return die("chdir rootfs");
	if (cfg) {
		int r = unshare(CLONE_NEWCGROUP) < 0 ? die("cgroup namespace") : config_work();
		if (r)
			return r;
	} else if (pivot()) {
		return 127;
	}
	execv(child_argv[0], child_argv);
	return die("exec");
}

/* -c: a cgroup made here, entered by clone3 (CLONE_INTO_CGROUP), removed after */
static pid_t clone_in_cgroup(char *cg, size_t len)
{
	struct clone_args a = { .flags = NS_FLAGS | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	int fd;
	pid_t pid;

	snprintf(cg, len, "/sys/fs/cgroup/floor-%d", (int)getpid());
	if (mkdir(cg, 0755) < 0 || (fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	a.cgroup = (uint64_t)fd;
	pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		_exit(child(&a));
	close(fd);
	return pid;
}

int main(int argc, char **argv)
{
	static char *deflt[] = { "/bin/true", NULL };
	static char stack[64 * 1024] __attribute__((aligned(16)));
	char cg[64] = "";
	size_t n = strlen(argv[0]);
	int status, cfg = n >= 4 && strcmp(argv[0] + n - 4, "-cfg") == 0;
	pid_t pid;

	if (!cfg && argc > 1 && strcmp(argv[1], "-c") == 0) {
		cfg = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: floor [-c] ROOTFS [PROG [ARGS...]]\n");
		return 2;
	}
	rootfs = argv[1];
	child_argv = argc > 2 ? argv + 2 : deflt;
	if (cfg)
		pid = clone_in_cgroup(cg, sizeof(cg));
	else
		pid = clone(child, stack + sizeof(stack), NS_FLAGS | SIGCHLD, NULL);
	if (pid < 0)
		return die("clone");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return die("waitpid");
	if (cg[0] && rmdir(cg) < 0)
		return die(cg);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
