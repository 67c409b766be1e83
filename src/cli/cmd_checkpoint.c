/* skiff checkpoint: dump a running container with CRIU (src/checkpoint/criu.c), as
 * runc does: the container is gone afterwards unless --leave-running or
 * --pre-dump. */
#include <errno.h>
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

static int checkpoint(struct sk_container *c, struct sk_criu_opts *o, struct sk_error *err)
{
	_cleanup_free_ char *proc_root = NULL;
	struct sk_config *cfg = NULL;
	struct sk_argv a = { 0 };
	const char *status = sk_container_status(c);
	const char *log = o->pre_dump ? "pre-dump.log" : "dump.log";
	int r;

	if (strcmp(status, "running"))
		return sk_error(err, EINVAL, "checkpoint: container \"%s\" is not running (status %s)",
				c->id, status);
	if (sk_criu_opts_prepare(o, "checkpoint", true, err) < 0 || saved_config(c, &cfg, err) < 0)
		return -1;
	if (cfg->process.terminal) {
		sk_config_free(cfg);
		return sk_error(err, ENOTSUP, "checkpoint: container \"%s\" has process.terminal: "
				"checkpointing a terminal is not supported", c->id);
	}
	if (o->lazy_pages && sk_criu_check_feature("uffd-noncoop", err) < 0) {
		sk_config_free(cfg);
		return sk_error_ctx(err, "checkpoint: --lazy-pages");
	}
	proc_root = sk_xasprintf("/proc/%d/root", (int)c->state->pid);
	sk_argv_add(&a, "criu");
	sk_argv_add(&a, "%s", o->pre_dump ? "pre-dump" : "dump");
	sk_argv_add(&a, "--tree=%d", (int)c->state->pid);
	sk_argv_add(&a, "--root=%s", c->state->rootfs);
	sk_criu_common_args(&a, o, log);
	if (o->pre_dump || o->parent_path)
		sk_argv_add(&a, "--track-mem");
	if (o->parent_path)
		sk_argv_add(&a, "--prev-images-dir=%s", o->parent_path);
	if (o->leave_running && !o->pre_dump)
		sk_argv_add(&a, "--leave-running");
	sk_criu_ext_mounts(&a, cfg, proc_root, false);
	sk_config_free(cfg);
	if (!o->pre_dump && sk_criu_save_descriptors(c->state->pid, o->image_path, err) < 0) {
		sk_argv_free(&a);
		return sk_error_ctx(err, "checkpoint: descriptors.json");
	}
	r = sk_criu_run(&a, o->work_path, log, NULL, "checkpoint", err);
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
