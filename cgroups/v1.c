/* The cgroup v1 driver: hierarchies, paths, create, attach, freeze, pids,
 * destroy.  Resources are in v1_res.c.
 *
 * Which hierarchies: the container gets a cgroup in every mounted v1
 * hierarchy that has controllers (named ones like name=systemd are left
 * alone), as runc does, not only in those a limit needs: stats, the freezer
 * and the process list then always have a cgroup to read, and destroy has
 * one rule (remove it everywhere it exists).
 *
 * Paths: an absolute linux.cgroupsPath is relative to the root of each
 * hierarchy, as the spec says and runc does: <mount point><path>.  Any
 * other path (relative, or the container id) is below the caller's own
 * cgroup: in hierarchy H <caller's cgroup in H> + <path below the caller's
 * "0::" cgroup>, or `path` as is when it is not below it.  The same rule
 * maps a saved v2 dir back (sk_cgroup_v1_open); which of the two applies
 * is saved with the owned hierarchies (a leading "/" in sk_cgroup_v1_owned,
 * applied by sk_cgroup_v1_set_owned).  `delete` must run in the same
 * cgroups as `create` (engines do).  name=systemd, when mounted, gets the
 * container's cgroup too (runc joins it); other named hierarchies do not. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "v1.h"

#define V1_MAX_DEPTH   64
#define RMDIR_TRIES    100	/* x 10 ms */
#define FREEZE_TRIES   200	/* x 10 ms */

static const char *proc_dir;	/* NULL: /proc/self */

void v1_set_proc(const char *proc)
{
	proc_dir = proc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- hierarchies ---- */

/* Undo the octal escapes of /proc/self/mountinfo (\040 etc.) in place. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

static bool in_list(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, item, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* Every controller of `ctrls` is among the options `opts`. */
static bool all_in(const char *ctrls, const char *opts)
{
	_cleanup_free_ char *c = sk_xstrdup(ctrls);
	char *t, *save = NULL;

	for (t = strtok_r(c, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!in_list(opts, t))
			return false;
	return true;
}

/* The mount point of the v1 hierarchy with `ctrls`, root "/". */
static char *find_mount(const char *mountinfo, const char *ctrls)
{
	_cleanup_free_ char *copy = sk_xstrdup(mountinfo);
	char *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6], *sep, *fstype, *opts, *s2 = NULL;
		int i;

		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		fstype = strtok_r(sep + 3, " ", &s2);
		if (!fstype || strcmp(fstype, "cgroup"))
			continue;
		if (!strtok_r(NULL, " ", &s2))	/* source */
			continue;
		opts = strtok_r(NULL, " ", &s2);
		if (!opts || !all_in(ctrls, opts))
			continue;
		s2 = NULL;
		for (i = 0; i < 6; i++)
			f[i] = strtok_r(i ? NULL : line, " ", &s2);
		if (!f[3] || !f[4] || strcmp(f[3], "/"))
			continue;
		unescape(f[4]);
		return sk_xstrdup(f[4]);
	}
	return NULL;
}

int v1_host_load(struct v1_host *host, const char *proc, struct sk_error *err)
{
	_cleanup_free_ char *mi_path = sk_xasprintf("%s/mountinfo", proc ? proc : "/proc/self");
	_cleanup_free_ char *cg_path = sk_xasprintf("%s/cgroup", proc ? proc : "/proc/self");
	_cleanup_free_ char *mi = NULL, *cg = NULL;
	char *line, *save = NULL;

	memset(host, 0, sizeof(*host));
	if (sk_read_file_at(AT_FDCWD, mi_path, &mi, NULL, 1 << 22, err) < 0 ||
	    sk_read_file_at(AT_FDCWD, cg_path, &cg, NULL, 1 << 20, err) < 0)
		return -1;
	for (line = strtok_r(cg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *path;
		char *mnt;

		if (!ctrls)
			continue;
		ctrls++;
		path = strchr(ctrls, ':');
		if (!path)
			continue;
		*path++ = '\0';
		if (!ctrls[0]) {
			free(host->own_ref);
			host->own_ref = sk_xstrdup(path);
			continue;
		}
		if (sk_str_has_prefix(ctrls, "name=") && strcmp(ctrls, "name=systemd"))
			continue;
		mnt = find_mount(mi, ctrls);
		if (!mnt)
			continue;	/* not mounted here (or only a subtree) */
		host->h = sk_xrealloc(host->h, (host->n + 1) * sizeof(*host->h));
		host->h[host->n].ctrls = sk_xstrdup(ctrls);
		host->h[host->n].mnt = mnt;
		host->h[host->n].own = sk_xstrdup(path);
		host->n++;
	}
	if (!host->own_ref)
		host->own_ref = sk_xstrdup("/");
	return 0;
}

void v1_host_free(struct v1_host *host)
{
	size_t i;

	for (i = 0; i < host->n; i++) {
		free(host->h[i].ctrls);
		free(host->h[i].mnt);
		free(host->h[i].own);
	}
	free(host->h);
	free(host->own_ref);
	memset(host, 0, sizeof(*host));
}

const struct v1_hier *v1_host_find(const struct v1_host *host, const char *ctrl)
{
	size_t i;

	for (i = 0; i < host->n; i++)
		if (in_list(host->h[i].ctrls, ctrl))
			return &host->h[i];
	return NULL;
}

const char *v1_host_list(const struct v1_host *host)
{
	static char buf[512];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < host->n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "," : "",
				      host->h[i].ctrls);
	return host->n ? buf : "none";
}

