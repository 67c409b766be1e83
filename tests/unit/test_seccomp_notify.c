/* Unit tests for src/seccomp.c: SCMP_ACT_NOTIFY (an agent answers for the
 * child through the listener fd) and listenerPath (the fd and the state
 * JSON sent to a unix socket).  Harness in seccomp_harness.c.
 * Prints "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "seccomp_harness.h"

/* ---- NOTIFY ---- */

static int notify_sock = -1;

static int send_fd(int sock, int fd)
{
	char c = 'F';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;

	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* Receive one fd (and up to len bytes of data) with a timeout. */
static int recv_fd(int sock, char *data, size_t len, ssize_t *got)
{
	char dummy;
	struct iovec iov = { .iov_base = data ? data : &dummy, .iov_len = data ? len : 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t n;
	int fd = -1;

	if (poll(&pfd, 1, CHILD_TIMEOUT_MS) <= 0)
		return -1;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	if (got)
		*got = n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static void c_notify(struct res *r)
{
	r->extra = r->load_rc;
	if (send_fd(notify_sock, r->load_rc) < 0) {
		r->extra = -1;
		return;
	}
	close(r->load_rc);
	DO(r, syscall(SYS_getppid));     /* agent answers 4242 */
	DO(r, syscall(SYS_getppid));     /* agent answers -EXDEV */
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));  /* not notified */
}

struct agent {
	int sock;
	int handled;
	char why[256];
};

static int agent_answer(int lfd, long val, int error, struct agent *a)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	if (poll(&pfd, 1, CHILD_TIMEOUT_MS) <= 0) {
		snprintf(a->why, sizeof(a->why), "no notification");
		return -1;
	}
	memset(&req, 0, sizeof(req));
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		snprintf(a->why, sizeof(a->why), "NOTIF_RECV: %s", strerror(errno));
		return -1;
	}
	if (req.data.nr != SYS_getppid) {
		snprintf(a->why, sizeof(a->why), "notified syscall %d", req.data.nr);
		return -1;
	}
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.val = val;
	resp.error = error;
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) {
		snprintf(a->why, sizeof(a->why), "NOTIF_SEND: %s", strerror(errno));
		return -1;
	}
	a->handled++;
	return 0;
}

static void agent(pid_t pid, void *arg)
{
	struct agent *a = arg;
	int lfd;

	(void)pid;
	lfd = recv_fd(a->sock, NULL, 0, NULL);
	if (lfd < 0) {
		snprintf(a->why, sizeof(a->why), "no listener fd from the child");
		return;
	}
	if (agent_answer(lfd, 4242, 0, a) == 0)
		agent_answer(lfd, 0, -EXDEV, a);
	close(lfd);
}

static void t_notify(void)
{
	static const char *fl[] = { "SECCOMP_FILTER_FLAG_TSYNC",
				    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };
	const char *name = "NOTIFY: listener fd, agent answers value and error";
	struct sk_seccomp_prog prog;
	struct sk_error err = { 0 };
	struct agent a = { 0 };
	char why[512];
	int sp[2], status, rc;
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	cfg_flags(&c, fl, 2);
	rule1(&c, "SCMP_ACT_NOTIFY", "getppid");
	set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), ENOTDIR);
	if (sk_seccomp_compile(&c.s, &prog, &err) < 0) {
		not_ok(name, "compile: %s", err.msg);
		return;
	}
	rc = prog.notify;
	sk_seccomp_prog_free(&prog);
	if (!rc) {
		not_ok(name, "prog.notify not set");
		return;
	}
	if (!sk_seccomp_notifies(&c.s, "getppid") || sk_seccomp_notifies(&c.s, "getcwd")) {
		not_ok(name, "sk_seccomp_notifies wrong");
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		not_ok(name, "socketpair: %s", strerror(errno));
		return;
	}
	notify_sock = sp[1];
	a.sock = sp[0];
	rc = run_child(&c, c_notify, agent, &a, &r, &status, why, sizeof(why));
	close(sp[0]);
	close(sp[1]);
	if (rc < 0) {
		not_ok(name, "%s", why);
		return;
	}
	if (rc > 0) {
		not_ok(name, "child died, status %#x (%s)", status, a.why);
		return;
	}
	if (r.load_rc <= 0 || r.extra < 0) {
		not_ok(name, "load returned %d", r.load_rc);
		return;
	}
	if (a.handled != 2) {
		not_ok(name, "agent: %s", a.why);
		return;
	}
	if (expect_res(name, &r, 0, 4242, 0) < 0 || expect_res(name, &r, 1, -1, EXDEV) < 0 ||
	    expect_res(name, &r, 2, -1, ENOTDIR) < 0)
		return;
	ok(name);
}

/* ---- listenerPath ---- */

static char tmpdir[64];

static int listen_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%.100s", path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(s, 4) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static const char *jstr(yajl_val v, const char *k1, const char *k2)
{
	const char *path[] = { k1, k2, NULL };
	yajl_val s = yajl_tree_get(v, path, yajl_t_string);

	return YAJL_IS_STRING(s) ? s->u.string : NULL;
}

static long long jint(yajl_val v, const char *k1, const char *k2)
{
	const char *path[] = { k1, k2, NULL };
	yajl_val s = yajl_tree_get(v, path, yajl_t_number);

	return YAJL_IS_INTEGER(s) ? YAJL_GET_INTEGER(s) : -1;
}

