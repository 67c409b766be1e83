/* The cgroup manager: detection of the host mode, the choice of the
 * driver (driver.h: one table of operations per driver), the path rules,
 * the public sk_cgroup_* calls dispatched through cg->ops, and the
 * cgroupfs helpers the drivers share (walks, pids, signals). */
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
#include "driver.h"
#include "systemd.h"
#include "v1.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG_ROOT      "/sys/fs/cgroup"
#define CG_UNIFIED   "/sys/fs/cgroup/unified"
#define CG_MAX_DEPTH 64

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

void sk_cg_sleep_ms(long ms)
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

/* ---- drivers ---- */

/* The driver of each host mode: the first entry serving it.  A driver
 * that a setting chooses rather than the mode (systemd's) goes first,
 * with that setting tested in pick_driver. */
static const struct sk_cgroup_driver *const drivers[] = {
	&sk_cg_driver_systemd,
	&sk_cg_driver_v2,
	&sk_cg_driver_hybrid,
	&sk_cg_driver_v1,
};

static bool use_systemd;

bool sk_cgroup_driver_built(const char *name)
{
	for (size_t i = 0; i < SK_ARRAY_SIZE(drivers); i++)
		if (!strcmp(drivers[i]->name, name))
			return true;
	return false;
}

void sk_cgroup_use_systemd(bool on)
{
	use_systemd = on;
}

/* `create`: for the cgroup create makes (plan, create): systemd's with
 * --systemd-cgroup, whatever the host (its plan and create say when the
 * host cannot have it).  A saved cgroup gets it from sk_cgroup_set_unit. */
