/* The hybrid driver: v1 controllers with cgroup2 mounted at
 * /sys/fs/cgroup/unified.  The container's cgroup2 cgroup (the v2
 * driver's) tracks its processes, takes the init by CLONE_INTO_CGROUP and
 * pauses it (cgroup.freeze); limits and counters are the v1 hierarchies'
 * (v1.c, v1_res.c, v1_stats.c), kept in cg->priv. */
#include "skiff/cgroups.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "driver.h"
#include "v1.h"

struct hybrid_make {
	const struct sk_config *c;
	struct sk_cgroup_v1 *v1;
};

/* The v1 side, made once the v2 cgroup is: the last step of create. */
static int hybrid_v1(int rootfd, const char *rel, int fd, const char *path, void *arg,
		     struct sk_error *err)
{
	struct hybrid_make *x = arg;

	(void)rootfd, (void)rel, (void)fd;
	return sk_cgroup_v1_create(x->c, path, SK_CGROUP_HYBRID, &x->v1, err);
}

static int hybrid_create(const struct sk_config *c, const char *id, struct sk_cgroup *out,
			 struct sk_error *err)
{
	struct hybrid_make x = { c, NULL };
	const struct sk_cg2_hooks h = { NULL, hybrid_v1, &x };
	_cleanup_free_ char *path = NULL;

	if (sk_cg_path(c, id, false, &path, err) < 0 || sk_cg2_make(path, &h, out, err) < 0)
		return -1;
	out->priv = x.v1;
	return 0;
}

static int hybrid_open(const char *dir, bool owned, const char *owned_parts,
		       struct sk_cgroup *out, struct sk_error *err)
{
	struct sk_cgroup_v1 *v1;

	if (sk_cg2_open(dir, owned, NULL, out, err) < 0)
		return -1;
	/* the v1 side of the same cgroup */
	if (sk_cgroup_v1_open(out->path, SK_CGROUP_HYBRID, owned, &v1, err) < 0)
		return -1;	/* sk_cgroup_open releases the v2 part */
	if (owned_parts)
		sk_cgroup_v1_set_owned(v1, owned_parts);
	out->priv = v1;
	return 0;
}

/* The v2 cgroup first (cgroup.kill), then the v1 ones. */
static int hybrid_destroy(struct sk_cgroup *cg, struct sk_error *err)
{
	struct sk_error e;
	int r2 = sk_cg2_destroy(cg, err);
	int r1 = sk_cgroup_v1_destroy(cg->priv, r2 < 0 ? &e : err);

	return r1 < 0 || r2 < 0 ? -1 : 0;
}

static bool hybrid_needs_attach(const struct sk_cgroup *cg)
{
	(void)cg;
	return true;	/* the v1 hierarchies need the pid written */
}

/* Every v1 hierarchy, and v2 when not cloned into it. */
static int hybrid_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err)
{
	if (cg->dirfd < 0 && sk_cg2_attach(cg, pid, err) < 0)
		return -1;
	return sk_cgroup_v1_attach(cg->priv, pid, err);
}

const struct sk_cgroup_driver sk_cg_driver_hybrid = {
	.name = "hybrid",
	.mode = SK_CGROUP_HYBRID,
	.memory_limit_file = "memory.limit_in_bytes",
	.plan = sk_cg2_plan,
	.create = hybrid_create,
	.open = hybrid_open,
	.release = sk_cg1_release,
	.destroy = hybrid_destroy,
	.owned_parts = sk_cg1_owned_parts,
	.owned_uniform = sk_cg1_owned_uniform,
	.needs_attach = hybrid_needs_attach,
	.attach = hybrid_attach,
	.freeze = sk_cg2_freeze,
	.is_frozen = sk_cg2_is_frozen,
	.signal_all = sk_cg_signal_all,
	.pids = sk_cg_pids,
	.update = sk_cg1_update,
	.stats_json = sk_cg1_stats_json,
	.oom_kills = sk_cg1_oom_kills,
	.pids_max_hits = sk_cg1_pids_max_hits,
	.memory_max = sk_cg1_memory_max,
	.peaks = sk_cg1_peaks,
};
