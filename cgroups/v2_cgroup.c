/* The cgroup v2 driver: the container's cgroup is a cgroup2 directory
 * below the v2 mount; creation (limits applied by v2.c and ebpf.c before
 * any process enters), freeze through cgroup.freeze, removal.  The hybrid
 * and systemd drivers build on these functions (driver.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "driver.h"
#include "v2.h"

#define CG_MAX_DEPTH 64

/* Bounds of the waits this file makes. */
#define RMDIR_TRIES   100	/* x 10 ms: about 1 s */
#define FREEZE_TRIES  200	/* x 10 ms: about 2 s */

/* ---- create / open ---- */

/* A process put into a frozen cgroup never runs: the container would
 * hang in create.  Refused as runc does ("container's cgroup unexpectedly
 * frozen"); a new cgroup is frozen too when a parent is. */
static int refuse_frozen(int fd, const char *path, struct sk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	struct sk_error e;

	if (sk_read_file_at(fd, "cgroup.events", &buf, NULL, 4096, &e) < 0)
		return 0;	/* no cgroup.events (before Linux 5.2): no freezer */
	if (!strstr(buf, "\nfrozen 1") && !sk_str_has_prefix(buf, "frozen 1"))
		return 0;
	return sk_error(err, EBUSY, "cgroup %s is frozen: thaw it first "
			"(container's cgroup unexpectedly frozen)", path);
}

/* Split "a/b/c" into levels: ends[i] is the length of the first i+1 levels. */
static int split_levels(const char *rel, size_t *ends, int *levels, struct sk_error *err)
{
	const char *s;
	int n = 0;

	for (s = rel; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		if (n == CG_MAX_DEPTH)
			return sk_error(err, EINVAL, "cgroup /%s: more than %d levels",
					rel, CG_MAX_DEPTH);
		ends[n++] = (size_t)(s - rel);
		if (!*s)
			break;
	}
	*levels = n;
	return 0;
}

/* Remove the levels of `rel` we created, deepest first. */
static void rmdir_levels(int rootfd, const char *rel, const size_t *ends,
			 const bool *created, int levels)
{
	_cleanup_free_ char *p = sk_xstrdup(rel);
	int l;

	for (l = levels - 1; l >= 0; l--) {
		p[ends[l]] = '\0';
		if (created[l])
			unlinkat(rootfd, p, AT_REMOVEDIR);
	}
}

int sk_cg2_make(const char *path, const struct sk_cg2_hooks *h, struct sk_cgroup *out,
		struct sk_error *err)
{
	const char *mnt;
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int rootfd = -1;
	size_t ends[CG_MAX_DEPTH];
	bool created[CG_MAX_DEPTH] = { false };
	int fd = -1, levels = 0, i;
	bool owned = true;

	if (sk_cgroup_detect(NULL, &mnt, err) < 0)
		return -1;
	rel = sk_xstrdup(path + 1);
	if (split_levels(rel, ends, &levels, err) < 0)
		return -1;

	rootfd = open(mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return sk_error_sys(err, "open %s", mnt);
	if (h && h->before && h->before(rootfd, h->arg, err) < 0)
		return -1;

	/* mkdir one level at a time, remembering which levels we made. */
	for (i = 0; i < levels; i++) {
		char saved = rel[ends[i]];
		int r;

		rel[ends[i]] = '\0';
		r = mkdirat(rootfd, rel, 0755);
		rel[ends[i]] = saved;
		if (r == 0) {
			created[i] = true;
		} else if (errno != EEXIST) {
			sk_error_sys(err, "create cgroup %s", path);
			goto fail;
		} else if (i == levels - 1) {
			owned = false;
		}
	}

	fd = openat(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		sk_error_sys(err, "open cgroup %s", path);
		goto fail;
	}
	if (refuse_frozen(fd, path, err) < 0)
		goto fail;
	if (!owned) {
		struct sk_pidv l = { 0 };
		int r = sk_cg_pids_at(fd, ".", &l, err);

		free(l.v);
		if (r < 0) {
			sk_error_ctx(err, "cgroup %s", path);
			goto fail;
		}
		if (l.n) {
			sk_error(err, EBUSY, "cgroup %s is already in use", path);
			goto fail;
		}
	}
	if (h && h->after && h->after(rootfd, rel, fd, path, h->arg, err) < 0)
		goto fail;

	out->path = sk_xstrdup(path);
	out->dir = sk_xasprintf("%s%s", mnt, path);
	out->dirfd = fd;
	out->owned = owned;
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	rmdir_levels(rootfd, rel, ends, created, levels);
	return -1;
}

/* The unified host's limits: checked (sk_cg2_check) before the path is
 * worked out, the controllers available before any mkdir, applied before
 * any process enters (the init is cloned into the cgroup). */
struct v2_limits {
	const struct sk_config *c;
	struct sk_cg_ctrls need;
};

static int v2_available(int rootfd, void *arg, struct sk_error *err)
{
	struct v2_limits *x = arg;

	return sk_cg2_check_available(rootfd, &x->need, SK_CGROUP_UNIFIED, err);
}

static int v2_limits(int rootfd, const char *rel, int fd, const char *path, void *arg,
		     struct sk_error *err)
{
	struct v2_limits *x = arg;
	const struct sk_config *c = x->c;

