/* A D-Bus connection (base/dbus.h): a unix socket, SASL EXTERNAL, Hello
 * on a bus, method calls matched to their reply by serial, signals to a
 * callback.  Every wait is a poll() against a CLOCK_MONOTONIC deadline. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dbus.h"
#include "skiff/error.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for `events` on c->fd until the deadline. */
static int wait_fd(struct sk_dbus *c, short events, int64_t deadline, struct sk_error *err)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	int64_t left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return sk_error(err, ETIMEDOUT, "D-Bus: no answer in time");
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return sk_error_sys(err, "D-Bus: poll");
	}
}

static int send_all(struct sk_dbus *c, const void *buf, size_t n, int64_t deadline,
		    struct sk_error *err)
{
	const char *p = buf;
	ssize_t w;

	while (n) {
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(c, POLLOUT, deadline, err) < 0)
				return -1;
			continue;
		}
		if (w < 0)
			return sk_error_sys(err, "D-Bus: send");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read exactly n bytes. */
static int recv_all(struct sk_dbus *c, void *buf, size_t n, int64_t deadline,
		    struct sk_error *err)
{
	char *p = buf;
	ssize_t r;

	while (n) {
		r = recv(c->fd, p, n, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(c, POLLIN, deadline, err) < 0)
				return -1;
			continue;
		}
		if (r < 0)
			return sk_error_sys(err, "D-Bus: recv");
		if (r == 0)
			return sk_error(err, ECONNRESET, "D-Bus: the connection was closed");
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* SASL: AUTH EXTERNAL with our uid and BEGIN at once (as sd-bus does),
 * then the server's OK <guid>.  BEGIN goes with AUTH, not after OK: sent
 * after OK, it reached systemd's private socket (an sd-bus server) in the
 * same read as the first message, and systemd then left that message
 * unanswered about one time in two (measured in the VM tier: the
 * Subscribe call timed out); with BEGIN first, the first message arrives
 * on its own, after OK. */
static int auth(struct sk_dbus *c, int64_t deadline, struct sk_error *err)
{
	char uid[16], line[128], *p = line;
	size_t i, n;

	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	n = (size_t)snprintf(line, sizeof(line), "%cAUTH EXTERNAL ", 0);
	for (i = 0; uid[i]; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", (unsigned char)uid[i]);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "\r\nBEGIN\r\n");
	if (send_all(c, line, n, deadline, err) < 0)
		return -1;
	/* one line back; nothing more comes before our first message */
	for (;;) {
		if (p == line + sizeof(line) - 1)
			return sk_error(err, EPROTO, "D-Bus: authentication: answer too long");
		if (recv_all(c, p, 1, deadline, err) < 0)
			return sk_error_ctx(err, "D-Bus authentication");
		if (*p++ == '\n')
			break;
	}
	*p = 0;
	if (strncmp(line, "OK ", 3))
		return sk_error(err, EACCES, "D-Bus: authentication refused (%s)",
				strncmp(line, "REJECTED", 8) ? "unexpected answer" : "REJECTED");
	return 0;
}

int sk_dbus_open(struct sk_dbus *c, const char *path, bool bus, int timeout_ms,
		 struct sk_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = now_ms() + timeout_ms;
	struct sk_dbus_msg h = { .type = SK_DBUS_CALL, .dest = "org.freedesktop.DBus",
				 .path = "/org/freedesktop/DBus", .iface = "org.freedesktop.DBus",
				 .member = "Hello" }, r;
	const char *name;

	memset(c, 0, sizeof(*c));
	c->record_fd = -1;
	c->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(sa.sun_path))
		return c->fd = -1, sk_error(err, ENAMETOOLONG, "D-Bus: %s: path too long", path);
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return sk_error_sys(err, "D-Bus: socket");
	/* a unix socket connects at once or not (EAGAIN: backlog full) */
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		sk_error_sys(err, "D-Bus: connect to %s", path);
		goto fail;
	}
	if (auth(c, deadline, err) < 0)
		goto fail;
	if (bus) {
		c->bus = true;
		if (sk_dbus_call(c, &h, NULL, &r, timeout_ms, err) < 0 ||
		    sk_dbus_read(&r, "s", err, &name) < 0) {
			sk_error_ctx(err, "D-Bus Hello");
			goto fail;
		}
		snprintf(c->unique_name, sizeof(c->unique_name), "%s", name);
	}
	return 0;
fail:
	sk_dbus_close(c);
	return -1;
}