/* Send, accept, receive the fd + whole JSON; returns the parsed tree. */
static yajl_val roundtrip(const char *name, const char *metadata, const char *state,
			  bool *fd_same)
{
	char path[128], buf[8192], perr[128];
	struct sk_error err = { 0 };
	struct stat a, b;
	int srv, conn, memfd, fd;
	ssize_t n, got = 0;
	size_t len = 0;
	yajl_val tree = NULL;

	*fd_same = false;
	snprintf(path, sizeof(path), "%s/agent.sock", tmpdir);
	unlink(path);
	srv = listen_unix(path);
	if (srv < 0) {
		not_ok(name, "listen: %s", strerror(errno));
		return NULL;
	}
	memfd = memfd_create("fake-listener", MFD_CLOEXEC);
	if (sk_seccomp_send_listener_metadata(path, metadata, memfd, state, &err) < 0) {
		not_ok(name, "send: %s", err.msg);
		goto out;
	}
	conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		not_ok(name, "accept: %s", strerror(errno));
		goto out;
	}
	fd = recv_fd(conn, buf, sizeof(buf) - 1, &got);
	if (fd < 0) {
		not_ok(name, "no fd received");
		close(conn);
		goto out;
	}
	len = got;
	while (len < sizeof(buf) - 1 && (n = read(conn, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;       /* the sender closed: read until EOF */
	buf[len] = '\0';
	close(conn);
	if (fstat(fd, &a) == 0 && fstat(memfd, &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev)
		*fd_same = true;
	close(fd);
	tree = yajl_tree_parse(buf, perr, sizeof(perr));
	if (!tree)
		not_ok(name, "bad JSON '%s': %s", buf, perr);
out:
	close(memfd);
	close(srv);
	unlink(path);
	return tree;
}

static void t_send_listener(void)
{
	const char *name = "send_listener: fd via SCM_RIGHTS and the container process state";
	const char *state = "{\"ociVersion\":\"" SK_OCI_VERSION "\",\"id\":\"c1\","
			    "\"status\":\"creating\",\"pid\":4422,\"bundle\":\"/b\","
			    "\"annotations\":{\"k\":\"v \\\"q\\\"\"}}";
	const char *fds_path[] = { "fds", NULL };
	const char *md_path[] = { "metadata", NULL };
	yajl_val tree, fds;
	bool same;

	tree = roundtrip(name, "MKNOD=/dev/null;\"x\"", state, &same);
	if (!tree)
		return;
	fds = yajl_tree_get(tree, fds_path, yajl_t_array);
	if (!same)
		not_ok(name, "received fd is not the one sent");
	else if (!jstr(tree, "ociVersion", NULL) || strcmp(jstr(tree, "ociVersion", NULL), SK_OCI_VERSION))
		not_ok(name, "ociVersion");
	else if (!YAJL_IS_ARRAY(fds) || fds->u.array.len != 1 ||
		 !YAJL_IS_STRING(fds->u.array.values[0]) ||
		 strcmp(fds->u.array.values[0]->u.string, "seccompFd"))
		not_ok(name, "fds");
	else if (jint(tree, "pid", NULL) != 4422)
		not_ok(name, "pid");
	else if (!jstr(tree, "metadata", NULL) || strcmp(jstr(tree, "metadata", NULL), "MKNOD=/dev/null;\"x\""))
		not_ok(name, "metadata");
	else if (!jstr(tree, "state", "id") || strcmp(jstr(tree, "state", "id"), "c1") ||
		 strcmp(jstr(tree, "state", "status"), "creating") || jint(tree, "state", "pid") != 4422)
		not_ok(name, "state");
	else
		ok(name);
	yajl_tree_free(tree);

	name = "send_listener: no metadata field without listenerMetadata";
	tree = roundtrip(name, NULL, state, &same);
	if (!tree)
		return;
	if (yajl_tree_get(tree, md_path, yajl_t_any))
		not_ok(name, "metadata present");
	else if (!same || jint(tree, "pid", NULL) != 4422)
		not_ok(name, "fd or pid");
	else
		ok(name);
	yajl_tree_free(tree);
}

static void t_send_listener_errors(void)
{
	struct sk_error err = { 0 };
	struct sk_seccomp s = { 0 };
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "%s/nobody.sock", tmpdir);
	rc = sk_seccomp_send_listener(path, 0, "{\"pid\":1}", &err);
	if (rc == 0 || !strstr(err.msg, path))
		not_ok("send_listener: no agent is an error naming the path", "rc %d '%s'", rc, err.msg);
	else
		ok("send_listener: no agent is an error naming the path");

	rc = sk_seccomp_send_listener(path, 0, "{\"id\":\"x\"}", &err);
	if (rc == 0 || !strstr(err.msg, "pid"))
		not_ok("send_listener: state without pid is an error", "rc %d '%s'", rc, err.msg);
	else
		ok("send_listener: state without pid is an error");

	rc = sk_seccomp_send_listener(path, 0, "{\"pid\":", &err);
	if (rc == 0 || !strstr(err.msg, "bad state JSON"))
		not_ok("send_listener: bad state JSON is an error", "rc %d '%s'", rc, err.msg);
	else
		ok("send_listener: bad state JSON is an error");

	s.present = true;
	if (sk_seccomp_send_state(&s, 0, "{\"pid\":1}", &err) != 0)
		not_ok("send_state: no listenerPath does nothing", "%s", err.msg);
	else
		ok("send_state: no listenerPath does nothing");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/skiff-test-seccomp-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}

	t_notify();
	t_send_listener();
	t_send_listener_errors();

	rmdir(tmpdir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
