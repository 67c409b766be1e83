/* The container's cgroup in the v2 hierarchy: detection of the host mode,
 * path rules, creation, freeze, signals, pids and removal.
 *
 * linux.resources: on a unified host the v2 driver (v2.c, ebpf.c) applies
 * them before any process enters the cgroup; on hybrid and legacy hosts
 * they belong to the v1 driver (the mode checks below say which). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "systemd.h"
#include "v1.h"
#include "v2.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG_ROOT      "/sys/fs/cgroup"
#define CG_UNIFIED   "/sys/fs/cgroup/unified"
#define CG_MAX_DEPTH 64

/* Bounds of the waits this file makes. */
#define RMDIR_TRIES   100	/* x 10 ms: about 1 s */
#define FREEZE_TRIES  200	/* x 10 ms: about 2 s */

const char *sk_cgroup_mode_name(enum sk_cgroup_mode m)
{
	switch (m) {
	case SK_CGROUP_UNIFIED:
		return "unified";
	case SK_CGROUP_HYBRID:
		return "hybrid";
	case SK_CGROUP_LEGACY:
		return "legacy";
	}
	return "unknown";
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool is_cgroup2(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int sk_cgroup_detect(enum sk_cgroup_mode *mode, const char **v2_mount, struct sk_error *err)
{
	static bool detected;
	static enum sk_cgroup_mode c_mode;
	static const char *c_mount;
	struct statfs sfs;

	if (!detected) {
		if (statfs(CG_ROOT, &sfs) < 0)
			return sk_error_sys(err, "statfs %s", CG_ROOT);
		if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
			c_mode = SK_CGROUP_UNIFIED;
			c_mount = CG_ROOT;
		} else if (is_cgroup2(CG_UNIFIED)) {
			c_mode = SK_CGROUP_HYBRID;
			c_mount = CG_UNIFIED;
		} else {
			c_mode = SK_CGROUP_LEGACY;
			c_mount = NULL;
		}
		detected = true;
	}
	if (mode)
		*mode = c_mode;
	if (v2_mount)
		*v2_mount = c_mount;
	return 0;
}

/* ---- the systemd driver (cgroups/systemd_cg.c) ---- */

static bool use_systemd;

void sk_cgroup_use_systemd(bool on)
{
	use_systemd = on;
}

void sk_cgroup_set_unit(struct sk_cgroup *cg, const char *unit)
{
	free(cg->unit);
	cg->unit = unit ? sk_xstrdup(unit) : NULL;
}

char *sk_cgroup_plan_unit(const struct sk_config *c, const char *id)
{
	char *dir = NULL, *path = NULL, *unit = NULL;
	struct sk_error e;

	if (use_systemd && sk_sd_cg_plan(c, id, &dir, &path, &unit, &e) < 0)
		unit = NULL;
	free(dir);
	free(path);
	return unit;
}

/* ---- linux.resources: which driver applies them ---- */

/* Hybrid and legacy hosts: limits go to the v1 hierarchies through the v1
 * driver (cgroups/v1*.c, see skiff/cgroups.h). */

/* ---- paths ---- */

/* The caller's own cgroup: the "0::" line of /proc/self/cgroup.
 *
 * v1: a legacy host where cgroup2 was never mounted has no "0::" line at
 * all (the kernel shows the default hierarchy only once it has been
 * mounted): "/" then, the own_ref the v1 driver uses in that case, so that
 * the path maps below the caller's cgroup in each v1 hierarchy. */
static int own_cgroup(char **out, bool legacy, struct sk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL;

	if (sk_read_file_at(AT_FDCWD, "/proc/self/cgroup", &buf, NULL, 1 << 20, err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!sk_str_has_prefix(line, "0::"))
			continue;
		line += 3;
		if (line[0] != '/')
			break;
		*out = sk_xstrdup(line);
		return 0;
	}
	if (legacy) {
		*out = sk_xstrdup("/");
		return 0;
	}
	return sk_error(err, ENOENT, "/proc/self/cgroup: no cgroup v2 (\"0::\") entry");
}

/* Append the components of `p` to `dst` ("/a/b"), skipping empty and "."
 * components.  ".." is an error naming `what`. */
static int append_components(char **dst, const char *p, const char *what,
			     struct sk_error *err)
{
	_cleanup_free_ char *copy = sk_xstrdup(p);
	char *comp, *save = NULL;

	for (comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		char *n;

		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, ".."))
			return sk_error(err, EINVAL, "%s `%s`: \"..\" components are not allowed",
					what, p);
		n = sk_xasprintf("%s/%s", *dst, comp);
		free(*dst);
		*dst = n;
	}
	return 0;
}

