/* linux.uidMappings/gidMappings of a new user namespace, written by skiff
 * while the init waits.  As root (CAP_SETUID/CAP_SETGID over the parent
 * namespace) the maps are written directly.  When the kernel refuses
 * (an unprivileged skiff mapping more than its own ids), the setuid
 * helpers newuidmap/newgidmap (package uidmap) write them within what
 * /etc/subuid and /etc/subgid allow.  An unprivileged gid_map of its own
 * gid alone needs "deny" in /proc/PID/setgroups first, as the kernel
 * requires; the init then leaves the groups alone. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

#define HELPER_TIMEOUT_MS 10000

/* newuidmap PID c h s [c h s ...]; its first line of stderr goes into
 * the error. */
static int run_helper(const char *helper, pid_t pid, const struct sk_idmap *m, size_t n,
		      struct sk_error *err)
{
	char **argv = sk_xcalloc(3 * n + 3, sizeof(char *));
	char msg[512] = "";
	int ep[2], status = 0, pidfd, ret = -1;
	size_t k = 0;
	ssize_t r;
	pid_t child;

	argv[k++] = (char *)helper;
	argv[k++] = sk_xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		argv[k++] = sk_xasprintf("%u", m[i].container_id);
		argv[k++] = sk_xasprintf("%u", m[i].host_id);
		argv[k++] = sk_xasprintf("%u", m[i].size);
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		sk_error_sys(err, "pipe");
		goto out;
	}
	child = fork();
	if (child < 0) {
		sk_error_sys(err, "fork %s", helper);
		close(ep[0]);
		close(ep[1]);
		goto out;
	}
	if (child == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(ep[1], 2);
		execvp(helper, argv);
		dprintf(2, "%s: %s%s", helper, sk_strerror(errno),
			errno == ENOENT ? " (install the uidmap package)" : "");
		_exit(127);
	}
	close(ep[1]);
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int pr;

		do
			pr = poll(&p, 1, HELPER_TIMEOUT_MS);
		while (pr < 0 && errno == EINTR);
		if (pr == 0)
			kill(child, SIGKILL);
		close(pidfd);
	}
	r = read(ep[0], msg, sizeof(msg) - 1);
	msg[r > 0 ? r : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	close(ep[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		sk_error(err, EPERM, "%s failed: %s", helper, *msg ? msg : "killed or timed out");
	else
		ret = 0;
out:
	for (size_t i = 1; i < k; i++)
		free(argv[i]);
	free(argv);
	return ret;
}

static int write_map(pid_t pid, bool gid, const struct sk_idmap *m, size_t n,
		     bool *setgroups_denied, struct sk_error *err)
{
	const char *file = gid ? "gid_map" : "uid_map";

	if (sk_write_id_map(pid, file, m, n, err) == 0)
		return 0;
	if (err->errnum != EPERM)
		return sk_error_ctx(err, "linux.%s: write %s", gid ? "gidMappings" : "uidMappings", file);
	/* an unprivileged map of our own gid alone: setgroups must be denied */
	if (gid && n == 1 && m[0].size == 1 && m[0].host_id == (uint32_t)getegid()) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		if (sk_write_file_at(AT_FDCWD, path, "deny", 4, err) == 0 &&
		    sk_write_id_map(pid, file, m, n, err) == 0) {
			*setgroups_denied = true;
			return 0;
		}
	}
	if (run_helper(gid ? "newgidmap" : "newuidmap", pid, m, n, err) < 0)
		return sk_error_ctx(err, "linux.%s", gid ? "gidMappings" : "uidMappings");
	return 0;
}

int sk_userns_write_maps(pid_t pid, const struct sk_linux *l, bool *setgroups_denied,
			 struct sk_error *err)
{
	*setgroups_denied = false;
	if (write_map(pid, false, l->uid_mappings, l->n_uid_mappings, setgroups_denied, err) < 0)
		return -1;
	return write_map(pid, true, l->gid_mappings, l->n_gid_mappings, setgroups_denied, err);
}