	(void)path;
	if (sk_cg2_enable(rootfd, rel, &x->need, err) < 0 ||
	    (c && sk_cg2_apply(fd, &c->linux.resources, false, err) < 0) ||
	    (c && c->linux.resources.n_devices && sk_cg2_devices(fd, c, err) < 0))
		return -1;
	return 0;
}

static int v2_create(const struct sk_config *c, const char *id, struct sk_cgroup *out,
		     struct sk_error *err)
{
	struct v2_limits x = { .c = c, .need = { .n = 0 } };
	const struct sk_cg2_hooks h = { v2_available, v2_limits, &x };
	_cleanup_free_ char *path = NULL;

	/* Check the limits before anything is created. */
	if (c && sk_cg2_check(&c->linux.resources, &x.need, err) < 0)
		return -1;
	if (sk_cg_path(c, id, false, &path, err) < 0)
		return -1;
	return sk_cg2_make(path, &h, out, err);
}

int sk_cg2_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		struct sk_error *err)
{
	const char *mnt;

	if (sk_cgroup_detect(NULL, &mnt, err) < 0 || sk_cg_path(c, id, false, path, err) < 0)
		return -1;
	*dir = sk_xasprintf("%s%s", mnt, *path);
	return 0;
}

int sk_cg2_open(const char *dir, bool owned, const char *owned_parts, struct sk_cgroup *out,
		struct sk_error *err)
{
	const char *mnt;
	size_t mlen;
	int fd;

	(void)owned_parts;	/* one cgroup: `owned` says it all */
	if (sk_cgroup_detect(NULL, &mnt, err) < 0)
		return -1;
	mlen = strlen(mnt);
	if (strncmp(dir, mnt, mlen) || (dir[mlen] != '/' && dir[mlen] != '\0'))
		return sk_error(err, EINVAL, "cgroup %s is not below %s", dir, mnt);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", dir);
	out->path = sk_xstrdup(dir[mlen] ? dir + mlen : "/");
	out->dir = sk_xstrdup(dir);
	out->dirfd = fd;
	out->owned = owned;
	return 0;
}

/* ---- freeze ---- */

int sk_cg2_is_frozen(struct sk_cgroup *cg)
{
	struct sk_error e;
	long long v;
	bool fresh;
	int fd, r;

	fd = sk_cg_fd(cg, &fresh);

	if (fd < 0)
		return -1;
	if (!sk_cg_has_file(fd, "cgroup.events"))
		r = -1;
	else if (sk_cg_read_key(fd, "cgroup.events", "frozen", &v, &e) == 0)
		r = v ? 1 : 0;
	else
		r = e.errnum == ENOENT ? 0 : -1;	/* no `frozen` key: no freezer */
	if (fresh)
		close(fd);
	return r;
}

static int set_freeze(int fd, bool frozen, struct sk_error *err)
{
	return sk_write_file_at(fd, "cgroup.freeze", frozen ? "1" : "0", 1, err);
}

int sk_cg2_freeze(struct sk_cgroup *cg, bool frozen, struct sk_error *err)
{
	bool fresh;
	int fd, r = -1, i;
	long long v = -1;

	fd = sk_cg_fd(cg, &fresh);

	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", cg->dir ? cg->dir : "?");
	if (!sk_cg_has_file(fd, "cgroup.freeze")) {
		sk_error(err, ENOTSUP, "cgroup %s: no cgroup.freeze (needs Linux 5.2 or later)",
			 cg->dir);
		goto out;
	}
	if (set_freeze(fd, frozen, err) < 0) {
		sk_error_ctx(err, "cgroup %s", cg->dir);
		goto out;
	}
	for (i = 0; i < FREEZE_TRIES; i++) {
		if (sk_cg_read_key(fd, "cgroup.events", "frozen", &v, err) < 0) {
			sk_error_ctx(err, "cgroup %s", cg->dir);
			goto out;
		}
		if ((v != 0) == frozen) {
			r = 0;
			goto out;
		}
		sk_cg_sleep_ms(i < 10 ? 1 : 10);
	}
	sk_error(err, ETIMEDOUT, "cgroup %s: timed out waiting for it to %s", cg->dir,
		 frozen ? "freeze" : "thaw");
	if (frozen) {
		struct sk_error ignored;

		/* Do not leave it half frozen. */
		set_freeze(fd, false, &ignored);
	}
out:
	if (fresh)
		close(fd);
	return r;
}

/* ---- destroy ---- */

