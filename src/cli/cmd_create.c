/* skiff create, skiff start. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"
#include "skiff/util.h"

int sk_cmd_create(int argc, char **argv)
{
	struct sk_create_opts o = { 0 };
	const struct sk_opt opts[] = {
		{ "bundle", 'b', SK_OPT_STRING, &o.bundle },
		{ "pid-file", 0, SK_OPT_STRING, &o.pid_file },
		{ "console-socket", 0, SK_OPT_STRING, &o.console_socket },
		{ "pidfd-socket", 0, SK_OPT_STRING, &o.pidfd_socket },
		{ "no-pivot", 0, SK_OPT_FLAG, &o.no_pivot },
		{ "preserve-fds", 0, SK_OPT_UINT, &o.preserve_fds },
		{ "no-new-keyring", 0, SK_OPT_FLAG, &(bool){ 0 } },
		{ NULL, 0, 0, NULL },
	};
	struct sk_spawn s = { .mode = SK_SPAWN_CREATE };
	struct sk_error err = { 0 };
	struct sk_container c;
	char *pos[1];

	if (sk_parse_opts(argc, argv, opts, pos, 1, &err) != 1) {
		sk_log_error("%s", err.msg[0] ? err.msg : "create: a container id is required");
		return 1;
	}
	if (sk_lifecycle_create(pos[0], &o, &c, &s, &err) < 0) {
		sk_log_error("%s", err.msg);
		return 1;
	}
	/* The init now waits on exec.fifo; it no longer needs us. */
	if (s.pidfd >= 0)
		close(s.pidfd);
	if (s.sync_fd >= 0)
		close(s.sync_fd);
	if (s.has_cgroup)
		sk_cgroup_release(&s.cgroup);
	sk_lifecycle_spawn_free(&s);
	sk_container_release(&c);
	return 0;
}

/* Until the init has exec'd the process (the last writer of start.ack
 * is gone: hang-up with nothing to read) or reported that a
 * startContainer hook failed (its message).  Bounded: the hooks have
 * their own timeouts. */
#define START_ACK_TIMEOUT_MS (15 * 60 * 1000)
static int wait_started(int ack, struct sk_error *err)
{
	struct pollfd p = { .fd = ack, .events = POLLIN };
	char msg[sizeof(err->msg)];
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, START_ACK_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return 0;
	n = read(ack, msg, sizeof(msg) - 1);
	if (n <= 0)
		return 0;
	msg[n] = '\0';
	return sk_error(err, ECANCELED, "%s", msg);
}

int sk_cmd_start(int argc, char **argv)
{
	const struct sk_opt opts[] = { { NULL, 0, 0, NULL } };
	struct sk_error err = { 0 };
	struct sk_container c;
	const char *status;
	char *pos[1];
	int fd, ack, nfd;

	if (sk_parse_opts(argc, argv, opts, pos, 1, &err) != 1) {
		sk_log_error("%s", err.msg[0] ? err.msg : "start: a container id is required");
		return 1;
	}
	if (sk_container_load(pos[0], &c, &err) < 0) {
		sk_log_error("%s", err.msg);
		return 1;
	}
	status = sk_container_status(&c);
	if (strcmp(status, "created")) {
		/* runc's texts */
		if (!strcmp(status, "running"))
			sk_log_error("container \"%s\": cannot start an already running container", c.id);
		else if (!strcmp(status, "stopped"))
			sk_log_error("container \"%s\": cannot start a container that has stopped", c.id);
		else
			sk_log_error("container \"%s\": cannot start a container in the %s state", c.id, status);
		sk_container_release(&c);
		return 1;
	}
	/* NOTIFY_SOCKET: listen before the process can say READY */
	nfd = sk_notify_host_socket() ? sk_notify_bind(c.dirfd, c.id, &err) : -2;
	if (nfd == -1) {
		sk_log_error("%s", err.msg);
		sk_container_release(&c);
		return 1;
	}
	/* With startContainer hooks the init reports their failure here. */
	ack = openat(c.dirfd, "start.ack", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	/* A reader is there (the init holds the fifo open) unless it died. */
	fd = openat(c.dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		sk_log_error("cannot start container \"%s\": %s", c.id,
			     errno == ENXIO ? "its init process is gone" : sk_strerror(errno));
		if (fd >= 0)
			close(fd);
		if (ack >= 0)
			close(ack);
		if (nfd >= 0)
			close(nfd);
		sk_container_release(&c);
		return 1;
	}
	close(fd);
	sk_fault("start-released");
	unlinkat(c.dirfd, "exec.fifo", 0);
	sk_log_debug("container %s: started, pid %d", c.id, (int)c.state->pid);
	if (ack >= 0) {
		int r = wait_started(ack, &err);

		close(ack);
		unlinkat(c.dirfd, "start.ack", 0);
		if (r < 0) {
			/* runtime.md: stop the container, destroy it, poststop */
			struct sk_error e2 = { 0 };

			sk_log_error("%s", err.msg);
			if (sk_lifecycle_destroy(&c, &e2) < 0)
				sk_log_error("%s", e2.msg);
			sk_container_release(&c);
			return 1;
		}
	}
	if (sk_lifecycle_poststart(&c, &err) < 0) {
		struct sk_error e2 = { 0 };

		sk_log_error("%s", err.msg);
		if (sk_lifecycle_destroy(&c, &e2) < 0)
			sk_log_error("%s", e2.msg);
		sk_container_release(&c);
		return 1;
	}
	if (nfd >= 0) {
		/* like runc, start returns once the service is ready; the lock
		 * goes first so that state/kill/delete need not wait */
		int pidfd = sk_container_pidfd(&c), r;
		pid_t pid = c.state->pid;

		close(c.lockfd);
		c.lockfd = -1;
		r = sk_notify_wait(nfd, pidfd, pid, &err);
		close(nfd);
		if (pidfd >= 0)
			close(pidfd);
		if (r < 0) {
			sk_log_error("%s", err.msg);
			sk_container_release(&c);
			return 1;
		}
	}
	sk_container_release(&c);
	return 0;
}