static int cgroup_path(const struct sk_config *c, const char *id, bool legacy, char **out,
		       struct sk_error *err)
{
	const char *cp = c ? c->linux.cgroups_path : NULL;
	_cleanup_free_ char *own = NULL;
	_cleanup_free_ char *p = sk_xstrdup("");

	if (cp && cp[0] == '/') {
		if (append_components(&p, cp, "linux.cgroupsPath", err) < 0)
			return -1;
	} else {
		if (own_cgroup(&own, legacy, err) < 0)
			return -1;
		if (append_components(&p, own, "own cgroup", err) < 0)
			return sk_error_ctx(err, "the caller's cgroup is outside its cgroup namespace");
		if (cp && cp[0]) {
			if (append_components(&p, cp, "linux.cgroupsPath", err) < 0)
				return -1;
		} else {
			if (!id || !id[0] || strchr(id, '/') || !strcmp(id, ".") ||
			    !strcmp(id, ".."))
				return sk_error(err, EINVAL,
						"container id `%s` cannot name a cgroup",
						id ? id : "");
			if (append_components(&p, id, "container id", err) < 0)
				return -1;
		}
	}
	if (!p[0])
		return sk_error(err, EINVAL,
				"linux.cgroupsPath `%s`: the root cgroup cannot be the container's cgroup",
				cp ? cp : "");
	*out = p;
	p = NULL;
	return 0;
}

/* ---- reading cgroup files ---- */

typedef int (*cg_visit_fn)(int dfd, const char *rel, void *arg, struct sk_error *err);

/* Call fn on `rel` below `parent` and on every descendant, children
 * first when `post` is set, else parents first. */
static int walk(int parent, const char *rel, bool post, cg_visit_fn fn, void *arg,
		int depth, struct sk_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (depth > CG_MAX_DEPTH)
		return sk_error(err, ELOOP, "%s: cgroup tree too deep", rel);
	fd = openat(parent, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && depth > 0)
			return 0;	/* removed while we walked */
		return sk_error_sys(err, "open %s", rel);
	}
	if (!post && fn(parent, rel, arg, err) < 0) {
		close(fd);
		return -1;
	}
	d = fdopendir(fd);
	if (!d) {
		sk_error_sys(err, "opendir %s", rel);
		close(fd);
		return -1;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		if (walk(dirfd(d), de->d_name, post, fn, arg, depth + 1, err) < 0)
			return depth ? sk_error_ctx(err, "%s", rel) : -1;
		errno = 0;
	}
	if (errno)
		return sk_error_sys(err, "readdir %s", rel);
	if (post && fn(parent, rel, arg, err) < 0)
		return -1;
	return 0;
}

int sk_cgroup_read_procs(int dfd, const char *file, struct sk_pidv *l, struct sk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL;

	if (sk_read_file_at(dfd, file, &buf, NULL, 0, err) < 0) {
		if (err->errnum == ENOENT || err->errnum == ENODEV)
			return 0;	/* cgroup removed meanwhile */
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long long v;

		if (sk_parse_long(line, &v) < 0 || v <= 0)
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->v = sk_xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[l->n++] = (pid_t)v;
	}
	return 0;
}

static int collect_procs(int dfd, const char *rel, void *arg, struct sk_error *err)
{
	_cleanup_free_ char *file = sk_xasprintf("%s/cgroup.procs", rel);

	return sk_cgroup_read_procs(dfd, file, arg, err);
}

