/* Messages between skiff and the container init over a SOCK_SEQPACKET
 * socketpair, with an optional fd attached (SCM_RIGHTS). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "skiff.h"

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
