/* Internal to the cgroup v1 driver (cgroups/v1.c, cgroups/v1_res.c,
 * cgroups/v1_stats.c), the hybrid driver and their unit tests.  The public
 * interface is in include/skiff/cgroups.h, the driver table in driver.h. */
#ifndef SKIFF_CGROUPS_V1_H
#define SKIFF_CGROUPS_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "skiff/cgroups.h"
#include "driver.h"

struct sk_error;
struct sk_config;
struct sk_resources;

/* One mounted v1 hierarchy with controllers (named ones are skipped). */
struct v1_hier {
	char *ctrls;   /* its controllers, comma separated: "cpu,cpuacct" */
	char *mnt;     /* where it is mounted (mount root "/") */
	char *own;     /* the caller's cgroup in it, from /proc/self/cgroup */
};

struct v1_host {
	struct v1_hier *h;
	size_t n;
	char *own_ref; /* the caller's "0::" cgroup ("/" when there is none) */
};

/* Read the hierarchies from <proc>/mountinfo and <proc>/cgroup; `proc`
 * NULL means /proc/self.  Tests pass a directory with fake files whose
 * mount points are plain directories. */
int v1_host_load(struct v1_host *host, const char *proc, struct sk_error *err);
void v1_host_free(struct v1_host *host);
/* The hierarchy holding `ctrl`, or NULL. */
const struct v1_hier *v1_host_find(const struct v1_host *host, const char *ctrl);
/* "cpu, cpuacct, memory, ..." for messages (static buffer). */
const char *v1_host_list(const struct v1_host *host);

/* The container's cgroup path in hierarchy `h` (see cgroups.h). */
char *v1_map_path(const char *path, const char *own_ref, const char *own);

/* Point the driver at a fake /proc/self (unit tests); NULL restores. */
void v1_set_proc(const char *proc);

struct v1_dir {
	char *ctrls;       /* of the hierarchy */
	char *path;        /* cgroup path in that hierarchy */
	char *dir;         /* absolute directory: <mount point><path> */
	size_t mnt_len;    /* length of the mount point at the start of dir */
	bool owned;        /* destroy removes the cgroup itself */
	int levels_made;   /* create: how many trailing levels we made (rollback) */
};

struct sk_cgroup_v1 {
	char *path;        /* container path as cgroup.c computed it */
	struct v1_dir *d;
	size_t n;
	size_t track;      /* index of the tracking hierarchy (legacy) */
	enum sk_cgroup_mode mode;
	bool abs;          /* an absolute linux.cgroupsPath: <mount point><path> */
	char *saved;       /* legacy open: the saved dir's path in its hierarchy */
};

const struct v1_dir *v1_find_dir(const struct sk_cgroup_v1 *v1, const char *ctrl);

/* ---- resources (v1_res.c) ---- */

/* One file write of a plan: `value` to `file` in the cgroup of `ctrl`. */
struct v1_write {
	const char *ctrl;
	const char *field;   /* config field for messages: "memory.limit" */
	char *file;
	char *value;
	bool defer;          /* on EINVAL, retry once after the next write */
	bool readback;       /* read back and compare (cpu.shares) */
};

struct v1_plan {
	struct v1_write *w;
	size_t n, cap;
};

/* Check before anything is created that every controller the resources
 * need is mounted.  Error names the field, the controller and the mode. */
int v1_check_controllers(const struct sk_resources *r, const struct v1_host *host,
			 enum sk_cgroup_mode mode, struct sk_error *err);
/* Build the writes for `r` (probing files and current values in the
 * container's existing dirs); `c` adds linux.devices to the device rules
 * (NULL on update). */
int v1_plan_resources(const struct sk_resources *r, const struct sk_config *c,
		      const struct sk_cgroup_v1 *v1, struct v1_plan *p, struct sk_error *err);
int v1_plan_run(const struct v1_plan *p, const struct sk_cgroup_v1 *v1, struct sk_error *err);
void v1_plan_free(struct v1_plan *p);

/* cpuset.cpus/mems of each level of the cpuset cgroup, copied from the
 * parent when empty (v1 refuses tasks in a cpuset without them). */
int v1_cpuset_init(const struct v1_dir *d, const char *mnt, struct sk_error *err);

/* ---- the v1 hierarchies of a container (v1.c, v1_res.c, v1_stats.c) ----
 * Used by the hybrid driver (processes tracked in the v2 cgroup, limits
 * through the v1 controllers) and the v1 driver of a legacy host
 * (everything through v1; dir is then the cgroup in the tracking
 * hierarchy, dirfd -1); see driver.h.
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
