/* A static helper copied into test containers (seccomp.bats,
 * security.bats): makes one syscall per argument and prints
 * "NAME=OK" or "NAME=<errno name>".
 *
 *   keyctl add_key unshare-user unshare-net clone-newuser personality0
 *   personality-bad socket-vsock socket-inet mkdir getpid euid hello
 *   uncaught-mkdir (mkdir without printing: a killed process shows as
 *   its exit status), nr-N (syscall number N, no arguments)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case EXDEV: return "EXDEV";
	case ENOENT: return "ENOENT";
	default: return "E?";
	}
}

static void report(const char *name, long r)
{
	if (r < 0)
		printf("%s=%s\n", name, ename(errno));
	else
		printf("%s=OK\n", name);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		long r;

		if (!strcmp(a, "keyctl")) {
			r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
		} else if (!strcmp(a, "add_key")) {
			r = syscall(SYS_add_key, "user", "skiff-test", "x", 1, -3);
		} else if (!strcmp(a, "unshare-user")) {
			r = syscall(SYS_unshare, CLONE_NEWUSER);
		} else if (!strcmp(a, "unshare-net")) {
			r = syscall(SYS_unshare, CLONE_NEWNET);
		} else if (!strcmp(a, "clone-newuser")) {
			r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
			if (r == 0)
				_exit(0);
			if (r > 0)
				waitpid((pid_t)r, NULL, 0);
		} else if (!strcmp(a, "personality0")) {
			r = syscall(SYS_personality, 0);
		} else if (!strcmp(a, "personality-bad")) {
			r = syscall(SYS_personality, 0x0400000 /* READ_IMPLIES_EXEC */);
		} else if (!strcmp(a, "socket-vsock")) {
			r = syscall(SYS_socket, 40 /* AF_VSOCK */, 1, 0);
		} else if (!strcmp(a, "socket-inet")) {
			r = syscall(SYS_socket, 2 /* AF_INET */, 1, 0);
		} else if (!strcmp(a, "mkdir")) {
			r = syscall(SYS_mkdir, "/tmp/probe-dir", 0755);
		} else if (!strcmp(a, "uncaught-mkdir")) {
			syscall(SYS_mkdir, "/tmp/probe-dir", 0755);
			_exit(0);
		} else if (!strncmp(a, "nr-", 3)) {
			r = syscall(atol(a + 3), 0, 0, 0, 0, 0, 0);
		} else if (!strcmp(a, "getpid")) {
			r = syscall(SYS_getpid);
		} else if (!strcmp(a, "euid")) {
			printf("euid=%d\n", (int)geteuid());
			fflush(stdout);
			continue;
		} else if (!strcmp(a, "hello")) {
			r = write(1, "hello\n", 6);
			continue;
		} else {
			printf("%s=unknown\n", a);
			continue;
		}
		report(a, r);
	}
	return 0;
}
