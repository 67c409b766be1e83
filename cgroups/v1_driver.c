/* The cgroup v1 driver of a legacy host (no cgroup2 at all): the cgroup
 * of the v1 tracking hierarchy (freezer, else pids, memory...) stands for
 * the container (dir, path), the init is attached by pid (dirfd -1), the
 * freezer pauses.  The v1 hierarchies themselves are v1.c, v1_res.c and
 * v1_stats.c; the sk_cg1_* functions here serve the hybrid driver too. */
#include <errno.h>
#include <stdlib.h>

#include "skiff/cgroups.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "driver.h"
#include "v1.h"

/* ---- shared with the hybrid driver ---- */

char *sk_cg1_owned_parts(const struct sk_cgroup *cg)
{
	return sk_cgroup_v1_owned(cg->priv);
}

bool sk_cg1_owned_uniform(const struct sk_cgroup *cg)
{
	return sk_cgroup_v1_owned_all(cg->priv, cg->owned);
}

void sk_cg1_release(struct sk_cgroup *cg)
{
	sk_cgroup_v1_free(cg->priv);
	cg->priv = NULL;
}

int sk_cg1_update(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err)
{
	return sk_cgroup_v1_apply(cg->priv, r, err);
}

/* ---- legacy host ---- */

static int v1_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		   struct sk_error *err)
{
	if (sk_cg_path(c, id, true, path, err) < 0)
		return -1;
	*dir = sk_cgroup_v1_plan_dir(*path, err);
	if (!*dir) {
		free(*path);
		*path = NULL;
		return -1;
	}
	return 0;
}

/* Fill `out` from its v1 hierarchies. */
static void v1_fill(struct sk_cgroup *out, struct sk_cgroup_v1 *v1, const char *dir, bool owned)
{
	out->priv = v1;
	out->path = sk_xstrdup(sk_cgroup_v1_track_path(v1));
	out->dir = sk_xstrdup(dir);
	out->dirfd = -1;
	out->owned = owned;
}

/* The v1 driver checks its limits before it creates anything. */
static int v1_create(const struct sk_config *c, const char *id, struct sk_cgroup *out,
		     struct sk_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct sk_cgroup_v1 *v1;

	if (sk_cg_path(c, id, true, &path, err) < 0 ||
	    sk_cgroup_v1_create(c, path, SK_CGROUP_LEGACY, &v1, err) < 0)
		return -1;
	v1_fill(out, v1, sk_cgroup_v1_track_dir(v1), sk_cgroup_v1_track_owned(v1));
	return 0;
}

/* dir is in the tracking hierarchy; the owned parts may map the path anew
 * (an absolute cgroupsPath) */
static int v1_open(const char *dir, bool owned, const char *owned_parts, struct sk_cgroup *out,
		   struct sk_error *err)
{
	struct sk_cgroup_v1 *v1;

	if (sk_cgroup_v1_open(dir, SK_CGROUP_LEGACY, owned, &v1, err) < 0)
		return -1;
	if (owned_parts)
		sk_cgroup_v1_set_owned(v1, owned_parts);
	v1_fill(out, v1, dir, owned);
	return 0;
}

static int v1_destroy(struct sk_cgroup *cg, struct sk_error *err)
{
	return sk_cgroup_v1_destroy(cg->priv, err);
}

static bool v1_needs_attach(const struct sk_cgroup *cg)
{
	(void)cg;
	return true;	/* every hierarchy needs the pid written */
}

static int v1_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err)
{
	return sk_cgroup_v1_attach(cg->priv, pid, err);
}

/* freezer.state */
static int v1_freeze(struct sk_cgroup *cg, bool frozen, struct sk_error *err)
{
	return sk_cgroup_v1_freeze(cg->priv, frozen, err);
}

static int v1_is_frozen(struct sk_cgroup *cg)
{
	return sk_cgroup_v1_is_frozen(cg->priv);
}

const struct sk_cgroup_driver sk_cg_driver_v1 = {
	.name = "v1",
	.mode = SK_CGROUP_LEGACY,
	.memory_limit_file = "memory.limit_in_bytes",
	.plan = v1_plan,
	.create = v1_create,
	.open = v1_open,
	.release = sk_cg1_release,
	.destroy = v1_destroy,
	.owned_parts = sk_cg1_owned_parts,
	.owned_uniform = sk_cg1_owned_uniform,
	.needs_attach = v1_needs_attach,
	.attach = v1_attach,
	.freeze = v1_freeze,
	.is_frozen = v1_is_frozen,
	.signal_all = sk_cg_signal_all,
	.pids = sk_cg_pids,
	.update = sk_cg1_update,
	.stats_json = sk_cg1_stats_json,
	.oom_kills = sk_cg1_oom_kills,
	.pids_max_hits = sk_cg1_pids_max_hits,
	.memory_max = sk_cg1_memory_max,
	.peaks = sk_cg1_peaks,
};
