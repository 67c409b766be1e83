/* skiff create, skiff start. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"
#include "skiff/util.h"

int sk_cmd_create(int argc, char **argv, struct sk_error *err)
{
	struct sk_create_opts o = { 0 };
	const struct sk_opt opts[] = {
		SK_CREATE_OPTS(o),
		{ NULL, 0, 0, NULL },
	};
	struct sk_spawn s = { .mode = SK_SPAWN_CREATE };
	struct sk_container c;
	char *pos[1];

	if (sk_parse_id_opts(argc, argv, opts, pos, 1, err) < 0)
		return -1;
	if (sk_lifecycle_create(pos[0], &o, &c, &s, err) < 0)
		return -1;
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

/* runtime.md: a failed start stops the container and destroys it
 * (poststop hooks); its error comes first, then destroy's. */
static int start_failed(struct sk_container *c, struct sk_error *err)
{
	struct sk_error e2 = { 0 };

	sk_log_error("%s", err->msg);
	if (sk_lifecycle_destroy(c, &e2) < 0)
		sk_log_error("%s", e2.msg);
	sk_container_release(c);
	return 1;
}

int sk_cmd_start(int argc, char **argv, struct sk_error *err)
{
	const struct sk_opt opts[] = { { NULL, 0, 0, NULL } };
	struct sk_container c;
	enum sk_status status;
	char *pos[1];
	int fd, ack, nfd = -2, r = -1;

	if (sk_parse_id_opts(argc, argv, opts, pos, 1, err) < 0 || sk_container_load(pos[0], &c, err) < 0)
		return -1;
	status = sk_container_status(&c);
	/* runc's texts */
	if (status == SK_STATUS_RUNNING) {
		sk_error(err, EINVAL, "container \"%s\": cannot start an already running container", c.id);
		goto out;
	}
	if (status == SK_STATUS_STOPPED) {
		sk_error(err, EINVAL, "container \"%s\": cannot start a container that has stopped", c.id);
		goto out;
	}
	if (status != SK_STATUS_CREATED) {
		sk_error(err, EINVAL, "container \"%s\": cannot start a container in the %s state", c.id,
			 sk_status_name(status));
		goto out;
	}
	/* NOTIFY_SOCKET: listen before the process can say READY */
	nfd = sk_notify_host_socket() ? sk_notify_bind(c.dirfd, c.id, err) : -2;
	if (nfd == -1)
		goto out;
	/* With startContainer hooks the init reports their failure here. */
	ack = openat(c.dirfd, "start.ack", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	/* A reader is there (the init holds the fifo open) unless it died. */
	fd = openat(c.dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		sk_error(err, errno, "cannot start container \"%s\": %s", c.id,
			 errno == ENXIO ? "its init process is gone" : sk_strerror(errno));
		if (fd >= 0)
			close(fd);
		if (ack >= 0)
			close(ack);
		goto out;
	}
	close(fd);
	sk_fault("start-released");
	unlinkat(c.dirfd, "exec.fifo", 0);
	sk_log_debug("container %s: started, pid %d", c.id, (int)c.state->pid);
	if (ack >= 0) {
		r = wait_started(ack, err);
		close(ack);
		unlinkat(c.dirfd, "start.ack", 0);
		if (r < 0)
			return start_failed(&c, err);
	}
	if (sk_lifecycle_poststart(&c, err) < 0)
		return start_failed(&c, err);
	if (nfd >= 0) {
		/* like runc, start returns once the service is ready; the lock
		 * goes first so that state/kill/delete need not wait */
		int pidfd = sk_container_pidfd(&c);
		pid_t pid = c.state->pid;

		close(c.lockfd);
		c.lockfd = -1;
		r = sk_notify_wait(nfd, pidfd, pid, err);
		if (pidfd >= 0)
			close(pidfd);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	if (nfd >= 0)
		close(nfd);
	sk_container_release(&c);
	return r;
}
