/* Internal to the cgroup v1 driver (cgroups/v1.c, cgroups/v1_res.c) and
 * its unit test.  The public interface is in include/skiff/cgroups.h. */
#ifndef SKIFF_CGROUPS_V1_H
#define SKIFF_CGROUPS_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "skiff/cgroups.h"

struct sk_error;
struct sk_config;
struct sk_resources;

/* One mounted v1 hierarchy with controllers (named ones are skipped). */
/* Host pids read from cgroup.procs files (cgroup.c serves both drivers). */
struct sk_pidv {
	pid_t *v;
	size_t n, cap;
};
/* Append the pids of <dfd>/<file> (a cgroup.procs); a cgroup removed
 * meanwhile adds nothing. */
int sk_cgroup_read_procs(int dfd, const char *file, struct sk_pidv *l, struct sk_error *err);

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

#endif