/* ---- paths ---- */

static char *join(const char *a, const char *b)
{
	while (*b == '/')
		b++;
	if (!*b)
		return sk_xstrdup(a);
	if (!strcmp(a, "/"))
		return sk_xasprintf("/%s", b);
	return sk_xasprintf("%s/%s", a, b);
}

/* `path` strictly below `base`: the rest ("x/y"), else NULL. */
static const char *below(const char *path, const char *base)
{
	size_t n = strlen(base);

	if (!strcmp(base, "/"))
		return path[0] == '/' && path[1] ? path + 1 : NULL;
	if (strncmp(path, base, n) || path[n] != '/' || !path[n + 1])
		return NULL;
	return path + n + 1;
}

char *v1_map_path(const char *path, const char *own_ref, const char *own)
{
	const char *rest = below(path, own_ref);

	return rest ? join(own, rest) : sk_xstrdup(path);
}

/* The inverse for the tracking hierarchy (legacy open). */
static char *unmap_path(const char *hpath, const char *own_ref, const char *own)
{
	const char *rest = below(hpath, own);

	return rest ? join(own_ref, rest) : sk_xstrdup(hpath);
}

const struct v1_dir *v1_find_dir(const struct sk_cgroup_v1 *v1, const char *ctrl)
{
	size_t i;

	for (i = 0; v1 && i < v1->n; i++)
		if (in_list(v1->d[i].ctrls, ctrl))
			return &v1->d[i];
	return NULL;
}

const char *sk_cgroup_v1_dir(const struct sk_cgroup_v1 *v1, const char *controller)
{
	const struct v1_dir *d = v1_find_dir(v1, controller);

	return d ? d->dir : NULL;
}

const char *sk_cgroup_v1_track_path(const struct sk_cgroup_v1 *v1)
{
	return v1->n ? v1->d[v1->track].path : NULL;
}

const char *sk_cgroup_v1_track_dir(const struct sk_cgroup_v1 *v1)
{
	return v1->n ? v1->d[v1->track].dir : NULL;
}

char *sk_cgroup_v1_owned(const struct sk_cgroup_v1 *v1)
{
	char *out = sk_xstrdup(v1->abs ? "/" : "");

	for (size_t i = 0; i < v1->n; i++) {
		char *next;

		if (!v1->d[i].owned)
			continue;
		next = sk_xasprintf("%s%s%s", out, *out ? ";" : "", v1->d[i].ctrls);
		free(out);
		out = next;
	}
	return out;
}

/* Every dir at <mount point><path> (an absolute cgroupsPath); a legacy
 * host's saved dir gives the path as it is in its hierarchy. */
static void v1_set_abs(struct sk_cgroup_v1 *v1)
{
	const char *path = v1->saved ? v1->saved : v1->path;
	size_t i;

	if (v1->abs)
		return;
	for (i = 0; i < v1->n; i++) {
		struct v1_dir *d = &v1->d[i];
		char *dir = sk_xasprintf("%.*s%s", (int)d->mnt_len, d->dir, path);

		free(d->dir);
		free(d->path);
		d->dir = dir;
		d->path = sk_xstrdup(path);
	}
	v1->abs = true;
}

