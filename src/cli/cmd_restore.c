/* skiff restore: a container from a CRIU image (src/checkpoint/criu.c), created
 * under a new id the way create does (state dir, cgroup, state.json),
 * running once criu is done. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "criu.h"
#include "lifecycle.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"

struct restore {
	struct sk_criu_opts o;
	struct sk_create_opts c;
	bool no_subreaper;
	const char *id;
	char *bundle, *rootfs, *raw, *criu_root;
	size_t raw_len;
	struct sk_config *cfg;
	struct sk_cgroup cg;
	bool has_cg, mounted;
	pid_t pid;
};

static int load_bundle(struct restore *r, struct sk_error *err)
{
	const char *p;
	_cleanup_free_ char *joined = NULL;

	r->bundle = realpath(r->c.bundle ? r->c.bundle : ".", NULL);
	if (!r->bundle)
		return sk_error_sys(err, "restore: bundle %s", r->c.bundle ? r->c.bundle : ".");
	if (sk_config_load_raw(r->bundle, &r->cfg, &r->raw, &r->raw_len, err) < 0)
		return sk_error_ctx(err, "restore");
	if (r->cfg->process.terminal)
		return sk_error(err, ENOTSUP, "restore: process.terminal is true: "
				"restoring a terminal is not supported");
	p = r->cfg->root_path ? r->cfg->root_path : "rootfs";
	joined = p[0] == '/' ? sk_xstrdup(p) : sk_xasprintf("%s/%s", r->bundle, p);
	r->rootfs = realpath(joined, NULL);
	if (!r->rootfs)
		return sk_error_sys(err, "restore: root.path %s", p);
	return 0;
}

/* criu mounts the container's mounts back on their mountpoints in the
 * rootfs: make the missing ones (inside the rootfs, never through a
 * symlink out of it), as the create would. */
static int make_mountpoints(struct restore *r, struct sk_error *err)
{
	_cleanup_close_ int rootfd = open(r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return sk_error_sys(err, "restore: rootfs %s", r->rootfs);
	for (size_t i = 0; i < r->cfg->n_mounts; i++) {
		const struct sk_mount *m = &r->cfg->mounts[i];
		mode_t kind = S_IFDIR;
		struct stat st;
		int fd;

		if (m->source && m->source[0] == '/' && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode))
			kind = S_IFREG;
		fd = sk_open_in_root(rootfd, m->destination, O_PATH, kind, err);
		if (fd < 0)
			return sk_error_ctx(err, "restore: mountpoint of %s", m->destination);
		close(fd);
	}
	return 0;
}

/* criu pivots into --root, which must be a mount: the rootfs bound on
 * <state dir>/criu-root (runc does the same). */