void sk_dbus_close(struct sk_dbus *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->rbuf);
	c->rbuf = NULL;
	c->rlen = 0;
}

int sk_dbus_recv(struct sk_dbus *c, struct sk_dbus_msg *m, int64_t deadline_ms,
		 struct sk_error *err)
{
	uint8_t head[16], *p;
	size_t n;

	if (recv_all(c, head, sizeof(head), deadline_ms, err) < 0)
		return -1;
	n = sk_dbus_msg_size(head);
	if (n < 16)
		return sk_error(err, EBADMSG, "malformed D-Bus message: bad header or longer than %u bytes",
				SK_DBUS_MAX_MSG);
	p = realloc(c->rbuf, n);
	if (!p)
		return sk_error(err, ENOMEM, "D-Bus: out of memory");
	c->rbuf = p;
	c->rlen = n;
	memcpy(p, head, sizeof(head));
	if (recv_all(c, p + 16, n - 16, deadline_ms, err) < 0)
		return -1;
	if (c->record_fd >= 0 && write(c->record_fd, p, n) != (ssize_t)n)
		return sk_error_sys(err, "D-Bus: recording");
	return sk_dbus_decode(p, n, m, err);
}

int sk_dbus_call(struct sk_dbus *c, const struct sk_dbus_msg *h, const struct sk_dbus_w *body,
		 struct sk_dbus_msg *reply, int timeout_ms, struct sk_error *err)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct sk_dbus_msg hh = *h;
	struct sk_dbus_w out = { 0 };
	const char *msg;
	int r;

	if (c->fd < 0)
		return sk_error(err, ENOTCONN, "D-Bus: not connected");
	hh.type = SK_DBUS_CALL;
	hh.serial = ++c->serial ? c->serial : ++c->serial;
	if (!c->bus)
		hh.dest = NULL;	/* a peer (systemd's private socket) routes nothing */
	r = sk_dbus_encode(&out, &hh, body, err);
	if (r == 0)
		r = send_all(c, out.p, out.len, deadline, err);
	sk_dbus_w_free(&out);
	if (r < 0)
		return sk_error_ctx(err, "%s", h->member);
	for (;;) {
		if (sk_dbus_recv(c, reply, deadline, err) < 0)
			return sk_error_ctx(err, "%s", h->member);
		if ((reply->type == SK_DBUS_RETURN || reply->type == SK_DBUS_ERROR) &&
		    reply->reply_serial == hh.serial)
			break;
		if (c->on_msg)
			c->on_msg(c->data, reply);
	}
	if (reply->type == SK_DBUS_RETURN)
		return 0;
	if (!strncmp(reply->sig, "s", 1)) {
		struct sk_dbus_it it;

		sk_dbus_it_init(&it, reply);
		if (sk_dbus_it_basic(&it, 's', &msg, err) == 0)
			return sk_error(err, EREMOTEIO, "%s: %s", reply->error, msg);
	}
	return sk_error(err, EREMOTEIO, "%s", reply->error);
}

int sk_dbus_wait(struct sk_dbus *c, bool (*done)(void *data), int timeout_ms,
		 struct sk_error *err)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct sk_dbus_msg m;

	while (!done(c->data)) {
		if (sk_dbus_recv(c, &m, deadline, err) < 0)
			return -1;
		if (c->on_msg)
			c->on_msg(c->data, &m);
	}
	return 0;
}
