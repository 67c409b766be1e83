/* skiff checkpoint: dump a running container with CRIU (src/criu.c), as
 * runc does: the container is gone afterwards unless --leave-running or
 * --pre-dump. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "criu.h"
#include "lifecycle.h"
#include "skiff/util.h"

/* The saved config.json of the container (bind mounts, masked paths). */
static int saved_config(struct sk_container *c, struct sk_config **cfg, struct sk_error *err)
{
	_cleanup_free_ char *raw = NULL;
	size_t len;

	if (sk_read_file_at(c->dirfd, "config.json", &raw, &len, 0, err) < 0 ||
	    sk_config_parse(raw, len, "config.json", cfg, err) < 0)
		return sk_error_ctx(err, "checkpoint: container \"%s\"", c->id);
	return 0;
}

/* runc's --page-server ADDR:PORT: with --lazy-pages where the dump
 * serves the pages (criu lazy-pages fetches them), otherwise a page
 * server the pages are sent to. */
static int page_server_args(struct sk_argv *a, const struct sk_criu_opts *o, struct sk_error *err)
{
	const char *colon = o->page_server ? strrchr(o->page_server, ':') : NULL;
	long long port;

	if (!o->page_server)
		return 0;
	if (!colon || colon == o->page_server || sk_parse_long(colon + 1, &port) < 0 ||
	    port <= 0 || port > 65535)
		return sk_error(err, EINVAL, "checkpoint: --page-server \"%s\": ADDRESS:PORT expected",
				o->page_server);
	if (!o->lazy_pages)
		sk_argv_add(a, "--page-server");
	sk_argv_add(a, "--address=%.*s", (int)(colon - o->page_server), o->page_server);
	sk_argv_add(a, "--port=%lld", port);
	return 0;
}

/* runc's --status-fd FD: criu writes a \0 there once the lazy pages can
 * be fetched; an fd open for writing that criu inherits. */
static int status_fd_args(struct sk_argv *a, const struct sk_criu_opts *o, struct sk_error *err)
{
	long long fd;
	int fl;

	if (!o->status_fd)
		return 0;
	if (sk_parse_long(o->status_fd, &fd) < 0 || fd < 0 || fd > INT_MAX)
		return sk_error(err, EINVAL, "checkpoint: --status-fd \"%s\": a file descriptor number expected",
				o->status_fd);
	fl = fcntl((int)fd, F_GETFL);
	if (fl < 0)
		return sk_error_sys(err, "checkpoint: --status-fd %lld", fd);
	if ((fl & O_ACCMODE) == O_RDONLY)
		return sk_error(err, EBADF, "checkpoint: --status-fd %lld: not open for writing", fd);
	if (fcntl((int)fd, F_SETFD, 0) < 0)
		return sk_error_sys(err, "checkpoint: --status-fd %lld", fd);
	sk_argv_add(a, "--status-fd=%lld", fd);
	return 0;
}

static int dump_args(struct sk_container *c, struct sk_criu_opts *o, const struct sk_config *cfg,
		     const char *log, struct sk_argv *a, struct sk_error *err)
{
	_cleanup_free_ char *proc_root = sk_xasprintf("/proc/%d/root", (int)c->state->pid);

	sk_argv_add(a, "criu");
	sk_argv_add(a, "%s", o->pre_dump ? "pre-dump" : "dump");
	sk_argv_add(a, "--tree=%d", (int)c->state->pid);
	sk_argv_add(a, "--root=%s", c->state->rootfs);
	sk_criu_common_args(a, o, log);
	if (o->pre_dump || o->parent_path)
		sk_argv_add(a, "--track-mem");
	if (o->parent_path)
		sk_argv_add(a, "--prev-images-dir=%s", o->parent_path);
	if (o->leave_running && !o->pre_dump)
		sk_argv_add(a, "--leave-running");
	sk_criu_ext_mounts(a, cfg, proc_root, false);
	/* process.terminal: the pty's master is outside (the console socket's
	 * holder): its slave is an external tty for criu, /dev/console (a
	 * bind of it) an external mount; restore gives both a new pty */
	if (cfg->process.terminal) {
		sk_argv_add(a, "--ext-mount-map=/dev/console:/dev/console");
		if (!o->pre_dump && sk_criu_terminal_dump(a, c->state->pid, o->image_path, err) < 0)
			return -1;
	}
	if (sk_criu_joined_ns(a, cfg, false, NULL, "checkpoint", err) < 0 ||
	    page_server_args(a, o, err) < 0 || status_fd_args(a, o, err) < 0)
		return -1;
	return 0;
}