static int pids_at(int dfd, const char *name, struct sk_pidv *l, struct sk_error *err)
{
	return walk(dfd, name, false, collect_procs, l, 0, err);
}

/* The value of `key` in a flat keyed file like cgroup.events. */
static int read_key(int dfd, const char *file, const char *key, long long *out,
		    struct sk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL;
	size_t klen = strlen(key);

	if (sk_read_file_at(dfd, file, &buf, NULL, 1 << 16, err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen) || line[klen] != ' ')
			continue;
		if (sk_parse_long(line + klen + 1, out) < 0)
			return sk_error(err, EINVAL, "%s: bad value for `%s`", file, key);
		return 0;
	}
	return sk_error(err, ENOENT, "%s: no `%s` key", file, key);
}

static bool has_file(int dfd, const char *name)
{
	return faccessat(dfd, name, F_OK, 0) == 0;
}

/* ---- create / open / release ---- */

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

/* v1: legacy host: the cgroup of the v1 tracking hierarchy stands for the
 * container (dir), the init is attached by pid (dirfd -1). */
static int create_legacy(const struct sk_config *c, const char *path,
			 struct sk_cgroup *out, struct sk_error *err)
{
	if (sk_cgroup_v1_create(c, path, SK_CGROUP_LEGACY, &out->v1, err) < 0)
		return -1;
	out->mode = SK_CGROUP_LEGACY;
	out->path = sk_xstrdup(sk_cgroup_v1_track_path(out->v1));
	out->dir = sk_xstrdup(sk_cgroup_v1_track_dir(out->v1));
	out->dirfd = -1;
	out->owned = sk_cgroup_v1_track_owned(out->v1);
	return 0;
}

int sk_cgroup_create(const struct sk_config *c, const char *id,
		     struct sk_cgroup *out, struct sk_error *err)
{
	enum sk_cgroup_mode mode;
	const char *mnt;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int rootfd = -1;
	size_t ends[CG_MAX_DEPTH];
	bool created[CG_MAX_DEPTH] = { false };
	int fd = -1, levels = 0, i;
	bool owned = true;
	struct sk_cg_ctrls need = { .n = 0 };

	out->v1 = NULL;	/* v1 */
	if (use_systemd)
		return sk_sd_cg_create(c, id, out, err);
	if (sk_cgroup_detect(&mode, &mnt, err) < 0)
		return -1;
	/* Check the limits before anything is created. */
	if (mode == SK_CGROUP_UNIFIED) {
		if (c && sk_cg2_check(&c->linux.resources, &need, err) < 0)
			return -1;
	}	/* v1: the v1 driver checks its limits before it creates anything */
	if (cgroup_path(c, id, mode == SK_CGROUP_LEGACY, &path, err) < 0)
		return -1;
	if (mode == SK_CGROUP_LEGACY)	/* v1: no v2 cgroup at all */
		return create_legacy(c, path, out, err);
	rel = sk_xstrdup(path + 1);
	if (split_levels(rel, ends, &levels, err) < 0)
		return -1;

	rootfd = open(mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return sk_error_sys(err, "open %s", mnt);
	if (mode == SK_CGROUP_UNIFIED && sk_cg2_check_available(rootfd, &need, mode, err) < 0)
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
		int r = pids_at(fd, ".", &l, err);

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
	/* Limits before any process enters (the init is cloned into it). */
	if (mode == SK_CGROUP_UNIFIED &&
	    (sk_cg2_enable(rootfd, rel, &need, err) < 0 ||
	     (c && sk_cg2_apply(fd, &c->linux.resources, false, err) < 0) ||
	     (c && c->linux.resources.n_devices && sk_cg2_devices(fd, c, err) < 0)))
		goto fail;
	/* v1: hybrid host: limits in the v1 hierarchies, processes tracked here */
	if (mode == SK_CGROUP_HYBRID && sk_cgroup_v1_create(c, path, mode, &out->v1, err) < 0)
		goto fail;

	out->mode = mode;
	out->path = path;
	out->dir = sk_xasprintf("%s%s", mnt, path);
	out->dirfd = fd;
	out->owned = owned;
	path = NULL;
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	rmdir_levels(rootfd, rel, ends, created, levels);
	return -1;
}

int sk_cgroup_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		   bool *exists, struct sk_error *err)
{
	enum sk_cgroup_mode mode;
	const char *mnt;

	*dir = *path = NULL;
	if (use_systemd) {
		char *unit = NULL;

		if (sk_sd_cg_plan(c, id, dir, path, &unit, err) < 0)
			return -1;
		free(unit);
		*exists = access(*dir, F_OK) == 0;
		return 0;
	}
	if (sk_cgroup_detect(&mode, &mnt, err) < 0 ||
	    cgroup_path(c, id, mode == SK_CGROUP_LEGACY, path, err) < 0)
		return -1;
	*dir = mode == SK_CGROUP_LEGACY ? sk_cgroup_v1_plan_dir(*path, err)	/* v1 */
					: sk_xasprintf("%s%s", mnt, *path);
	if (!*dir) {
		free(*path);
		*path = NULL;
		return -1;
	}
	*exists = access(*dir, F_OK) == 0;
	return 0;
}