void sk_cgroup_v1_set_owned(struct sk_cgroup_v1 *v1, const char *owned)
{
	if (owned && owned[0] == '/')
		v1_set_abs(v1);
	for (size_t i = 0; i < v1->n; i++) {
		const char *p = owned;
		size_t n = strlen(v1->d[i].ctrls);

		v1->d[i].owned = false;
		while (p && *p) {
			if (!strncmp(p, v1->d[i].ctrls, n) && (p[n] == ';' || !p[n]))
				v1->d[i].owned = true;
			p = strchr(p, ';');
			if (p)
				p++;
		}
	}
}

bool sk_cgroup_v1_track_owned(const struct sk_cgroup_v1 *v1)
{
	return v1->n && v1->d[v1->track].owned;
}

/* Tracking hierarchy: freezer (pause), else pids, memory, else the first. */
bool sk_cgroup_v1_owned_all(const struct sk_cgroup_v1 *v1, bool owned)
{
	for (size_t i = 0; i < v1->n; i++)
		if (v1->d[i].owned != owned)
			return false;
	return true;
}

static size_t pick_track(const struct sk_cgroup_v1 *v1)
{
	static const char *const pref[] = { "freezer", "pids", "memory", "cpu" };
	size_t i, j;

	for (j = 0; j < SK_ARRAY_SIZE(pref); j++)
		for (i = 0; i < v1->n; i++)
			if (in_list(v1->d[i].ctrls, pref[j]))
				return i;
	return 0;
}

static struct sk_cgroup_v1 *v1_new(const struct v1_host *host, const char *path,
				   enum sk_cgroup_mode mode)
{
	struct sk_cgroup_v1 *v1 = sk_xcalloc(1, sizeof(*v1));
	size_t i;

	v1->path = sk_xstrdup(path);
	v1->mode = mode;
	v1->d = sk_xcalloc(host->n ? host->n : 1, sizeof(*v1->d));
	for (i = 0; i < host->n; i++) {
		struct v1_dir *d = &v1->d[v1->n++];

		d->ctrls = sk_xstrdup(host->h[i].ctrls);
		d->path = v1_map_path(path, host->own_ref, host->h[i].own);
		d->dir = sk_xasprintf("%s%s", host->h[i].mnt, d->path);
		d->mnt_len = strlen(host->h[i].mnt);
	}
	v1->track = pick_track(v1);
	return v1;
}

void sk_cgroup_v1_free(struct sk_cgroup_v1 *v1)
{
	size_t i;

	if (!v1)
		return;
	for (i = 0; i < v1->n; i++) {
		free(v1->d[i].ctrls);
		free(v1->d[i].path);
		free(v1->d[i].dir);
	}
	free(v1->d);
	free(v1->path);
	free(v1->saved);
	free(v1);
}

/* ---- processes ---- */

/* walk: DIR and every cgroup below it (V1_MAX_DEPTH levels at most): PRE
 * before a directory's children, POST after them (either may be NULL).  A
 * directory gone meanwhile is skipped. */
typedef int (*walk_fn)(const char *dir, int depth, void *arg, struct sk_error *err);

static int walk(const char *dir, int depth, walk_fn pre, walk_fn post, void *arg,
		struct sk_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (depth > V1_MAX_DEPTH)
		return sk_error(err, ELOOP, "%s: cgroup tree too deep", dir);
	if (pre && pre(dir, depth, arg, err) < 0)
		return -1;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : sk_error_sys(err, "opendir %s", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = sk_xasprintf("%s/%s", dir, de->d_name);
		if (walk(sub, depth + 1, pre, post, arg, err) < 0)
			return -1;
	}
	return post ? post(dir, depth, arg, err) : 0;
}

static int add_procs(const char *dir, int depth, void *l, struct sk_error *err)
{
	_cleanup_free_ char *file = sk_xasprintf("%s/cgroup.procs", dir);

	return sk_cgroup_read_procs(AT_FDCWD, file, l, err);
}

/* read_procs: the processes in DIR and below, into L. */
static int read_procs(const char *dir, struct sk_pidv *l, struct sk_error *err)
{
	return walk(dir, 0, add_procs, NULL, l, err);
}

