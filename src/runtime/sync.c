/* Messages between skiff and the container init over a SOCK_SEQPACKET
 * socketpair, with an optional fd attached (SCM_RIGHTS). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

int sk_send_fd(int sock, int fd, const char *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	if (fd >= 0) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

int sk_sync_send(int fd, int type, const struct sk_error *e, int pass_fd)
{
	struct sk_sync_msg m = { .type = type };
	size_t len = offsetof(struct sk_sync_msg, msg);

	if (e) {
		m.errnum = e->errnum;
		size_t n = strnlen(e->msg, sizeof(m.msg) - 1);

		memcpy(m.msg, e->msg, n);
		len += n + 1;
	}
	return sk_send_fd(fd, pass_fd, (const char *)&m, len);
}

int sk_sync_recv(int fd, struct sk_sync_msg *m, int *pass_fd, struct sk_error *err)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t r;
	int resets = 0;

	*pass_fd = -1;
	memset(m, 0, sizeof(*m));
	/* ECONNRESET: the peer exited with a message of ours unread (the
	 * init failed while skiff sent it something).  The error is reported
	 * once, before what the peer sent last: read that. */
	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ < 2)));
	if (r < 0)
		return sk_error_sys(err, "read from container init");
	if (r == 0)
		return sk_error(err, EPIPE, "container init exited during setup");
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(pass_fd, CMSG_DATA(cm), sizeof(int));
	m->msg[sizeof(m->msg) - 1] = '\0';
	return 0;
}

int sk_sync_expect(int sync, int type, int *fd, struct sk_error *err)
{
	struct sk_sync_msg m;
	int got;

	if (sk_sync_recv(sync, &m, &got, err) < 0)
		return -1;
	if (m.type == type && fd) {
		*fd = got;
		return 0;
	}
	if (got >= 0)
		close(got);
	if (m.type == type)
		return 0;
	return sk_error(err, EPROTO, "unexpected message %d from skiff", m.type);
}

int sk_sync_send_listener(int fd, void *sync, struct sk_error *err)
{
	if (sk_sync_send(*(int *)sync, SK_SYNC_SECCOMP, NULL, fd) < 0)
		return sk_error_sys(err, "send the seccomp listener");
	return 0;
}

int sk_send_fd_to_socket(const char *what, const char *path, int fd, const char *name,
			 struct sk_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return sk_error_sys(err, "%s: socket", what);
	if (strlen(path) >= sizeof(addr.sun_path))
		return sk_error(err, ENAMETOOLONG, "%s %s: path too long", what, path);
	strcpy(addr.sun_path, path);
	if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return sk_error_sys(err, "%s %s: connect", what, path);
	if (sk_send_fd(s, fd, name, strlen(name)) < 0)
		return sk_error_sys(err, "%s %s: send", what, path);
	return 0;
}

int sk_sync_on_error(struct sk_sync_peer *p, const struct sk_sync_msg *m, int *fd,
		     struct sk_error *err)
{
	return sk_error(err, m->errnum, "%s", m->msg);
}

/* process.terminal: the master goes to --console-socket, else it stays
 * with skiff (foreground) */
int sk_sync_on_tty(struct sk_sync_peer *p, const struct sk_sync_msg *m, int *fd,
		   struct sk_error *err)
{
	if (*fd < 0)
		return sk_error(err, EPROTO, "%s sent no terminal", p->who);
	if (p->console_socket)
		return sk_send_fd_to_socket("--console-socket", p->console_socket, *fd, "/dev/ptmx", err);
	*p->tty_master = *fd;
	*fd = -1;
	return 0;
}

/* The seccomp listener goes to linux.seccomp.listenerPath with the state. */
int sk_sync_on_seccomp(struct sk_sync_peer *p, const struct sk_sync_msg *m, int *fd,
		       struct sk_error *err)
{
	_cleanup_free_ char *json = sk_state_oci_json(&p->state, p->status, false);

	if (*fd < 0)
		return sk_error(err, EPROTO, "%s sent no seccomp listener", p->who);
	return sk_seccomp_send_state(p->seccomp, *fd, json, err);
}

int sk_sync_wait(int sync, struct sk_sync_peer *p, struct sk_error *err)
{
	for (;;) {
		struct pollfd pfd = { .fd = sync, .events = POLLIN };
		struct sk_sync_msg m;
		int fd, r = poll(&pfd, 1, p->timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return sk_error_sys(err, "wait for %s", p->who);
		if (r == 0)
			return sk_error(err, ETIMEDOUT, p->timeout_text, p->timeout_ms / 1000);
		if (sk_sync_recv(sync, &m, &fd, err) < 0)
			return p->eof_done && err->errnum == EPIPE ? 0 : -1;
		if (m.type > 0 && m.type < SK_SYNC_TYPES && p->on[m.type])
			r = p->on[m.type](p, &m, &fd, err);
		else
			r = sk_error(err, EPROTO, "unexpected message %d from %s", m.type, p->who);
		if (fd >= 0)
			close(fd);
		if (r)
			return r < 0 ? -1 : 0;
	}
}