static int checkpoint(struct sk_container *c, struct sk_criu_opts *o, struct sk_error *err)
{
	struct sk_config *cfg = NULL;
	struct sk_argv a = { 0 };
	const char *status = sk_container_status(c);
	const char *log = o->pre_dump ? "pre-dump.log" : "dump.log";
	int r = -1;

	if (strcmp(status, "running"))
		return sk_error(err, EINVAL, "checkpoint: container \"%s\" is not running (status %s)",
				c->id, status);
	if (saved_config(c, &cfg, err) < 0)
		return -1;
	/* with a user namespace criu opens (or looks for) some images from
	 * inside it, as the container's root: the dir searchable by others */
	if (sk_criu_opts_prepare(o, "checkpoint", sk_config_ns(cfg, SK_NS_USER) ? 0711 : 0700,
				 err) < 0) {
		sk_config_free(cfg);
		return -1;
	}
	if (o->lazy_pages && sk_criu_check_feature("uffd-noncoop", err) < 0)
		sk_error_ctx(err, "checkpoint: --lazy-pages");
	else if (dump_args(c, o, cfg, log, &a, err) < 0)
		;
	else if (!o->pre_dump && sk_criu_save_descriptors(c->state->pid, o->image_path, err) < 0)
		sk_error_ctx(err, "checkpoint: descriptors.json");
	else
		r = sk_criu_run(&a, o->work_path, log, NULL, "checkpoint", err);
	sk_config_free(cfg);
	sk_argv_free(&a);
	return r;
}

int sk_cmd_checkpoint(int argc, char **argv)
{
	struct sk_criu_opts o = { 0 };
	const struct sk_opt opts[] = {
		SK_CRIU_OPTS(o),
		{ "parent-path", 0, SK_OPT_STRING, &o.parent_path },
		{ "leave-running", 0, SK_OPT_FLAG, &o.leave_running },
		{ "pre-dump", 0, SK_OPT_FLAG, &o.pre_dump },
		{ "page-server", 0, SK_OPT_STRING, &o.page_server },
		{ "status-fd", 0, SK_OPT_STRING, &o.status_fd },
		{ NULL, 0, 0, NULL },
	};
	struct sk_error err = { 0 };
	struct sk_container c;
	char *pos[1];

	if (sk_parse_opts(argc, argv, opts, pos, 1, &err) != 1) {
		sk_log_error("%s", err.msg[0] ? err.msg : "checkpoint: a container id is required");
		return 1;
	}
	if (o.parent_path && o.parent_path[0] == '/') {
		sk_log_error("checkpoint: --parent-path %s: must be relative to --image-path "
			     "(as criu's --prev-images-dir)", o.parent_path);
		return 1;
	}
	if (sk_container_load(pos[0], &c, &err) < 0) {
		sk_log_error("%s", err.msg);
		return 1;
	}
	if (checkpoint(&c, &o, &err) < 0) {
		sk_log_error("%s", err.msg);
		sk_container_release(&c);
		return 1;
	}
	/* criu has stopped the processes: the container goes, as with runc */
	if (!o.leave_running && !o.pre_dump && sk_lifecycle_destroy(&c, &err) < 0) {
		sk_log_error("%s", err.msg);
		sk_container_release(&c);
		return 1;
	}
	sk_container_release(&c);
	return 0;
}
