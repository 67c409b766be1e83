/* A seccomp agent for the notify tests (tests/integration/seccomp.bats).
 *
 *   seccomp_agent SOCKET OUTDIR
 *
 * Listens on the AF_UNIX socket SOCKET, takes one connection from the
 * runtime: the container process state (JSON, to OUTDIR/state.json) with
 * the seccomp listener fd in SCM_RIGHTS.  Then answers notifications:
 * mkdir/mkdirat fail with EHOSTUNREACH ("No route to host"), everything
 * else continues (SECCOMP_USER_NOTIF_FLAG_CONTINUE).  Each notified
 * syscall number is appended to OUTDIR/notified.  Exits when the
 * container is gone, after 60 s at most. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "seccomp_agent: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int receive(int conn, char *buf, size_t cap, size_t *len)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, cap - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	int fd = -1;
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);

	if (n < 0)
		die("recvmsg");
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	*len = (size_t)n;
	/* the rest of the document, if the runtime sent it in pieces */
	while (*len < cap - 1 && (n = read(conn, buf + *len, cap - 1 - *len)) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	static char buf[1 << 16];
	char path[4096];
	size_t len;
	int srv, conn, fd;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: seccomp_agent SOCKET OUTDIR\n");
		return 2;
	}
	alarm(60);
	srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv < 0)
		die("socket");
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
	if (bind(srv, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(srv, 1) < 0)
		die("bind");
	conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	fd = receive(conn, buf, sizeof(buf), &len);
	snprintf(path, sizeof(path), "%s/state.json", argv[2]);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fwrite(buf, 1, len, f);
	fclose(f);
	close(conn);
	if (fd < 0) {
		fprintf(stderr, "seccomp_agent: no fd received\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/notified", argv[2]);
	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p.revents & (POLLHUP | POLLERR))
			return 0;          /* no task uses the filter any more */
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		f = fopen(path, "a");
		if (f) {
			fprintf(f, "%d\n", req.data.nr);
			fclose(f);
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (req.data.nr == SYS_mkdir || req.data.nr == SYS_mkdirat)
			resp.error = -EHOSTUNREACH;
		else
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
			die("SECCOMP_IOCTL_NOTIF_SEND");
	}
}
