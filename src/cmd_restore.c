/* skiff restore: a container from a CRIU image (src/criu.c), created
 * under a new id the way create does (state dir, cgroup, state.json),
 * running once criu is done. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	char *bundle, *rootfs, *raw, *criu_root, *console;
	size_t raw_len;
	struct sk_config *cfg;
	struct sk_cgroup cg;
	bool has_cg;
	int master, slave;         /* process.terminal: the new pty */
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
	if (r->cfg->process.terminal && !r->c.console_socket)
		return sk_error(err, EINVAL, "restore: process.terminal is true but no --console-socket "
				"was given (skiff does not proxy a restored container's terminal)");
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

/* criu pivots into --root, which must be a mount: the rootfs, bound on
 * <state dir>/criu-root in a mount namespace of criu's own (runc binds it
 * on the host: a skiff killed there would leave the mount, and delete's
 * removal of the state dir would then go into the rootfs). */
static int make_root_dir(struct restore *r, struct sk_container *c, struct sk_error *err)
{
	r->criu_root = sk_xasprintf("%s/%s/criu-root", sk_g.root, c->id);
	if (mkdirat(c->dirfd, "criu-root", 0700) < 0)
		return sk_error_sys(err, "restore: %s", r->criu_root);
	return 0;
}

/* process.terminal: the dumped pty's master was outside the container
 * (with the console socket's holder), criu cannot make it again.  A new
 * pty instead: its slave goes to criu for the image's external tty (the
 * init's stdio and controlling terminal) and is the source of the
 * /dev/console mount (external at dump); its master goes to
 * --console-socket once the restore is done, as runc's (which gets it
 * from criu's orphan-pts-master RPC notification). */