static int mount_root(struct restore *r, struct sk_container *c, struct sk_error *err)
{
	r->criu_root = sk_xasprintf("%s/%s/criu-root", sk_g.root, c->id);
	if (mkdirat(c->dirfd, "criu-root", 0700) < 0)
		return sk_error_sys(err, "restore: %s", r->criu_root);
	if (mount(r->rootfs, r->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return sk_error_sys(err, "restore: bind %s on %s", r->rootfs, r->criu_root);
	r->mounted = true;
	return 0;
}

static void unmount_root(struct restore *r, struct sk_container *c)
{
	if (r->mounted && umount2(r->criu_root, MNT_DETACH) < 0)
		sk_log_warn("restore: unmount %s: %s", r->criu_root, sk_strerror(errno));
	r->mounted = false;
	if (c->dirfd >= 0)
		unlinkat(c->dirfd, "criu-root", AT_REMOVEDIR);
}

static int save_state(struct restore *r, struct sk_container *c, struct sk_error *err)
{
	return sk_lifecycle_save_state(c, r->pid, r->bundle, r->rootfs, r->has_cg ? &r->cg : NULL,
				       r->cfg, r->raw, r->raw_len, err);
}

static int run_criu(struct restore *r, struct sk_container *c, struct sk_error *err)
{
	_cleanup_free_ char *pidfile = sk_xasprintf("%s/%s/criu.pid", sk_g.root, c->id);
	_cleanup_free_ char *pidtext = NULL;
	struct sk_argv a = { 0 };
	long long pid;
	int rc;

	sk_argv_add(&a, "criu");
	sk_argv_add(&a, "restore");
	sk_argv_add(&a, "--root=%s", r->criu_root);
	sk_argv_add(&a, "--restore-detached");
	sk_argv_add(&a, "--restore-sibling");
	sk_argv_add(&a, "--pidfile=%s", pidfile);
	sk_criu_common_args(&a, &r->o, "restore.log");
	sk_criu_ext_mounts(&a, r->cfg, NULL, true);
	sk_criu_inherit_fds(&a, r->o.image_path);
	rc = sk_criu_run(&a, r->o.work_path, "restore.log", r->has_cg ? &r->cg : NULL, "restore", err);
	sk_argv_free(&a);
	if (rc < 0)
		return -1;
	if (sk_read_file_at(c->dirfd, "criu.pid", &pidtext, NULL, 64, err) < 0)
		return sk_error_ctx(err, "restore: criu's pid file");
	unlinkat(c->dirfd, "criu.pid", 0);
	if (sk_parse_long(pidtext, &pid) < 0 || pid <= 0)
		return sk_error(err, EINVAL, "restore: criu's pid file holds \"%s\"", pidtext);
	r->pid = (pid_t)pid;
	return 0;
}

static int restore(struct restore *r, struct sk_container *c, struct sk_error *err)
{
	struct stat st;
	_cleanup_free_ char *inv = NULL;

	if (sk_validate_id(r->id, err) < 0 || sk_criu_opts_prepare(&r->o, "restore", false, err) < 0)
		return -1;
	inv = sk_xasprintf("%s/inventory.img", r->o.image_path);
	if (stat(inv, &st) < 0)
		return sk_error(err, ENOENT, "restore: --image-path %s: no checkpoint there "
				"(inventory.img: %s)", r->o.image_path, sk_strerror(errno));
	if (r->o.lazy_pages && sk_criu_check_feature("uffd-noncoop", err) < 0)
		return sk_error_ctx(err, "restore: --lazy-pages");
	if (load_bundle(r, err) < 0)
		return -1;
	if (sk_container_new(r->id, c, err) < 0)
		return -1;
	if (!sk_g.cgroups_disabled) {
		if (sk_cgroup_create(r->cfg, c->id, &r->cg, err) < 0)
			goto fail;
		r->has_cg = true;
	}
	if (make_mountpoints(r, err) < 0 || mount_root(r, c, err) < 0)
		goto fail;
	/* the restored init becomes skiff's child (criu --restore-sibling);
	 * what it leaves behind is reaped here too */
	if (!r->no_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (run_criu(r, c, err) < 0)
		goto fail;
	unmount_root(r, c);
	if (save_state(r, c, err) < 0 ||
	    (r->c.pid_file && sk_write_pid_file(r->c.pid_file, r->pid, err) < 0))
		goto fail;
	sk_container_created(c);
	sk_log_debug("container %s: restored, init pid %d", c->id, (int)r->pid);
	return 0;
fail:
	unmount_root(r, c);
	if (r->pid > 0)
		kill(r->pid, SIGKILL);
	if (r->has_cg) {
		struct sk_error e = { 0 };

		sk_cgroup_destroy(&r->cg, &e);
	}
	sk_container_remove(c);
	return -1;
}

/* Foreground restore: wait for the init (our child), then delete the
 * container as run does; the exit status is the init's. */
static int wait_init(struct restore *r, struct sk_container *c)
{
	struct sk_error err = { 0 };
	int st, code;

	sk_container_unlock(c);
	while (waitpid(r->pid, &st, 0) < 0)
		if (errno != EINTR) {
			st = 0;
			break;
		}
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	sk_container_relock(c);
	if (sk_lifecycle_destroy(c, &err) < 0)
		sk_log_error("%s", err.msg);
	return code;
}

int sk_cmd_restore(int argc, char **argv)
{
	struct restore r = { .cg.dirfd = -1 };
	const struct sk_opt opts[] = {
		SK_CRIU_OPTS(r.o),
		{ "bundle", 'b', SK_OPT_STRING, &r.c.bundle },
		{ "detach", 'd', SK_OPT_FLAG, &r.c.detach },
		{ "pid-file", 0, SK_OPT_STRING, &r.c.pid_file },
		{ "console-socket", 0, SK_OPT_STRING, &r.c.console_socket },
		{ "no-subreaper", 0, SK_OPT_FLAG, &r.no_subreaper },
		{ "no-pivot", 0, SK_OPT_FLAG, &r.c.no_pivot },
		{ NULL, 0, 0, NULL },
	};
	struct sk_error err = { 0 };
	struct sk_container c = { .dirfd = -1, .lockfd = -1 };
	char *pos[1];
	int rc = 0;

	if (sk_parse_opts(argc, argv, opts, pos, 1, &err) != 1) {
		sk_log_error("%s", err.msg[0] ? err.msg : "restore: a container id is required");
		return 1;
	}
	r.id = pos[0];
	if (restore(&r, &c, &err) < 0) {
		sk_log_error("%s", err.msg);
		rc = 1;
	} else if (!r.c.detach) {
		rc = wait_init(&r, &c);
	}
	if (r.has_cg)
		sk_cgroup_release(&r.cg);
	sk_container_release(&c);
	sk_config_free(r.cfg);
	free(r.bundle);
	free(r.rootfs);
	free(r.raw);
	free(r.criu_root);
	return rc;
}