static int pick_driver(bool create, const struct sk_cgroup_driver **out, struct sk_error *err)
{
	enum sk_cgroup_mode mode;

	if (sk_cgroup_detect(&mode, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < SK_ARRAY_SIZE(drivers); i++)
		if (drivers[i] == &sk_cg_driver_systemd ? create && use_systemd
							: drivers[i]->mode == mode) {
			*out = drivers[i];
			return 0;
		}
	return sk_error(err, ENOTSUP, "no cgroup driver for a %s host", sk_cgroup_mode_name(mode));
}

void sk_cgroup_set_unit(struct sk_cgroup *cg, const char *unit)
{
	free(cg->unit);
	cg->unit = unit ? sk_xstrdup(unit) : NULL;
	/* a v2 cgroup opened from the state (or none: its unit still goes) */
	if (unit && (!cg->ops || cg->ops == &sk_cg_driver_v2))
		cg->ops = &sk_cg_driver_systemd;
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

/* A cgroup not set up (zeroed, or emptied by a failed sk_cgroup_open)
 * acts as the v2 driver's with no dir: calls on it fail or do nothing. */
static const struct sk_cgroup_driver *ops(const struct sk_cgroup *cg)
{
	return cg->ops ? cg->ops : &sk_cg_driver_v2;
}

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

int sk_cg_path(const struct sk_config *c, const char *id, bool no_v2, char **out,
	       struct sk_error *err)
{
	const char *cp = c ? c->linux.cgroups_path : NULL;
	_cleanup_free_ char *own = NULL;
	_cleanup_free_ char *p = sk_xstrdup("");

	if (cp && cp[0] == '/') {
		if (append_components(&p, cp, "linux.cgroupsPath", err) < 0)
			return -1;
	} else {
		if (own_cgroup(&own, no_v2, err) < 0)
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

/* ---- cgroupfs helpers shared by the drivers ---- */

int sk_cg_walk(int parent, const char *rel, bool post, sk_cg_visit_fn fn, void *arg,
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
		if (sk_cg_walk(dirfd(d), de->d_name, post, fn, arg, depth + 1, err) < 0)
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

int sk_cg_pids_at(int dfd, const char *name, struct sk_pidv *l, struct sk_error *err)
{
	return sk_cg_walk(dfd, name, false, collect_procs, l, 0, err);
}

int sk_cg_read_key(int dfd, const char *file, const char *key, long long *out,
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

bool sk_cg_has_file(int dfd, const char *name)
{
	return faccessat(dfd, name, F_OK, 0) == 0;
}

int sk_cg_fd(struct sk_cgroup *cg, bool *fresh)
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

int sk_cg_kill_pids(const struct sk_pidv *l, int sig, struct sk_error *err)
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

	if (sig == SIGKILL && sk_cg_has_file(fd, "cgroup.kill")) {
		if (sk_write_file_at(fd, "cgroup.kill", "1", 1, err) < 0)
			return sk_error_ctx(err, "cgroup %s", where);
		return 0;
	}
	r = sk_cg_pids_at(fd, ".", &l, err);
	if (r == 0)
		r = sk_cg_kill_pids(&l, sig, err);
	free(l.v);
	if (r < 0)
		return sk_error_ctx(err, "cgroup %s", where);
	return 0;
}

int sk_cg_signal_all(struct sk_cgroup *cg, int sig, struct sk_error *err)
{
	bool fresh;
	int fd = sk_cg_fd(cg, &fresh), r;

	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", cg->dir ? cg->dir : "?");
	r = signal_at(fd, cg->dir, sig, err);
	if (fresh)
		close(fd);
	return r;
}

int sk_cg_pids(struct sk_cgroup *cg, pid_t **pids, size_t *n, struct sk_error *err)
{
	struct sk_pidv l = { 0 };
	bool fresh;
	int fd = sk_cg_fd(cg, &fresh), r;

	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", cg->dir ? cg->dir : "?");
	r = sk_cg_pids_at(fd, ".", &l, err);
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

/* ---- the public calls: the driver of the host, or of the cgroup ---- */

int sk_cgroup_create(const struct sk_config *c, const char *id,
		     struct sk_cgroup *out, struct sk_error *err)
{
	const struct sk_cgroup_driver *d;

	out->ops = NULL;
	out->priv = NULL;
	if (pick_driver(true, &d, err) < 0 || d->create(c, id, out, err) < 0)
		return -1;
	out->ops = d;
	out->mode = d->mode;
	return 0;
}

int sk_cgroup_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		   bool *exists, struct sk_error *err)
{
	const struct sk_cgroup_driver *d;

	*dir = *path = NULL;
	if (pick_driver(true, &d, err) < 0 || d->plan(c, id, dir, path, err) < 0)
		return -1;
	*exists = access(*dir, F_OK) == 0;
	return 0;
}

int sk_cgroup_open(const char *dir, bool owned, const char *owned_v1, struct sk_cgroup *out,
		   struct sk_error *err)
{
	const struct sk_cgroup_driver *d;

	/* Callers release `out` whatever happens: leave it empty on error. */
	memset(out, 0, sizeof(*out));
	out->dirfd = -1;
	if (pick_driver(false, &d, err) < 0)
		return -1;
	if (d->open(dir, owned, owned_v1, out, err) < 0) {
		sk_cgroup_release(out);
		memset(out, 0, sizeof(*out));
		out->dirfd = -1;
		return -1;
	}
	out->ops = d;
	out->mode = d->mode;
	return 0;
}

void sk_cgroup_release(struct sk_cgroup *cg)
{
	if (!cg)
		return;
	free(cg->path);
	free(cg->dir);
	free(cg->unit);
	cg->path = cg->dir = cg->unit = NULL;
	if (cg->ops && cg->ops->release)
		cg->ops->release(cg);
	cg->priv = NULL;
	if (cg->dirfd >= 0)
		close(cg->dirfd);
	cg->dirfd = -1;
}

bool sk_cgroup_owned_uniform(const struct sk_cgroup *cg)
{
	return !ops(cg)->owned_uniform || ops(cg)->owned_uniform(cg);
}

char *sk_cgroup_owned_v1(const struct sk_cgroup *cg)
{
	return ops(cg)->owned_parts ? ops(cg)->owned_parts(cg) : NULL;
}

int sk_cgroup_destroy(struct sk_cgroup *cg, struct sk_error *err)
{
	return ops(cg)->destroy(cg, err);
}

bool sk_cgroup_needs_attach(const struct sk_cgroup *cg)
{
	return ops(cg)->needs_attach(cg);
}

int sk_cgroup_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err)
{
	return ops(cg)->attach(cg, pid, err);
}

int sk_cgroup_freeze(struct sk_cgroup *cg, bool frozen, struct sk_error *err)
{
	return ops(cg)->freeze(cg, frozen, err);
}

int sk_cgroup_is_frozen(struct sk_cgroup *cg)
{
	return ops(cg)->is_frozen(cg);
}

int sk_cgroup_signal_all(struct sk_cgroup *cg, int sig, struct sk_error *err)
{
	return ops(cg)->signal_all(cg, sig, err);
}

int sk_cgroup_pids(struct sk_cgroup *cg, pid_t **pids, size_t *n, struct sk_error *err)
{
	return ops(cg)->pids(cg, pids, n, err);
}

int sk_cgroup_update(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err)
{
	return ops(cg)->update(cg, r, err);
}

char *sk_cgroup_stats_json(struct sk_cgroup *cg)
{
	return ops(cg)->stats_json(cg);
}

long long sk_cgroup_oom_kills(struct sk_cgroup *cg)
{
	return ops(cg)->oom_kills(cg);
}

long long sk_cgroup_pids_max_hits(struct sk_cgroup *cg, char *limit, size_t len)
{
	return ops(cg)->pids_max_hits(cg, limit, len);
}

void sk_cgroup_memory_max(struct sk_cgroup *cg, char *buf, size_t len)
{
	ops(cg)->memory_max(cg, buf, len);
}

const char *sk_cgroup_memory_limit_file(const struct sk_cgroup *cg)
{
	return ops(cg)->memory_limit_file;
}

void sk_cgroup_peaks(struct sk_cgroup *cg, long long *mem, long long *pids)
{
	ops(cg)->peaks(cg, mem, pids);
}
