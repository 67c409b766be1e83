/* skiff create, skiff start. */
#include <errno.h>
#include <fcntl.h>
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

int sk_cmd_start(int argc, char **argv)
{
	const struct sk_opt opts[] = { { NULL, 0, 0, NULL } };
	struct sk_error err = { 0 };
	struct sk_container c;
	const char *status;
	char *pos[1];
	int fd;

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
		sk_log_error("cannot start container \"%s\": it is %s, not created", c.id, status);
		sk_container_release(&c);
		return 1;
	}
	/* A reader is there (the init holds the fifo open) unless it died. */
	fd = openat(c.dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		sk_log_error("cannot start container \"%s\": %s", c.id,
			     errno == ENXIO ? "its init process is gone" : strerror(errno));
		if (fd >= 0)
			close(fd);
		sk_container_release(&c);
		return 1;
	}
	close(fd);
	unlinkat(c.dirfd, "exec.fifo", 0);
	sk_lifecycle_hooks(&c, SK_HOOK_POSTSTART, "running");
	sk_container_release(&c);
	return 0;
}
