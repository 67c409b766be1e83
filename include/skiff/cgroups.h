/* One cgroup manager interface for the container's cgroup.
 * Paths: `path` is the cgroup as the hierarchy names it ("/a/b"),
 * `dir` is where it lives on the filesystem ("/sys/fs/cgroup/unified/a/b"). */
#ifndef SKIFF_CGROUPS_H
#define SKIFF_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sk_error;
struct sk_config;
struct sk_resources;
struct sk_cgroup_driver;

enum sk_cgroup_mode {
	SK_CGROUP_UNIFIED,   /* /sys/fs/cgroup is cgroup2 */
	SK_CGROUP_HYBRID,    /* v1 controllers + cgroup2 at /sys/fs/cgroup/unified */
	SK_CGROUP_LEGACY,    /* v1 only */
};
const char *sk_cgroup_mode_name(enum sk_cgroup_mode m);

struct sk_cgroup {
	enum sk_cgroup_mode mode;
	char *path;          /* as in /proc/<pid>/cgroup, "0::" line */
	char *dir;           /* absolute directory of the v2 cgroup */
	int dirfd;           /* O_DIRECTORY fd of `dir` (for CLONE_INTO_CGROUP), -1 if closed */
	bool owned;          /* created by this skiff: destroy removes it */
	const struct sk_cgroup_driver *ops;  /* cgroups/driver.h; NULL: not set up */
	void *priv;          /* the driver's own state (v1: the v1 hierarchies) */
	char *unit;          /* the systemd driver: the scope unit ("skiff-<id>.scope"), else NULL */
};

/* --systemd-cgroup: cgroups that create makes are systemd scope units
 * (cgroups/systemd_cg.c); a host without systemd gets a one-line error. */
void sk_cgroup_use_systemd(bool on);
/* Whether this build has the driver named ("v2", "hybrid", "v1",
 * "systemd"): `features` says what the drivers' table holds. */
bool sk_cgroup_driver_built(const char *name);
/* The systemd unit of a container's cgroup (state.json, the "cgroup"
 * record), after sk_cgroup_open: update and destroy go through systemd. */
void sk_cgroup_set_unit(struct sk_cgroup *cg, const char *unit);
/* The unit sk_cgroup_create(c, id) will start (heap), NULL when the
 * cgroup will not be a systemd unit or no plan could be made. */
char *sk_cgroup_plan_unit(const struct sk_config *c, const char *id);

/* Find where the v2 hierarchy is mounted and the host mode. */
int sk_cgroup_detect(enum sk_cgroup_mode *mode, const char **v2_mount, struct sk_error *err);

/* Work out the container cgroup from linux.cgroupsPath (absolute: below
 * the hierarchy's root; relative: below the caller's own cgroup; empty:
 * "<caller's cgroup>/<id>"), create it (an existing empty one is reused,
 * owned=false), apply linux.resources, and open dirfd.  On error nothing
 * is left behind. */
int sk_cgroup_create(const struct sk_config *c, const char *id,
		     struct sk_cgroup *out, struct sk_error *err);
/* Where sk_cgroup_create(c, id) will put the cgroup: the dir it will
 * have, its path in the hierarchy, and whether it exists already (then
 * create reuses it and does not own it).  Nothing is made: create's caller
 * records this before create makes anything (docs/state.md). */
int sk_cgroup_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		   bool *exists, struct sk_error *err);
/* Whether every v1 hierarchy's cgroup has the owner cg->owned says. */
bool sk_cgroup_owned_uniform(const struct sk_cgroup *cg);
/* Whether the init must be attached by pid after clone3 (v1 hierarchies,
 * or no v2 dirfd for CLONE_INTO_CGROUP); the init waits until it is. */
bool sk_cgroup_needs_attach(const struct sk_cgroup *cg);
int sk_cgroup_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err);
/* Attach to an existing cgroup directory saved in the state, with the
 * saved sk_cgroup_owned_v1 (NULL: none) applied. */
int sk_cgroup_open(const char *dir, bool owned, const char *owned_v1, struct sk_cgroup *out,
		   struct sk_error *err);
/* v1 and hybrid hosts: which v1 hierarchies' cgroups create made (see
 * sk_cgroup_v1_owned in cgroups/v1.h; NULL without v1), which
 * sk_cgroup_open takes back (NULL: keep `owned` for all of them). */
char *sk_cgroup_owned_v1(const struct sk_cgroup *cg);
/* Kill what is left (cgroup.kill, else signal each pid), then remove the
 * cgroup and any sub-cgroups depth first, retrying for a bounded time.
 * Only removes it when owned. */
int sk_cgroup_destroy(struct sk_cgroup *cg, struct sk_error *err);
void sk_cgroup_release(struct sk_cgroup *cg);   /* free memory, close fd */

int sk_cgroup_freeze(struct sk_cgroup *cg, bool frozen, struct sk_error *err);
int sk_cgroup_is_frozen(struct sk_cgroup *cg);   /* 1, 0, or -1 */
/* A saved cgroup directory is paused (state, list: no driver set up):
 * cgroup.freeze is 1 (v2), or, on a legacy host where the saved cgroup is
 * the freezer one, freezer.state is FROZEN.  "paused" is runc's extension
 * of the spec's states; containerd and podman rely on it. */
bool sk_cgroup_dir_paused(const char *dir);
/* Signal every process of the cgroup (SIGKILL uses cgroup.kill when present). */
int sk_cgroup_signal_all(struct sk_cgroup *cg, int sig, struct sk_error *err);
/* Host pids in the cgroup and its descendants. */
int sk_cgroup_pids(struct sk_cgroup *cg, pid_t **pids, size_t *n, struct sk_error *err);

/* Change the limits of a live container (`skiff update`): only the fields
 * present are written; devices rules are not changed. */
int sk_cgroup_update(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err);
/* cgroups/stats.c: runc's stats object ("cpu", "memory", "pids", "blkio",
 * "hugetlb", with "psi" where *.pressure exists) as a JSON heap string. */
char *sk_cgroup_stats_json(struct sk_cgroup *cg);
/* memory.events oom_kill (-1 when there is no memory controller). */
long long sk_cgroup_oom_kills(struct sk_cgroup *cg);
/* pids.events "max": forks refused at pids.max (-1: no pids controller);
 * pids.max into limit. */
long long sk_cgroup_pids_max_hits(struct sk_cgroup *cg, char *limit, size_t len);
/* memory.max in a short form ("64M", "max"), or "" when unknown. */
void sk_cgroup_memory_max(struct sk_cgroup *cg, char *buf, size_t len);
/* The file of that limit, for messages ("memory.max", v1 "memory.limit_in_bytes"). */
const char *sk_cgroup_memory_limit_file(const struct sk_cgroup *cg);
/* Peak memory (bytes) and peak number of pids so far; -1 each when unknown. */
void sk_cgroup_peaks(struct sk_cgroup *cg, long long *mem, long long *pids);

#endif