int sk_cgroup_v1_pids(struct sk_cgroup_v1 *v1, pid_t **pids, size_t *n, struct sk_error *err)
{
	struct sk_pidv l = { 0 };

	if (v1->n && read_procs(v1->d[v1->track].dir, &l, err) < 0) {
		free(l.v);
		return -1;
	}
	*pids = l.v;
	*n = l.n;
	return 0;
}

int sk_cgroup_v1_attach(struct sk_cgroup_v1 *v1, pid_t pid, struct sk_error *err)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
	size_t i;

	for (i = 0; i < v1->n; i++) {
		_cleanup_free_ char *procs = sk_xasprintf("%s/cgroup.procs", v1->d[i].dir);

		if (sk_write_file_at(AT_FDCWD, procs, buf, (size_t)len, err) < 0)
			return sk_error_ctx(err, "move pid %d into cgroup %s (%s)", (int)pid,
					    v1->d[i].path, v1->d[i].ctrls);
	}
	return 0;
}

/* ---- freezer ---- */

static int read_state(const char *dir, char *buf, size_t len)
{
	_cleanup_free_ char *file = sk_xasprintf("%s/freezer.state", dir);
	_cleanup_free_ char *s = NULL;
	struct sk_error e;

	if (sk_read_file_at(AT_FDCWD, file, &s, NULL, 4096, &e) < 0)
		return -1;
	snprintf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
	return 0;
}

int sk_cgroup_v1_dir_frozen(const char *dir)
{
	char st[32];

	if (read_state(dir, st, sizeof(st)) < 0)
		return -1;
	return !strcmp(st, "FROZEN");
}

int sk_cgroup_v1_is_frozen(struct sk_cgroup_v1 *v1)
{
	const struct v1_dir *d = v1_find_dir(v1, "freezer");

	return d ? sk_cgroup_v1_dir_frozen(d->dir) : -1;
}

/* A frozen (or freezing) freezer cgroup would hang the container's init:
 * refused at create, as runc does; a new cgroup inherits its parent's. */
static int v1_refuse_frozen(const struct v1_dir *d, struct sk_error *err)
{
	char st[32];

	if (read_state(d->dir, st, sizeof(st)) < 0 || !strcmp(st, "THAWED"))
		return 0;
	return sk_error(err, EBUSY, "cgroup %s (freezer) is frozen: thaw it first "
			"(container's cgroup unexpectedly frozen)", d->path);
}

int sk_cgroup_v1_freeze(struct sk_cgroup_v1 *v1, bool frozen, struct sk_error *err)
{
	const struct v1_dir *d = v1_find_dir(v1, "freezer");
	const char *want = frozen ? "FROZEN" : "THAWED";
	_cleanup_free_ char *file = NULL;
	char st[32];
	int i;

	if (!d)
		return sk_error(err, ENOTSUP, "no freezer controller on this host (cgroup mode: %s)",
				sk_cgroup_mode_name(v1->mode));
	file = sk_xasprintf("%s/freezer.state", d->dir);
	for (i = 0; i < FREEZE_TRIES; i++) {
		/* FREEZING can stall on a task in an uninterruptible sleep:
		 * writing FROZEN again retries, as runc does. */
		if (sk_write_file_at(AT_FDCWD, file, want, strlen(want), err) < 0)
			return sk_error_ctx(err, "cgroup %s", d->dir);
		if (read_state(d->dir, st, sizeof(st)) < 0)
			return sk_error(err, EIO, "cgroup %s: cannot read freezer.state", d->dir);
		if (!strcmp(st, want))
			return 0;
		sleep_ms(i < 10 ? 1 : 10);
	}
	if (frozen)
		sk_write_file_at(AT_FDCWD, file, "THAWED", 6, err);	/* not half frozen */
	return sk_error(err, ETIMEDOUT, "cgroup %s: timed out waiting for it to %s", d->dir,
			frozen ? "freeze" : "thaw");
}

/* ---- destroy ---- */

static int remove_dir(const char *dir, int depth, void *self, struct sk_error *err)
{
	if (depth == 0 && !*(bool *)self)
		return 0;
	if (rmdir(dir) < 0 && errno != ENOENT) {
		errno = errno == ENOTEMPTY ? EBUSY : errno;
		return sk_error_sys(err, "rmdir %s", dir);
	}
	return 0;
}