bool sk_cgroup_owned_uniform(const struct sk_cgroup *cg)
{
	return !cg->v1 || sk_cgroup_v1_owned_all(cg->v1, cg->owned);
}

char *sk_cgroup_owned_v1(const struct sk_cgroup *cg)
{
	return cg->v1 ? sk_cgroup_v1_owned(cg->v1) : NULL;
}

void sk_cgroup_set_owned_v1(struct sk_cgroup *cg, const char *owned_v1)
{
	if (cg->v1 && owned_v1)
		sk_cgroup_v1_set_owned(cg->v1, owned_v1);
}

int sk_cgroup_open(const char *dir, bool owned, const char *owned_v1, struct sk_cgroup *out,
		   struct sk_error *err)
{
	enum sk_cgroup_mode mode;
	const char *mnt;
	size_t mlen;
	int fd;

	/* Callers release `out` whatever happens: leave it empty on error. */
	memset(out, 0, sizeof(*out));
	out->dirfd = -1;
	if (sk_cgroup_detect(&mode, &mnt, err) < 0)
		return -1;
	if (mode == SK_CGROUP_LEGACY) {	/* v1: dir is in the tracking hierarchy */
		if (sk_cgroup_v1_open(dir, mode, owned, &out->v1, err) < 0)
			return -1;
		sk_cgroup_set_owned_v1(out, owned_v1);
		out->mode = mode;
		out->path = sk_xstrdup(sk_cgroup_v1_track_path(out->v1));
		out->dir = sk_xstrdup(dir);
		out->dirfd = -1;
		out->owned = owned;
		return 0;
	}
	mlen = strlen(mnt);
	if (strncmp(dir, mnt, mlen) || (dir[mlen] != '/' && dir[mlen] != '\0'))
		return sk_error(err, EINVAL, "cgroup %s is not below %s", dir, mnt);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", dir);
	/* v1: hybrid host: the v1 side of the same cgroup */
	if (mode == SK_CGROUP_HYBRID &&
	    sk_cgroup_v1_open(dir[mlen] ? dir + mlen : "/", mode, owned, &out->v1, err) < 0) {
		close(fd);
		return -1;
	}
	sk_cgroup_set_owned_v1(out, owned_v1);
	out->mode = mode;
	out->path = sk_xstrdup(dir[mlen] ? dir + mlen : "/");
	out->dir = sk_xstrdup(dir);
	out->dirfd = fd;
	out->owned = owned;
	return 0;
}

void sk_cgroup_release(struct sk_cgroup *cg)
{
	if (!cg)
		return;
	free(cg->path);
	free(cg->dir);
	cg->path = cg->dir = NULL;
	sk_cgroup_v1_free(cg->v1);	/* v1 */
	cg->v1 = NULL;
	free(cg->unit);
	cg->unit = NULL;
	sk_sd_cg_free(cg->sd);
	cg->sd = NULL;
	if (cg->dirfd >= 0)
		close(cg->dirfd);
	cg->dirfd = -1;
}

