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
};

/* Find where the v2 hierarchy is mounted and the host mode. */
int sk_cgroup_detect(enum sk_cgroup_mode *mode, const char **v2_mount, struct sk_error *err);

/* Work out the container cgroup from linux.cgroupsPath (absolute: below
 * the hierarchy's root; relative: below the caller's own cgroup; empty:
 * "<caller's cgroup>/<id>"), create it (an existing empty one is reused,
 * owned=false), apply linux.resources, and open dirfd.  On error nothing
 * is left behind. */
int sk_cgroup_create(const struct sk_config *c, const char *id,
		     struct sk_cgroup *out, struct sk_error *err);
/* Whether the init must be attached by pid after clone3 (v1 hierarchies,
 * or no v2 dirfd for CLONE_INTO_CGROUP); the init waits until it is. */
bool sk_cgroup_needs_attach(const struct sk_cgroup *cg);
int sk_cgroup_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err);
/* Attach to an existing cgroup directory saved in the state. */
int sk_cgroup_open(const char *dir, bool owned, struct sk_cgroup *out, struct sk_error *err);
/* Kill what is left (cgroup.kill, else signal each pid), then remove the
 * cgroup and any sub-cgroups depth first, retrying for a bounded time.
 * Only removes it when owned. */
int sk_cgroup_destroy(struct sk_cgroup *cg, struct sk_error *err);
void sk_cgroup_release(struct sk_cgroup *cg);   /* free memory, close fd */

int sk_cgroup_freeze(struct sk_cgroup *cg, bool frozen, struct sk_error *err);
int sk_cgroup_is_frozen(struct sk_cgroup *cg);   /* 1, 0, or -1 */
/* Signal every process of the cgroup (SIGKILL uses cgroup.kill when present). */
int sk_cgroup_signal_all(struct sk_cgroup *cg, int sig, struct sk_error *err);
/* Host pids in the cgroup and its descendants. */
int sk_cgroup_pids(struct sk_cgroup *cg, pid_t **pids, size_t *n, struct sk_error *err);

#endif
