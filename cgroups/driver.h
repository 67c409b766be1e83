/* The cgroup drivers (private to cgroups/).
 *
 * Each driver is one table of operations.  cgroup.c picks the driver for
 * the host (sk_cgroup_create, sk_cgroup_plan, sk_cgroup_open) and stores it
 * in cg->ops; every other sk_cgroup_* call goes through cg->ops.  A new
 * driver is one file defining a `const struct sk_cgroup_driver` (reusing
 * the functions below where its cgroup is a plain cgroupfs directory), its
 * extern line here, and one entry in `drivers` in cgroup.c.  Every op is
 * set except those marked "NULL: ..." below.
 *
 * Drivers today:
 *   v2      (v2_cgroup.c)  unified host: cgroup2 only
 *   hybrid  (hybrid.c)     v1 controllers for limits, the cgroup2 cgroup at
 *                          /sys/fs/cgroup/unified tracks the processes
 *   v1      (v1_driver.c)  legacy host: v1 only, the tracking hierarchy's
 *                          cgroup stands for the container (the v1
 *                          hierarchies themselves: v1.c, v1_res.c, v1_stats.c)
 *   systemd (systemd_cg.c) --systemd-cgroup on a unified host: the v2
 *                          driver's cgroup, made and removed by systemd as
 *                          a transient scope unit (cg->unit)
 * With --cgroup-manager disabled skiff makes no cgroup at all: no struct
 * sk_cgroup exists then, so there is no driver for it. */
#ifndef SKIFF_CGROUPS_DRIVER_H
#define SKIFF_CGROUPS_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "skiff/cgroups.h"

struct sk_error;
struct sk_config;
struct sk_resources;

struct sk_cgroup_driver {
	const char *name;		/* "v2", "hybrid", "v1" */
	enum sk_cgroup_mode mode;	/* the host mode it serves (cg->mode) */
	const char *memory_limit_file;	/* the memory limit, for messages */

	/* Where create(c, id) will put the cgroup: its dir and its path in
	 * the hierarchy (both heap).  Nothing is made. */
	int (*plan)(const struct sk_config *c, const char *id, char **dir, char **path,
		    struct sk_error *err);
	/* Make the container's cgroup and apply c's linux.resources (c may be
	 * NULL): fills path, dir, dirfd, owned, priv.  On error nothing is
	 * left behind and `out` holds nothing to release. */
	int (*create)(const struct sk_config *c, const char *id, struct sk_cgroup *out,
		      struct sk_error *err);
	/* Take the cgroup at a saved dir, with the saved owned_parts (NULL:
	 * none): fills path, dir, dirfd, owned, priv. */
	int (*open)(const char *dir, bool owned, const char *owned_parts, struct sk_cgroup *out,
		    struct sk_error *err);
	/* Free priv (NULL: the driver keeps none). */
	void (*release)(struct sk_cgroup *cg);
	/* Kill what is left and remove what the driver owns. */
	int (*destroy)(struct sk_cgroup *cg, struct sk_error *err);

	/* Ownership beyond cg->owned, saved in the state (cgroup_owned_v1)
	 * and given back to open: the saved form (heap), and whether every
	 * part has the owner cg->owned says.  NULL: none. */
	char *(*owned_parts)(const struct sk_cgroup *cg);
	bool (*owned_uniform)(const struct sk_cgroup *cg);

	/* Whether the init must be attached by pid (no CLONE_INTO_CGROUP
	 * into cg->dirfd alone), and attaching it. */
	bool (*needs_attach)(const struct sk_cgroup *cg);
	int (*attach)(struct sk_cgroup *cg, pid_t pid, struct sk_error *err);

	int (*freeze)(struct sk_cgroup *cg, bool frozen, struct sk_error *err);
	int (*is_frozen)(struct sk_cgroup *cg);		/* 1, 0, or -1 */
	int (*signal_all)(struct sk_cgroup *cg, int sig, struct sk_error *err);
	int (*pids)(struct sk_cgroup *cg, pid_t **pids, size_t *n, struct sk_error *err);
	/* `skiff update`: only the fields present. */
	int (*update)(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err);

	/* Counters (see skiff/cgroups.h for each). */
	char *(*stats_json)(struct sk_cgroup *cg);
	long long (*oom_kills)(struct sk_cgroup *cg);
	long long (*pids_max_hits)(struct sk_cgroup *cg, char *limit, size_t len);
	void (*memory_max)(struct sk_cgroup *cg, char *buf, size_t len);
	void (*peaks)(struct sk_cgroup *cg, long long *mem, long long *pids);
};

extern const struct sk_cgroup_driver sk_cg_driver_v2;
extern const struct sk_cgroup_driver sk_cg_driver_hybrid;
extern const struct sk_cgroup_driver sk_cg_driver_v1;
extern const struct sk_cgroup_driver sk_cg_driver_systemd;

