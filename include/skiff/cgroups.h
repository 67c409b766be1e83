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
struct sk_cgroup_v1;
struct sk_sd_cg;

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
	struct sk_cgroup_v1 *v1;  /* hybrid/legacy: the v1 side (cgroups/v1*.c), else NULL */
	char *unit;          /* the systemd driver: the scope unit ("skiff-<id>.scope"), else NULL */
	struct sk_sd_cg *sd; /* the systemd driver: the scope create starts at attach, else NULL */
};

/* --systemd-cgroup: cgroups that create makes are systemd scope units
 * (cgroups/systemd_cg.c); a host without systemd gets a one-line error. */
void sk_cgroup_use_systemd(bool on);
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
 * sk_cgroup_v1_owned; NULL without v1), and that set back after
 * sk_cgroup_open (NULL: keep `owned` for all of them). */
char *sk_cgroup_owned_v1(const struct sk_cgroup *cg);
void sk_cgroup_set_owned_v1(struct sk_cgroup *cg, const char *owned_v1);
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

/* ---- cgroup v1 driver (cgroups/v1.c, cgroups/v1_res.c) ----
 * Used by cgroup.c in hybrid mode (processes tracked in the v2 cgroup,
 * limits through the v1 controllers) and in legacy mode (everything through
 * v1; dir is then the cgroup in the tracking hierarchy, dirfd -1).
 * `path` is the container cgroup as cgroup.c computes it ("/a/b", below
 * the caller's "0::" cgroup or absolute); in each v1 hierarchy the cgroup
 * is <caller's cgroup there> + <path below the caller's "0::" cgroup>, or
 * `path` itself when it is not below that.  The container gets a cgroup in
 * every mounted v1 controller hierarchy (not named ones), as runc does. */
int sk_cgroup_v1_create(const struct sk_config *c, const char *path, enum sk_cgroup_mode mode,
			struct sk_cgroup_v1 **out, struct sk_error *err);
/* From what was saved: the v2 cgroup path "/a/b" (hybrid) or the
 * tracking-hierarchy dir (legacy). */
int sk_cgroup_v1_open(const char *saved, enum sk_cgroup_mode mode, bool owned,
		      struct sk_cgroup_v1 **out, struct sk_error *err);
/* Path ("/a/b") and directory of the cgroup in the tracking hierarchy (legacy). */
const char *sk_cgroup_v1_track_path(const struct sk_cgroup_v1 *v1);
const char *sk_cgroup_v1_track_dir(const struct sk_cgroup_v1 *v1);
/* Whether create made the tracking-hierarchy cgroup (false: reused). */
bool sk_cgroup_v1_track_owned(const struct sk_cgroup_v1 *v1);
/* The hierarchies whose cgroup create made, as their controller lists
 * separated by ';' ("" for none; heap), and the same set back on a
 * reopened cgroup: destroy removes just those. */
char *sk_cgroup_v1_owned(const struct sk_cgroup_v1 *v1);
void sk_cgroup_v1_set_owned(struct sk_cgroup_v1 *v1, const char *owned);
/* sk_cgroup_plan on a legacy host: the tracking-hierarchy dir of `path`. */
char *sk_cgroup_v1_plan_dir(const char *path, struct sk_error *err);
/* Whether every hierarchy's cgroup was made (owned) or reused (!owned). */
bool sk_cgroup_v1_owned_all(const struct sk_cgroup_v1 *v1, bool owned);
/* Directory of the container's cgroup for `controller` ("memory"), NULL if none. */
const char *sk_cgroup_v1_dir(const struct sk_cgroup_v1 *v1, const char *controller);
int sk_cgroup_v1_attach(struct sk_cgroup_v1 *v1, pid_t pid, struct sk_error *err);
/* `update`: write the given resources (only the fields set). */
int sk_cgroup_v1_apply(struct sk_cgroup_v1 *v1, const struct sk_resources *r,
		       struct sk_error *err);
/* Thaw, kill what is left, remove sub-cgroups and (when owned) the cgroup in
 * every hierarchy, depth first with a bounded retry. */
int sk_cgroup_v1_destroy(struct sk_cgroup_v1 *v1, struct sk_error *err);
void sk_cgroup_v1_free(struct sk_cgroup_v1 *v1);
/* freezer.state; ENOTSUP when the host has no freezer hierarchy. */
int sk_cgroup_v1_freeze(struct sk_cgroup_v1 *v1, bool frozen, struct sk_error *err);
int sk_cgroup_v1_is_frozen(struct sk_cgroup_v1 *v1);   /* 1, 0, or -1 */
int sk_cgroup_v1_dir_frozen(const char *dir);          /* freezer.state of DIR */
/* Host pids in the tracking hierarchy's cgroup and below. */
int sk_cgroup_v1_pids(struct sk_cgroup_v1 *v1, pid_t **pids, size_t *n, struct sk_error *err);

/* Raw counters of the v1 controllers for `events --stats`; has_* tells
 * which controller was readable.  Units: bytes, nanoseconds. */
struct sk_cgroup_v1_stats {
	bool has_memory;
	unsigned long long mem_usage, mem_max_usage, mem_limit, mem_failcnt;
	unsigned long long memsw_usage, memsw_max_usage, memsw_limit, memsw_failcnt;
	unsigned long long oom_kill;                 /* memory.oom_control */
	bool has_cpu;
	unsigned long long cpu_usage, cpu_user, cpu_system;      /* cpuacct */
	unsigned long long nr_periods, nr_throttled, throttled_time;  /* cpu.stat */
	bool has_pids;
	unsigned long long pids_current, pids_limit;  /* limit 0: "max" */
};
int sk_cgroup_v1_stats(struct sk_cgroup_v1 *v1, struct sk_cgroup_v1_stats *st,
		       struct sk_error *err);
/* runc's stats object (cpu, memory, pids, blkio) as a JSON heap string. */
char *sk_cgroup_v1_stats_json(struct sk_cgroup_v1 *v1);

#endif