/* rmdir_tree: the cgroups below DIR, deepest first, and DIR itself when SELF. */
static int rmdir_tree(const char *dir, bool self, struct sk_error *err)
{
	return walk(dir, 0, NULL, remove_dir, &self, err);
}

static int destroy_one(const struct v1_dir *d, struct sk_error *err)
{
	int i;

	if (access(d->dir, F_OK) < 0)
		return 0;	/* never made, or gone */
	for (i = 0; i < RMDIR_TRIES; i++) {
		struct sk_pidv l = { 0 };

		if (i > 0)
			sleep_ms(10);
		if (read_procs(d->dir, &l, err) < 0) {
			free(l.v);
			return -1;
		}
		if (l.n) {
			size_t k;

			/* again now and then: a fork may race the first kill */
			for (k = 0; i % 10 == 0 && k < l.n; k++)
				kill(l.v[k], SIGKILL);
			free(l.v);
			continue;
		}
		if (rmdir_tree(d->dir, d->owned, err) == 0)
			return 0;
		if (err->errnum != EBUSY)
			return -1;
	}
	return sk_error(err, EBUSY, "cgroup %s: still busy after killing its processes, giving up",
			d->dir);
}

int sk_cgroup_v1_destroy(struct sk_cgroup_v1 *v1, struct sk_error *err)
{
	struct sk_error e;
	size_t i;
	int r = 0;

	if (!v1)
		return 0;
	/* Frozen tasks do not die: thaw first (legacy pause). */
	if (sk_cgroup_v1_is_frozen(v1) == 1)
		sk_cgroup_v1_freeze(v1, false, &e);
	/* Every hierarchy, even when one fails: leave as little as we can. */
	for (i = 0; i < v1->n; i++) {
		if (destroy_one(&v1->d[i], r < 0 ? &e : err) < 0 && r == 0)
			r = -1;
	}
	return r;
}

/* ---- create / open ---- */

/* Remove the levels create made, deepest first. */
static void rollback(struct sk_cgroup_v1 *v1)
{
	size_t i;

	for (i = 0; i < v1->n; i++) {
		_cleanup_free_ char *p = sk_xstrdup(v1->d[i].dir);
		int l;

		for (l = 0; l < v1->d[i].levels_made; l++) {
			char *slash;

			rmdir(p);
			slash = strrchr(p, '/');
			if (!slash)
				break;
			*slash = '\0';
		}
		v1->d[i].levels_made = 0;
	}
}

/* mkdir -p of d->path below mnt, counting the levels made. */
static int make_dir(struct v1_dir *d, const char *mnt, struct sk_error *err)
{
	_cleanup_free_ char *p = sk_xstrdup(d->dir);
	size_t start = strlen(mnt) + 1, i, len = strlen(p);
	int depth = 0;

	d->levels_made = 0;
	for (i = start; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		if (++depth > V1_MAX_DEPTH)
			return sk_error(err, EINVAL, "cgroup %s: too many levels", d->path);
		p[i] = '\0';
		if (mkdir(p, 0755) == 0) {
			d->levels_made++;
		} else if (errno != EEXIST) {
			return sk_error_sys(err, "create cgroup %s (%s)", d->path, d->ctrls);
		} else if (d->levels_made) {
			/* Someone made it just after we made its parent: not
			 * ours, and our parent is no longer ours to remove. */
			d->levels_made = 0;
		}
		if (i < len)
			p[i] = '/';
	}
	d->owned = d->levels_made > 0;
	return 0;
}

int sk_cgroup_v1_create(const struct sk_config *c, const char *path, enum sk_cgroup_mode mode,
			struct sk_cgroup_v1 **out, struct sk_error *err)
{
	const struct sk_resources *r = c ? &c->linux.resources : NULL;
	struct v1_host host;
	struct sk_cgroup_v1 *v1 = NULL;
	size_t i;