/* An fd for the cgroup directory: dirfd when open, else a fresh one.
 * Returns -1 with errno set (ENOENT when the cgroup is gone). */
static int cg_fd(struct sk_cgroup *cg, bool *fresh)
{
	*fresh = false;
	if (cg->dirfd >= 0)
		return cg->dirfd;
	if (!cg->dir) {
		errno = EBADF;
		return -1;
	}
	*fresh = true;
	return open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* ---- signals, pids ---- */

static int kill_pids(const struct sk_pidv *l, int sig, struct sk_error *err)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (kill(l->v[i], sig) < 0 && errno != ESRCH)
			return sk_error_sys(err, "kill %d", (int)l->v[i]);
	return 0;
}

static int signal_at(int fd, const char *where, int sig, struct sk_error *err)
{
	struct sk_pidv l = { 0 };
	int r;

	if (sig == SIGKILL && has_file(fd, "cgroup.kill")) {
		if (sk_write_file_at(fd, "cgroup.kill", "1", 1, err) < 0)
			return sk_error_ctx(err, "cgroup %s", where);
		return 0;
	}
	r = pids_at(fd, ".", &l, err);
	if (r == 0)
		r = kill_pids(&l, sig, err);
	free(l.v);
	if (r < 0)
		return sk_error_ctx(err, "cgroup %s", where);
	return 0;
}

int sk_cgroup_signal_all(struct sk_cgroup *cg, int sig, struct sk_error *err)
{
	bool fresh;
	int fd = cg_fd(cg, &fresh), r;

	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", cg->dir ? cg->dir : "?");
	r = signal_at(fd, cg->dir, sig, err);
	if (fresh)
		close(fd);
	return r;
}

int sk_cgroup_pids(struct sk_cgroup *cg, pid_t **pids, size_t *n, struct sk_error *err)
{
	struct sk_pidv l = { 0 };
	bool fresh;
	int fd = cg_fd(cg, &fresh), r;

	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", cg->dir ? cg->dir : "?");
	r = pids_at(fd, ".", &l, err);
	if (fresh)
		close(fd);
	if (r < 0) {
		free(l.v);
		return sk_error_ctx(err, "cgroup %s", cg->dir);
	}
	*pids = l.v;
	*n = l.n;
	return 0;
}

/* ---- freeze ---- */

bool sk_cgroup_dir_paused(const char *dir)
{
	_cleanup_free_ char *file = sk_xasprintf("%s/cgroup.freeze", dir);
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	char v = 0;

	if (fd < 0)	/* v1: the saved cgroup is the freezer one */
		return sk_cgroup_v1_dir_frozen(dir) == 1;
	if (read(fd, &v, 1) != 1)
		v = 0;
	close(fd);
	return v == '1';
}