static int rmdir_one(int dfd, const char *rel, void *arg, struct sk_error *err)
{
	const char *self = arg;

	if (rel == self)
		return 0;	/* the cgroup itself: the caller decides */
	if (unlinkat(dfd, rel, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return sk_error_sys(err, "rmdir %s", rel);
	return 0;
}

int sk_cg2_destroy(struct sk_cgroup *cg, struct sk_error *err)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int pfd = -1;
	const char *leaf;
	bool fresh;
	int fd, i, r = -1;

	if (!cg->dir)
		return 0;
	fd = sk_cg_fd(cg, &fresh);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;	/* already gone */
		return sk_error_sys(err, "open cgroup %s", cg->dir);
	}
	parent = sk_xstrdup(cg->dir);
	leaf = strrchr(parent, '/');
	if (!leaf || leaf == parent) {
		sk_error(err, EINVAL, "cgroup %s: refusing to remove it", cg->dir);
		goto out;
	}
	parent[leaf - parent] = '\0';
	leaf = cg->dir + (leaf - parent) + 1;
	pfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		sk_error_sys(err, "open %s", parent);
		goto out;
	}

	/* The common case first: the processes are gone and the container
	 * made no cgroups below, so rmdir succeeds at once (EBUSY otherwise,
	 * for either reason: then kill, walk and retry below). */
	if (cg->owned && (unlinkat(pfd, leaf, AT_REMOVEDIR) == 0 || errno == ENOENT)) {
		r = 0;
		goto out;
	}
	for (i = 0; i < RMDIR_TRIES; i++) {
		struct sk_pidv l = { 0 };
		static const char self[] = ".";
		int busy;

		if (i > 0)
			sk_cg_sleep_ms(10);
		if (sk_cg_pids_at(fd, self, &l, err) < 0) {
			free(l.v);
			sk_error_ctx(err, "cgroup %s", cg->dir);
			goto out;
		}
		busy = l.n > 0;
		if (busy && i % 10 == 0) {
			/* Kill again now and then: a fork may race the first kill
			 * when there is no cgroup.kill. */
			if (sk_cg_has_file(fd, "cgroup.kill")) {
				if (sk_write_file_at(fd, "cgroup.kill", "1", 1, err) < 0) {
					free(l.v);
					sk_error_ctx(err, "cgroup %s", cg->dir);
					goto out;
				}
			} else if (sk_cg_kill_pids(&l, SIGKILL, err) < 0) {
				free(l.v);
				sk_error_ctx(err, "cgroup %s", cg->dir);
				goto out;
			}
		}
		free(l.v);
		if (busy)
			continue;
		/* Sub-cgroups depth first (the container made them, also in a
		 * cgroup we reused), then the cgroup itself when we made it. */
		if (sk_cg_walk(fd, self, true, rmdir_one, (void *)self, 0, err) < 0) {
			if (err->errnum == EBUSY)
				continue;
			sk_error_ctx(err, "cgroup %s", cg->dir);
			goto out;
		}
		if (!cg->owned) {
			r = 0;
			goto out;
		}
		if (unlinkat(pfd, leaf, AT_REMOVEDIR) == 0 || errno == ENOENT) {
			r = 0;
			goto out;
		}
		if (errno != EBUSY) {
			sk_error_sys(err, "rmdir %s", cg->dir);
			goto out;
		}
	}
	sk_error(err, EBUSY, "cgroup %s: still busy after killing its processes, giving up",
		 cg->dir);
out:
	if (fresh)
		close(fd);
	return r;
}

/* ---- attach ---- */

/* The init is placed with CLONE_INTO_CGROUP when the cgroup is open. */
static bool v2_needs_attach(const struct sk_cgroup *cg)
{
	return cg->dirfd < 0;
}

int sk_cg2_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	_cleanup_free_ char *procs = sk_xasprintf("%s/cgroup.procs", cg->dir);

	return sk_write_file_at(AT_FDCWD, procs, buf, (size_t)n, err);
}

const struct sk_cgroup_driver sk_cg_driver_v2 = {
	.name = "v2",
	.mode = SK_CGROUP_UNIFIED,
	.memory_limit_file = "memory.max",
	.plan = sk_cg2_plan,
	.create = v2_create,
	.open = sk_cg2_open,
	.destroy = sk_cg2_destroy,
	.needs_attach = v2_needs_attach,
	.attach = sk_cg2_attach,
	.freeze = sk_cg2_freeze,
	.is_frozen = sk_cg2_is_frozen,
	.signal_all = sk_cg_signal_all,
	.pids = sk_cg_pids,
	.update = sk_cg2_update,
	.stats_json = sk_cg2_stats_json,
	.oom_kills = sk_cg2_oom_kills,
	.pids_max_hits = sk_cg2_pids_max_hits,
	.memory_max = sk_cg2_memory_max,
	.peaks = sk_cg2_peaks,
};