static int open_terminal(struct restore *r, struct sk_error *err)
{
	struct stat ss, ps;
	int num;

	r->master = sk_pty_open(&r->cfg->process, &r->slave, &num, err);
	if (r->master < 0)
		return sk_error_ctx(err, "restore");
	/* inherited by criu: not close-on-exec */
	if (fcntl(r->slave, F_SETFD, 0) < 0)
		return sk_error_sys(err, "restore: the pty's slave");
	/* the mount's source by its path (criu cannot bind it through a
	 * /proc/<pid>/fd link): the slave under /dev/pts, if that is the
	 * devpts /dev/ptmx opened it in */
	r->console = sk_xasprintf("/dev/pts/%d", num);
	if (fstat(r->slave, &ss) < 0 || stat(r->console, &ps) < 0 || ss.st_rdev != ps.st_rdev ||
	    ss.st_dev != ps.st_dev)
		return sk_error(err, ENOENT, "restore: process.terminal: %s is not the pty opened "
				"through /dev/ptmx (another devpts)", r->console);
	return 0;
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
	struct sk_criu_child ch = { .cgroup = r->has_cg ? &r->cg : NULL, .bind_src = r->rootfs,
				    .bind_dst = r->criu_root };
	struct sk_argv a = { 0 };
	int nsfd[SK_NS_TYPES];
	long long pid;
	int rc;

	for (size_t i = 0; i < SK_ARRAY_SIZE(nsfd); i++)
		nsfd[i] = -1;
	sk_argv_add(&a, "criu");
	sk_argv_add(&a, "restore");
	sk_argv_add(&a, "--root=%s", r->criu_root);
	sk_argv_add(&a, "--restore-detached");
	sk_argv_add(&a, "--restore-sibling");
	sk_argv_add(&a, "--pidfile=%s", pidfile);
	sk_criu_common_args(&a, &r->o, "restore.log");
	sk_criu_ext_mounts(&a, r->cfg, NULL, true);
	sk_criu_inherit_fds(&a, r->o.image_path);
	rc = 0;
	if (r->slave >= 0) {
		sk_argv_add(&a, "--ext-mount-map=/dev/console:%s", r->console);
		rc = sk_criu_terminal_restore(&a, r->o.image_path, r->slave, err);
	}
	if (rc == 0)
		rc = sk_criu_joined_ns(&a, r->cfg, true, nsfd, "restore", err);
	if (rc == 0)
		rc = sk_criu_run(&a, r->o.work_path, "restore.log", &ch, "restore", err);
	sk_argv_free(&a);
	for (size_t i = 0; i < SK_ARRAY_SIZE(nsfd); i++)
		if (nsfd[i] >= 0)
			close(nsfd[i]);
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

/* The restored process has the pty: its master to --console-socket. */
static int send_terminal(struct restore *r, struct sk_error *err)
{
	if (r->master < 0)
		return 0;
	close(r->slave);
	r->slave = -1;
	if (sk_terminal_send(r->c.console_socket, r->master, err) < 0)
		return sk_error_ctx(err, "restore");
	close(r->master);
	r->master = -1;
	return 0;
}

/* With a user namespace criu opens (or looks for) some images from
 * inside it, as the container's root (EACCES, not ENOENT, for a missing
 * one in a directory it cannot search): checkpoint makes the image dir
 * 0711 for such a container; one made otherwise is refused here. */
static int userns_images(struct restore *r, struct sk_error *err)
{
	struct stat st;

	if (!sk_config_ns(r->cfg, SK_NS_USER) || (stat(r->o.image_path, &st) == 0 &&
						   (st.st_mode & S_IXOTH)))
		return 0;
	return sk_error(err, EACCES, "restore: --image-path %s: a container with a user namespace "
			"needs the image directory searchable by others (criu reads images inside the "
			"namespace): chmod o+x %s", r->o.image_path, r->o.image_path);
}

/* --lazy-pages: criu restore fetches the pages from `criu lazy-pages`,
 * started before (as runc's) with the same work dir, where its socket is. */
static int lazy_pages_daemon(struct restore *r, struct sk_error *err)
{
	_cleanup_free_ char *sock = sk_xasprintf("%s/lazy-pages.socket", r->o.work_path);
	struct stat st;

	if (sk_criu_check_feature("uffd-noncoop", err) < 0)
		return sk_error_ctx(err, "restore: --lazy-pages");
	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return sk_error(err, ENOENT, "restore: --lazy-pages: no criu lazy-pages daemon for "
				"--work-path %s (no %s: start `criu lazy-pages --images-dir %s "
				"--work-dir %s` first)", r->o.work_path, sock, r->o.image_path,
				r->o.work_path);
	return 0;
}

static int restore(struct restore *r, struct sk_container *c, struct sk_error *err)
{
	struct stat st;
	_cleanup_free_ char *inv = NULL;

	if (sk_validate_id(r->id, err) < 0 || sk_criu_opts_prepare(&r->o, "restore", 0, err) < 0)
		return -1;
	inv = sk_xasprintf("%s/inventory.img", r->o.image_path);
	if (stat(inv, &st) < 0)
		return sk_error(err, ENOENT, "restore: --image-path %s: no checkpoint there "
				"(inventory.img: %s)", r->o.image_path, sk_strerror(errno));
	if (r->o.lazy_pages && lazy_pages_daemon(r, err) < 0)
		return -1;
	if (load_bundle(r, err) < 0 || userns_images(r, err) < 0)
		return -1;
	if (sk_container_new(r->id, c, err) < 0)
		return -1;
	sk_fault("restore-dir");
	/* recorded before it is made, as create's (docs/state.md) */
	if (!sk_g.cgroups_disabled &&
	    sk_cgroup_create_recorded(r->cfg, c->id, c->dirfd, "restore", &r->cg, &r->has_cg, err) < 0)
		goto fail;
	if (make_mountpoints(r, err) < 0 || make_root_dir(r, c, err) < 0 ||
	    (r->cfg->process.terminal && open_terminal(r, err) < 0))
		goto fail;
	/* the restored init becomes skiff's child (criu --restore-sibling);
	 * what it leaves behind is reaped here too */
	if (!r->no_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (run_criu(r, c, err) < 0)
		goto fail;
	sk_fault("restore-criu-done");
	unlinkat(c->dirfd, "criu-root", AT_REMOVEDIR);
	if (send_terminal(r, err) < 0 || save_state(r, c, err) < 0 ||
	    (r->c.pid_file && sk_write_pid_file(r->c.pid_file, r->pid, err) < 0))
		goto fail;
	sk_container_created(c);
	sk_log_debug("container %s: restored, init pid %d", c->id, (int)r->pid);
	return 0;
fail:
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
	struct restore r = { .cg.dirfd = -1, .master = -1, .slave = -1 };
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
	free(r.console);
	if (r.master >= 0)
		close(r.master);
	if (r.slave >= 0)
		close(r.slave);
	return rc;
}