	if (v1_host_load(&host, proc_dir, err) < 0)
		return -1;
	if (r && v1_check_controllers(r, &host, mode, err) < 0)
		goto fail;
	if (!host.n) {
		sk_error(err, ENOENT, "no cgroup v1 controller is mounted (cgroup mode: %s)",
			 sk_cgroup_mode_name(mode));
		goto fail;
	}
	v1 = v1_new(&host, path, mode);
	if (c && c->linux.cgroups_path && c->linux.cgroups_path[0] == '/')
		v1_set_abs(v1);
	for (i = 0; i < v1->n; i++) {
		struct v1_dir *d = &v1->d[i];
		struct sk_pidv l = { 0 };

		if (!strcmp(d->path, "/")) {
			sk_error(err, EINVAL, "cgroup %s (%s): the root cgroup cannot be the container's",
				 path, d->ctrls);
			goto fail;
		}
		if (make_dir(d, host.h[i].mnt, err) < 0)
			goto fail;
		if (in_list(d->ctrls, "cpuset") && v1_cpuset_init(d, host.h[i].mnt, err) < 0)
			goto fail;
		if (in_list(d->ctrls, "freezer") && v1_refuse_frozen(d, err) < 0)
			goto fail;
		if (d->owned)
			continue;
		/* An existing cgroup is reused only when empty, as in v2. */
		if (read_procs(d->dir, &l, err) < 0) {
			free(l.v);
			goto fail;
		}
		free(l.v);
		if (l.n) {
			sk_error(err, EBUSY, "cgroup %s (%s) is already in use", d->path, d->ctrls);
			goto fail;
		}
	}
	if (r && r->present) {
		struct v1_plan p = { 0 };
		int rc = v1_plan_resources(r, c, v1, &p, err);

		if (rc == 0)
			rc = v1_plan_run(&p, v1, err);
		v1_plan_free(&p);
		if (rc < 0)
			goto fail;
	}
	v1_host_free(&host);
	*out = v1;
	return 0;
fail:
	if (v1) {
		rollback(v1);
		sk_cgroup_v1_free(v1);
	}
	v1_host_free(&host);
	return -1;
}

char *sk_cgroup_v1_plan_dir(const char *path, struct sk_error *err)
{
	struct v1_host host;
	struct sk_cgroup_v1 *v1;
	char *dir = NULL;

	if (v1_host_load(&host, proc_dir, err) < 0)
		return NULL;
	v1 = v1_new(&host, path, SK_CGROUP_LEGACY);
	if (v1->n)
		dir = sk_xstrdup(sk_cgroup_v1_track_dir(v1));
	else
		sk_error(err, ENOENT, "no cgroup v1 controller is mounted");
	sk_cgroup_v1_free(v1);
	v1_host_free(&host);
	return dir;
}

int sk_cgroup_v1_open(const char *saved, enum sk_cgroup_mode mode, bool owned,
		      struct sk_cgroup_v1 **out, struct sk_error *err)
{
	_cleanup_free_ char *path = NULL;
	const char *rel = NULL;
	struct v1_host host;
	struct sk_cgroup_v1 *v1;
	size_t i;

	if (v1_host_load(&host, proc_dir, err) < 0)
		return -1;
	if (mode == SK_CGROUP_LEGACY) {
		/* `saved` is the dir in one of the v1 hierarchies */
		for (i = 0; i < host.n && !path; i++) {
			size_t n = strlen(host.h[i].mnt);

			if (!strncmp(saved, host.h[i].mnt, n) && saved[n] == '/') {
				path = unmap_path(saved + n, host.own_ref, host.h[i].own);
				rel = saved + n;
			}
		}
		if (!path) {
			v1_host_free(&host);
			return sk_error(err, EINVAL, "cgroup %s is in no v1 hierarchy", saved);
		}
	} else {
		path = sk_xstrdup(saved);	/* the v2 cgroup path */
	}
	v1 = v1_new(&host, path, mode);
	v1->saved = rel ? sk_xstrdup(rel) : NULL;
	for (i = 0; i < v1->n; i++)
		v1->d[i].owned = owned;
	v1_host_free(&host);
	*out = v1;
	return 0;
}

int sk_cgroup_v1_apply(struct sk_cgroup_v1 *v1, const struct sk_resources *r,
		       struct sk_error *err)
{
	struct v1_plan p = { 0 };
	struct v1_host host;
	int rc;

	if (v1_host_load(&host, proc_dir, err) < 0)
		return -1;
	rc = v1_check_controllers(r, &host, v1->mode, err);
	v1_host_free(&host);
	if (rc < 0)
		return -1;
	rc = v1_plan_resources(r, NULL, v1, &p, err);
	if (rc == 0)
		rc = v1_plan_run(&p, v1, err);
	v1_plan_free(&p);
	return rc;
}
