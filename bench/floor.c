/* floor: the least a container runtime must do to run a process, and nothing else.
 *
 *   floor ROOTFS [PROG [ARGS...]]      (PROG defaults to /bin/true)
 *
 * clone() with the namespaces of the default `runc spec` config (mount, pid, ipc,
 * uts, net), make / recursively slave, bind the rootfs on itself, pivot_root into it,
 * detach the old root and exec the program; the parent waits and exits with the
 * child's status.  No config parsing, no cgroups, no /proc, /dev or other mounts, no
 * capabilities or seccomp: it is the yardstick the benchmark divides by.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char **child_argv;
static const char *rootfs;

static int die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return 127;
}

static int child(void *arg)
{
	(void)arg;
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return die("make / rslave");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return die("bind rootfs");
	if (chdir(rootfs) < 0)
		return die("chdir rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return die("detach old root");
	if (chdir("/") < 0)
		return die("chdir /");
	execv(child_argv[0], child_argv);
	return die("exec");
}

int main(int argc, char **argv)
{
	static char *deflt[] = { "/bin/true", NULL };
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: floor ROOTFS [PROG [ARGS...]]\n");
		return 2;
	}
	rootfs = argv[1];
	child_argv = argc > 2 ? argv + 2 : deflt;

	pid_t pid = clone(child, stack + sizeof(stack),
			  CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
				  CLONE_NEWNET | SIGCHLD,
			  NULL);
	if (pid < 0)
		return die("clone");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return die("waitpid");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