/* ---- shared by the drivers (cgroup.c) ---- */

/* Host pids read from cgroup.procs files. */
struct sk_pidv {
	pid_t *v;
	size_t n, cap;
};
/* Append the pids of <dfd>/<file> (a cgroup.procs); a cgroup removed
 * meanwhile adds nothing. */
int sk_cgroup_read_procs(int dfd, const char *file, struct sk_pidv *l, struct sk_error *err);

/* The container's cgroup path ("/a/b") from linux.cgroupsPath and the id
 * (see sk_cgroup_create).  `no_v2`: a legacy host, where the caller may
 * have no "0::" cgroup ("/" then). */
int sk_cg_path(const struct sk_config *c, const char *id, bool no_v2, char **out,
	       struct sk_error *err);
void sk_cg_sleep_ms(long ms);
typedef int (*sk_cg_visit_fn)(int dfd, const char *rel, void *arg, struct sk_error *err);
/* Call fn on `rel` below `parent` and on every descendant, children
 * first when `post` is set, else parents first. */
int sk_cg_walk(int parent, const char *rel, bool post, sk_cg_visit_fn fn, void *arg,
	       int depth, struct sk_error *err);
/* The pids of <dfd>/<name> and every cgroup below it. */
int sk_cg_pids_at(int dfd, const char *name, struct sk_pidv *l, struct sk_error *err);
int sk_cg_kill_pids(const struct sk_pidv *l, int sig, struct sk_error *err);
/* The value of `key` in a flat keyed file like cgroup.events. */
int sk_cg_read_key(int dfd, const char *file, const char *key, long long *out,
		   struct sk_error *err);
bool sk_cg_has_file(int dfd, const char *name);
/* An fd for cg->dir: dirfd when open (*fresh false), else a new one;
 * -1 with errno set (ENOENT: the cgroup is gone). */
int sk_cg_fd(struct sk_cgroup *cg, bool *fresh);
/* signal_all and pids of any cgroupfs cgroup at cg->dir. */
int sk_cg_signal_all(struct sk_cgroup *cg, int sig, struct sk_error *err);
int sk_cg_pids(struct sk_cgroup *cg, pid_t **pids, size_t *n, struct sk_error *err);

/* ---- the v2 driver's functions (v2_cgroup.c, stats.c), for drivers built
 * on a cgroup2 cgroup ---- */

/* Hooks of sk_cg2_make: `before` runs with the v2 root open, before any
 * mkdir; `after` with the cgroup made (or reused: empty, not frozen).  An
 * error from either removes what make made.  Either may be NULL. */
struct sk_cg2_hooks {
	int (*before)(int rootfd, void *arg, struct sk_error *err);
	int (*after)(int rootfd, const char *rel, int fd, const char *path, void *arg,
		     struct sk_error *err);
	void *arg;
};
/* Make (or reuse an empty) cgroup2 cgroup `path` below the v2 mount. */
int sk_cg2_make(const char *path, const struct sk_cg2_hooks *h, struct sk_cgroup *out,
		struct sk_error *err);
int sk_cg2_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		struct sk_error *err);
int sk_cg2_open(const char *dir, bool owned, const char *owned_parts, struct sk_cgroup *out,
		struct sk_error *err);
int sk_cg2_destroy(struct sk_cgroup *cg, struct sk_error *err);
int sk_cg2_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err);
int sk_cg2_freeze(struct sk_cgroup *cg, bool frozen, struct sk_error *err);
int sk_cg2_is_frozen(struct sk_cgroup *cg);
char *sk_cg2_stats_json(struct sk_cgroup *cg);
long long sk_cg2_oom_kills(struct sk_cgroup *cg);
long long sk_cg2_pids_max_hits(struct sk_cgroup *cg, char *limit, size_t len);
void sk_cg2_memory_max(struct sk_cgroup *cg, char *buf, size_t len);
void sk_cg2_peaks(struct sk_cgroup *cg, long long *mem, long long *pids);
/* pids.events "max" of the cgroup at fd, pids.max into limit (stats.c). */
long long sk_cg_pids_events(int fd, char *limit, size_t len);

/* ---- the v1 driver's functions, for hybrid.c (v1.c, v1_stats.c) ---- */

char *sk_cg1_owned_parts(const struct sk_cgroup *cg);
bool sk_cg1_owned_uniform(const struct sk_cgroup *cg);
void sk_cg1_release(struct sk_cgroup *cg);
int sk_cg1_update(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err);
char *sk_cg1_stats_json(struct sk_cgroup *cg);
long long sk_cg1_oom_kills(struct sk_cgroup *cg);
long long sk_cg1_pids_max_hits(struct sk_cgroup *cg, char *limit, size_t len);
void sk_cg1_memory_max(struct sk_cgroup *cg, char *buf, size_t len);
void sk_cg1_peaks(struct sk_cgroup *cg, long long *mem, long long *pids);

#endif
