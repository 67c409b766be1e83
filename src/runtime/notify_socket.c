/* NOTIFY_SOCKET: sd_notify readiness from a Type=notify service in the
 * container, proxied to the engine's socket (systemd, conmon), as runc
 * does it:
 *   create: <root>/<id>/notify/ is bind-mounted read-only on /run/notify
 *           in the container and NOTIFY_SOCKET=/run/notify/notify.sock
 *           added to process.env;
 *   start/run: skiff binds notify.sock there before the process runs and,
 *           once it has started it, waits for a "READY=..." line, sends
 *           that line and MAINPID=<init pid> to the caller's NOTIFY_SOCKET,
 *           and returns.  The wait ends too when the container exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

#define CTR_DIR "/run/notify"
#define CTR_SOCKET CTR_DIR "/notify.sock"

const char *sk_notify_host_socket(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s && *s ? s : NULL;
}

static char **strv_add(char **v, size_t *n, char *s)
{
	v = sk_xrealloc(v, (*n + 2) * sizeof(char *));
	v[(*n)++] = s;
	v[*n] = NULL;
	return v;
}

int sk_notify_setup_config(struct sk_config *c, const char *id, int state_dirfd,
			   struct sk_error *err)
{
	struct sk_mount *m;
	size_t i;

	if (mkdirat(state_dirfd, "notify", 0755) < 0 && errno != EEXIST)
		return sk_error_sys(err, "NOTIFY_SOCKET: create %s/%s/notify", sk_g.root, id);
	c->mounts = sk_xrealloc(c->mounts, (c->n_mounts + 1) * sizeof(*c->mounts));
	m = &c->mounts[c->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->destination = sk_xstrdup(CTR_DIR);
	m->type = sk_xstrdup("bind");
	m->source = sk_xasprintf("%s/%s/notify", sk_g.root, id);
	if (m->source[0] != '/') {
		char *abs = realpath(m->source, NULL);

		if (!abs)
			return sk_error_sys(err, "NOTIFY_SOCKET: %s", m->source);
		free(m->source);
		m->source = abs;
	}
	m->n_options = 0;
	m->options = NULL;
	{
		static const char *const opts[] = { "bind", "nosuid", "noexec", "nodev", "ro" };

		for (i = 0; i < SK_ARRAY_SIZE(opts); i++)
			m->options = strv_add(m->options, &m->n_options, sk_xstrdup(opts[i]));
	}
	/* replace a NOTIFY_SOCKET the config has, else add it */
	for (i = 0; i < c->process.n_env; i++)
		if (sk_str_has_prefix(c->process.env[i], "NOTIFY_SOCKET=")) {
			free(c->process.env[i]);
			c->process.env[i] = sk_xstrdup("NOTIFY_SOCKET=" CTR_SOCKET);
			return 0;
		}
	c->process.env = strv_add(c->process.env, &c->process.n_env,
				  sk_xstrdup("NOTIFY_SOCKET=" CTR_SOCKET));
	return 0;
}

int sk_notify_bind(int state_dirfd, const char *id, struct sk_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_free_ char *path = sk_xasprintf("%s/%s/notify/notify.sock", sk_g.root, id);
	int fd;

	if (faccessat(state_dirfd, "notify", F_OK, 0) < 0)
		return -2;      /* created without NOTIFY_SOCKET: nothing to do */
	if (strlen(path) >= sizeof(addr.sun_path))
		return sk_error(err, ENAMETOOLONG, "NOTIFY_SOCKET: %s: path too long", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sk_error_sys(err, "NOTIFY_SOCKET: socket");
	unlinkat(state_dirfd, "notify/notify.sock", 0);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		sk_error_sys(err, "NOTIFY_SOCKET: bind %s", path);
		close(fd);
		return -1;
	}
	/* the service may run as any user */
	fchmodat(state_dirfd, "notify/notify.sock", 0777, 0);
	return fd;
}

static int forward(const char *host, const char *line, size_t len, pid_t pid, struct sk_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	socklen_t alen;
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char buf[4200];
	int n;

	if (fd < 0)
		return sk_error_sys(err, "NOTIFY_SOCKET: socket");
	if (strlen(host) >= sizeof(addr.sun_path))
		return sk_error(err, ENAMETOOLONG, "NOTIFY_SOCKET %s: path too long", host);
	strcpy(addr.sun_path, host);
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(host));
	if (host[0] == '@')
		addr.sun_path[0] = '\0';     /* abstract namespace */
	else
		alen++;
	n = snprintf(buf, sizeof(buf), "%.*s\nMAINPID=%d\n", (int)len, line, (int)pid);
	if (sendto(fd, buf, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&addr, alen) < 0)
		return sk_error_sys(err, "NOTIFY_SOCKET %s: send", host);
	return 0;
}

int sk_notify_wait(int sock, int pidfd, pid_t pid, struct sk_error *err)
{
	const char *host = sk_notify_host_socket();
	char buf[4096];

	if (!host)
		return 0;
	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		ssize_t n;

		if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return sk_error_sys(err, "NOTIFY_SOCKET: poll");
		}
		if (p[0].revents & POLLIN) {
			n = recv(sock, buf, sizeof(buf) - 1, 0);
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				return sk_error_sys(err, "NOTIFY_SOCKET: receive");
			if (n > 0) {
				buf[n] = '\0';
				for (char *l = buf, *nl; l && *l; l = nl ? nl + 1 : NULL) {
					nl = strchr(l, '\n');
					if (sk_str_has_prefix(l, "READY="))
						return forward(host, l, nl ? (size_t)(nl - l) : strlen(l), pid, err);
				}
			}
		}
		/* the container exited before it was ready */
		if (p[1].revents & (POLLIN | POLLHUP))
			return 0;
	}
}