int sk_cgroup_is_frozen(struct sk_cgroup *cg)
{
	struct sk_error e;
	long long v;
	bool fresh;
	int fd, r;

	if (cg->mode == SK_CGROUP_LEGACY && cg->v1)	/* v1: freezer.state */
		return sk_cgroup_v1_is_frozen(cg->v1);
	fd = cg_fd(cg, &fresh);

	if (fd < 0)
		return -1;
	if (!has_file(fd, "cgroup.events"))
		r = -1;
	else if (read_key(fd, "cgroup.events", "frozen", &v, &e) == 0)
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

int sk_cgroup_freeze(struct sk_cgroup *cg, bool frozen, struct sk_error *err)
{
	bool fresh;
	int fd, r = -1, i;
	long long v = -1;

	if (cg->mode == SK_CGROUP_LEGACY && cg->v1)	/* v1: freezer.state */
		return sk_cgroup_v1_freeze(cg->v1, frozen, err);
	fd = cg_fd(cg, &fresh);

	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", cg->dir ? cg->dir : "?");
	if (!has_file(fd, "cgroup.freeze")) {
		sk_error(err, ENOTSUP, "cgroup %s: no cgroup.freeze (needs Linux 5.2 or later)",
			 cg->dir);
		goto out;
	}
	if (set_freeze(fd, frozen, err) < 0) {
		sk_error_ctx(err, "cgroup %s", cg->dir);
		goto out;
	}
	for (i = 0; i < FREEZE_TRIES; i++) {
		if (read_key(fd, "cgroup.events", "frozen", &v, err) < 0) {
			sk_error_ctx(err, "cgroup %s", cg->dir);
			goto out;
		}
		if ((v != 0) == frozen) {
			r = 0;
			goto out;
		}
		sleep_ms(i < 10 ? 1 : 10);
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

int sk_cgroup_destroy(struct sk_cgroup *cg, struct sk_error *err)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int pfd = -1;
	const char *leaf;
	bool fresh;
	int fd, i, r = -1;

	if (cg->v1) {	/* v1: the v2 cgroup first (hybrid: cgroup.kill), then v1 */
		struct sk_cgroup_v1 *v1 = cg->v1;
		struct sk_error e;
		int r2 = 0, r1;

		if (cg->mode != SK_CGROUP_LEGACY) {
			cg->v1 = NULL;
			r2 = sk_cgroup_destroy(cg, err);
			cg->v1 = v1;
		}
		r1 = sk_cgroup_v1_destroy(v1, r2 < 0 ? &e : err);
		return r1 < 0 || r2 < 0 ? -1 : 0;
	}
	if (cg->unit) {
		struct sk_error e;

		/* killed first: a stop job waits for what ignores SIGTERM */
		if (cg->dir && access(cg->dir, F_OK) == 0)
			sk_cgroup_signal_all(cg, SIGKILL, &e);
		if (sk_sd_cg_stop(cg, err) < 0)
			return -1;
	}
	if (!cg->dir)
		return 0;
	fd = cg_fd(cg, &fresh);
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
			sleep_ms(10);
		if (pids_at(fd, self, &l, err) < 0) {
			free(l.v);
			sk_error_ctx(err, "cgroup %s", cg->dir);
			goto out;
		}
		busy = l.n > 0;
		if (busy && i % 10 == 0) {
			/* Kill again now and then: a fork may race the first kill
			 * when there is no cgroup.kill. */
			if (has_file(fd, "cgroup.kill")) {
				if (sk_write_file_at(fd, "cgroup.kill", "1", 1, err) < 0) {
					free(l.v);
					sk_error_ctx(err, "cgroup %s", cg->dir);
					goto out;
				}
			} else if (kill_pids(&l, SIGKILL, err) < 0) {
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
		if (walk(fd, self, true, rmdir_one, (void *)self, 0, err) < 0) {
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

/* The v2 driver places the init with CLONE_INTO_CGROUP: nothing to do. */
bool sk_cgroup_needs_attach(const struct sk_cgroup *cg)
{
	return cg->dirfd < 0 || cg->v1;	/* v1: hierarchies need the pid written */
}

int sk_cgroup_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	_cleanup_free_ char *procs = NULL;

	if (sk_sd_cg_pending(cg))	/* the systemd driver: the scope starts with the init */
		return sk_sd_cg_start(cg, pid, err);
	procs = sk_xasprintf("%s/cgroup.procs", cg->dir);
	if (cg->v1) {	/* v1: every v1 hierarchy, and v2 when not cloned into it */
		if (cg->mode == SK_CGROUP_HYBRID && cg->dirfd < 0 &&
		    sk_write_file_at(AT_FDCWD, procs, buf, (size_t)n, err) < 0)
			return -1;
		return sk_cgroup_v1_attach(cg->v1, pid, err);
	}
	return sk_write_file_at(AT_FDCWD, procs, buf, (size_t)n, err);
}

int sk_cgroup_update(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err)
{
	if (cg->unit)
		return sk_sd_cg_update(cg, r, err);
	if (cg->mode != SK_CGROUP_UNIFIED) {	/* v1 */
		if (!cg->v1)
			return sk_error(err, ENOENT, "cgroup %s: no v1 cgroups", cg->dir);
		return sk_cgroup_v1_apply(cg->v1, r, err);
	}
	return sk_cg2_update(cg, r, err);
}
