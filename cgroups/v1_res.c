/* linux.resources through the cgroup v1 controllers, and their stats.
 *
 * A plan (a list of file writes, in order) is built from the resources
 * first, then run; the order of the writes follows runc's fs driver:
 * memory.limit_in_bytes before memory.memsw.limit_in_bytes, except when
 * the new swap limit is above the current memory limit; cpu.rt_period_us
 * and cpu.cfs_period_us retried after their runtime/quota when the kernel
 * refuses the period alone; devices: the rules in config order (the
 * default config starts with deny "a"), then runc's default device allows
 * (linux.devices adds none; `update` leaves the device rules alone). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "v1.h"

/* ---- controllers the config needs ---- */

static int missing(struct sk_error *err, const char *field, const char *ctrl,
		   const struct v1_host *host, enum sk_cgroup_mode mode)
{
	return sk_error(err, ENOTSUP,
			"linux.resources.%s: needs the %s cgroup controller, which this host "
			"does not have (cgroup mode: %s; v1 controllers: %s)",
			field, ctrl, sk_cgroup_mode_name(mode), v1_host_list(host));
}

#define NEED(cond, field, ctrl)                                                  \
	do {                                                                     \
		if ((cond) && !v1_host_find(host, ctrl))                         \
			return missing(err, field, ctrl, host, mode);            \
	} while (0)

int v1_check_controllers(const struct sk_resources *r, const struct v1_host *host,
			 enum sk_cgroup_mode mode, struct sk_error *err)
{
	const struct v1_hier *mem;

	if (!r->present)
		return 0;
	if (r->n_unified)
		return sk_error(err, ENOTSUP, "linux.resources.unified.%s: needs cgroup v2 "
				"controllers (cgroup mode: %s; limits go through v1 here)",
				r->unified[0].key, sk_cgroup_mode_name(mode));
	NEED(r->memory.has_limit, "memory.limit", "memory");
	NEED(r->memory.has_reservation, "memory.reservation", "memory");
	NEED(r->memory.has_swap, "memory.swap", "memory");
	NEED(r->memory.has_swappiness, "memory.swappiness", "memory");
	NEED(r->memory.has_disable_oom_killer, "memory.disableOOMKiller", "memory");
	NEED(r->memory.has_use_hierarchy, "memory.useHierarchy", "memory");
	NEED(r->cpu.has_shares, "cpu.shares", "cpu");
	NEED(r->cpu.has_quota, "cpu.quota", "cpu");
	NEED(r->cpu.has_burst, "cpu.burst", "cpu");
	NEED(r->cpu.has_period, "cpu.period", "cpu");
	NEED(r->cpu.has_realtime_runtime, "cpu.realtimeRuntime", "cpu");
	NEED(r->cpu.has_realtime_period, "cpu.realtimePeriod", "cpu");
	NEED(r->cpu.has_idle, "cpu.idle", "cpu");
	NEED(r->cpu.cpus && r->cpu.cpus[0], "cpu.cpus", "cpuset");
	NEED(r->cpu.mems && r->cpu.mems[0], "cpu.mems", "cpuset");
	NEED(r->pids.has_limit, "pids.limit", "pids");
	NEED(r->blkio.present, "blockIO", "blkio");
	NEED(r->n_hugepage_limits, "hugepageLimits", "hugetlb");
	NEED(r->network.has_class_id, "network.classID", "net_cls");
	NEED(r->network.n_priorities, "network.priorities", "net_prio");
	NEED(r->n_rdma, "rdma", "rdma");
	NEED(r->n_devices, "devices", "devices");

	mem = v1_host_find(host, "memory");
	if (mem && r->memory.has_swap && r->memory.swap != 0) {
		_cleanup_free_ char *f = sk_xasprintf("%s%s/memory.memsw.limit_in_bytes",
						      mem->mnt, mem->own);

		if (access(f, F_OK) < 0)
			return sk_error(err, ENOTSUP, "linux.resources.memory.swap: this host has no "
					"swap accounting (no memory.memsw.limit_in_bytes; boot "
					"with swapaccount=1) (cgroup mode: %s)",
					sk_cgroup_mode_name(mode));
	}
	return 0;
}

/* ---- plan ---- */

static struct v1_write *add(struct v1_plan *p, const char *ctrl, const char *field,
			    const char *file, char *value)
{
	struct v1_write *w;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->w = sk_xrealloc(p->w, p->cap * sizeof(*p->w));
	}
	w = &p->w[p->n++];
	memset(w, 0, sizeof(*w));
	w->ctrl = ctrl;
	w->field = field;
	w->file = sk_xstrdup(file);
	w->value = value;
	return w;
}

void v1_plan_free(struct v1_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->w[i].file);
		free(p->w[i].value);
	}
	free(p->w);
	memset(p, 0, sizeof(*p));
}

static bool has(const struct sk_cgroup_v1 *v1, const char *ctrl, const char *file)
{
	const struct v1_dir *d = v1_find_dir(v1, ctrl);
	_cleanup_free_ char *f = NULL;

	if (!d)
		return false;
	f = sk_xasprintf("%s/%s", d->dir, file);
	return access(f, F_OK) == 0;
}

static int no_file(struct sk_error *err, const char *field, const char *file,
		   const struct sk_cgroup_v1 *v1)
{
	return sk_error(err, ENOTSUP, "linux.resources.%s: this kernel has no %s "
			"(cgroup mode: %s)", field, file, sk_cgroup_mode_name(v1->mode));
}

static int plan_memory(const struct sk_resources *r, const struct sk_cgroup_v1 *v1,
		       struct v1_plan *p, struct sk_error *err)
{
	int64_t limit = r->memory.has_limit ? r->memory.limit : 0;
	int64_t swap = r->memory.has_swap ? r->memory.swap : 0;
	bool memsw = has(v1, "memory", "memory.memsw.limit_in_bytes");
	bool swap_first = false;

	if (r->memory.has_reservation && r->memory.reservation != 0)
		add(p, "memory", "memory.reservation", "memory.soft_limit_in_bytes",
		    sk_xasprintf("%lld", (long long)r->memory.reservation));
	if (limit == -1 && !swap && memsw)
		swap = -1;	/* unlimited memory: unlimited memory+swap too (runc) */
	if (swap && !memsw)
		return no_file(err, "memory.swap", "memory.memsw.limit_in_bytes (swap accounting)", v1);
	if (limit > 0 && swap > 0 && swap < limit)
		return sk_error(err, EINVAL, "linux.resources.memory.swap: %lld is below "
				"memory.limit %lld (in cgroup v1 swap limits memory+swap)",
				(long long)swap, (long long)limit);
	if (limit && swap) {
		const struct v1_dir *d = v1_find_dir(v1, "memory");
		_cleanup_free_ char *f = sk_xasprintf("%s/memory.limit_in_bytes", d->dir);
		_cleanup_free_ char *cur = NULL;
		long long c = -1;
		struct sk_error e;

		if (sk_read_file_at(AT_FDCWD, f, &cur, NULL, 64, &e) == 0) {
			cur[strcspn(cur, "\n")] = '\0';
			if (sk_parse_long(cur, &c) < 0)
				c = -1;
		}
		/* raising: memsw first, so that limit <= memsw holds throughout */
		swap_first = swap == -1 || (c >= 0 && c < swap);
	}
	if (swap && swap_first)
		add(p, "memory", "memory.swap", "memory.memsw.limit_in_bytes",
		    sk_xasprintf("%lld", (long long)swap));
	if (limit)
		add(p, "memory", "memory.limit", "memory.limit_in_bytes",
		    sk_xasprintf("%lld", (long long)limit));
	if (swap && !swap_first)
		add(p, "memory", "memory.swap", "memory.memsw.limit_in_bytes",
		    sk_xasprintf("%lld", (long long)swap));
	if (r->memory.has_swappiness) {
		if (r->memory.swappiness > 100)
			return sk_error(err, EINVAL, "linux.resources.memory.swappiness: %llu is "
					"out of range (0-100)",
					(unsigned long long)r->memory.swappiness);
		add(p, "memory", "memory.swappiness", "memory.swappiness",
		    sk_xasprintf("%llu", (unsigned long long)r->memory.swappiness));
	}
	if (r->memory.has_disable_oom_killer)
		add(p, "memory", "memory.disableOOMKiller", "memory.oom_control",
		    sk_xstrdup(r->memory.disable_oom_killer ? "1" : "0"));
	if (r->memory.has_use_hierarchy)
		add(p, "memory", "memory.useHierarchy", "memory.use_hierarchy",
		    sk_xstrdup(r->memory.use_hierarchy ? "1" : "0"));
	/* checkBeforeUpdate: v1 itself refuses a limit below the usage (EBUSY). */
	return 0;
}

static int plan_cpu(const struct sk_resources *r, const struct sk_cgroup_v1 *v1,
		    struct v1_plan *p, struct sk_error *err)
{
	struct v1_write *w;

	if (r->cpu.has_realtime_period && r->cpu.realtime_period) {
		w = add(p, "cpu", "cpu.realtimePeriod", "cpu.rt_period_us",
			sk_xasprintf("%llu", (unsigned long long)r->cpu.realtime_period));
		w->defer = r->cpu.has_realtime_runtime;
	}
	if (r->cpu.has_realtime_runtime && r->cpu.realtime_runtime)
		add(p, "cpu", "cpu.realtimeRuntime", "cpu.rt_runtime_us",
		    sk_xasprintf("%lld", (long long)r->cpu.realtime_runtime));
	if (r->cpu.has_shares && r->cpu.shares) {
		w = add(p, "cpu", "cpu.shares", "cpu.shares",
			sk_xasprintf("%llu", (unsigned long long)r->cpu.shares));
		w->readback = true;
	}
	if (r->cpu.has_period && r->cpu.period) {
		w = add(p, "cpu", "cpu.period", "cpu.cfs_period_us",
			sk_xasprintf("%llu", (unsigned long long)r->cpu.period));
		w->defer = r->cpu.has_quota;
	}
	if (r->cpu.has_quota && r->cpu.quota)
		add(p, "cpu", "cpu.quota", "cpu.cfs_quota_us",
		    sk_xasprintf("%lld", (long long)r->cpu.quota));
	if (r->cpu.has_burst) {
		if (!has(v1, "cpu", "cpu.cfs_burst_us"))
			return no_file(err, "cpu.burst", "cpu.cfs_burst_us", v1);
		add(p, "cpu", "cpu.burst", "cpu.cfs_burst_us",
		    sk_xasprintf("%llu", (unsigned long long)r->cpu.burst));
	}
	if (r->cpu.has_idle) {
		if (!has(v1, "cpu", "cpu.idle"))
			return no_file(err, "cpu.idle", "cpu.idle", v1);
		add(p, "cpu", "cpu.idle", "cpu.idle", sk_xasprintf("%lld", (long long)r->cpu.idle));
	}
	if (r->cpu.cpus && r->cpu.cpus[0])
		add(p, "cpuset", "cpu.cpus", "cpuset.cpus", sk_xstrdup(r->cpu.cpus));
	if (r->cpu.mems && r->cpu.mems[0])
		add(p, "cpuset", "cpu.mems", "cpuset.mems", sk_xstrdup(r->cpu.mems));
	return 0;
}

static int plan_blkio(const struct sk_resources *r, const struct sk_cgroup_v1 *v1,
		      struct v1_plan *p, struct sk_error *err)
{
	static const struct {
		const char *field, *file;
		size_t off_list, off_n;
	} thr[] = {
#define T(f, file, m) { "blockIO." f, file, offsetof(struct sk_resources, blkio.m), \
			offsetof(struct sk_resources, blkio.n_##m) }
		T("throttleReadBpsDevice", "blkio.throttle.read_bps_device", throttle_read_bps),
		T("throttleWriteBpsDevice", "blkio.throttle.write_bps_device", throttle_write_bps),
		T("throttleReadIOPSDevice", "blkio.throttle.read_iops_device", throttle_read_iops),
		T("throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", throttle_write_iops),
#undef T
	};
	const char *wfile = has(v1, "blkio", "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
	const char *wdfile = has(v1, "blkio", "blkio.weight_device") ? "blkio.weight_device" :
			     "blkio.bfq.weight_device";
	size_t i, j;

	if (r->blkio.has_weight && r->blkio.weight) {
		if (!has(v1, "blkio", wfile))
			return no_file(err, "blockIO.weight", "blkio.weight or blkio.bfq.weight", v1);
		add(p, "blkio", "blockIO.weight", wfile, sk_xasprintf("%u", r->blkio.weight));
	}
	if (r->blkio.has_leaf_weight && r->blkio.leaf_weight) {
		if (!has(v1, "blkio", "blkio.leaf_weight"))
			return no_file(err, "blockIO.leafWeight", "blkio.leaf_weight", v1);
		add(p, "blkio", "blockIO.leafWeight", "blkio.leaf_weight",
		    sk_xasprintf("%u", r->blkio.leaf_weight));
	}
	for (i = 0; i < r->blkio.n_weight_device; i++) {
		const struct sk_blkio_dev *d = &r->blkio.weight_device[i];

		if (d->has_weight) {
			if (!has(v1, "blkio", wdfile))
				return no_file(err, "blockIO.weightDevice", "blkio.weight_device", v1);
			add(p, "blkio", "blockIO.weightDevice", wdfile,
			    sk_xasprintf("%lld:%lld %u", (long long)d->major, (long long)d->minor,
					 d->weight));
		}
		if (d->has_leaf_weight) {
			if (!has(v1, "blkio", "blkio.leaf_weight_device"))
				return no_file(err, "blockIO.weightDevice", "blkio.leaf_weight_device", v1);
			add(p, "blkio", "blockIO.weightDevice", "blkio.leaf_weight_device",
			    sk_xasprintf("%lld:%lld %u", (long long)d->major, (long long)d->minor,
					 d->leaf_weight));
		}
	}
	for (j = 0; j < SK_ARRAY_SIZE(thr); j++) {
		const struct sk_blkio_dev *list =
			*(struct sk_blkio_dev *const *)((const char *)r + thr[j].off_list);
		size_t n = *(const size_t *)((const char *)r + thr[j].off_n);

		if (n && !has(v1, "blkio", thr[j].file))
			return no_file(err, thr[j].field, thr[j].file, v1);
		for (i = 0; i < n; i++)
			add(p, "blkio", thr[j].field, thr[j].file,
			    sk_xasprintf("%lld:%lld %llu", (long long)list[i].major,
					 (long long)list[i].minor, (unsigned long long)list[i].rate));
	}
	return 0;
}

/* runc's and crun's default allows: mknod of anything, and the devices
 * every container has (rootfs/devices.c makes them) plus /dev/net/tun. */
static const char *const default_allow[] = {
	"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
	"c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
};

static char *rule_str(const struct sk_device_rule *d)
{
	char maj[24] = "*", min[24] = "*";
	const char *type = d->type && d->type[0] ? d->type : "a";

	if (!strcmp(type, "a") && !d->has_major && !d->has_minor)
		return sk_xstrdup("a");
	if (d->has_major)
		snprintf(maj, sizeof(maj), "%lld", (long long)d->major);
	if (d->has_minor)
		snprintf(min, sizeof(min), "%lld", (long long)d->minor);
	return sk_xasprintf("%s %s:%s %s", type, maj, min,
			    d->access && d->access[0] ? d->access : "rwm");
}

/* Exactly the rules of linux.resources.devices, then runc's default
 * allows at create.  linux.devices only makes nodes: it adds no rule (as
 * runc), or a deny-all config would let the container use them. */
static void plan_devices(const struct sk_resources *r, const struct sk_config *c,
			 struct v1_plan *p)
{
	size_t i;

	if (!r->n_devices || !c)
		return;	/* update: the rules set at create stay (runc) */
	for (i = 0; i < r->n_devices; i++)
		add(p, "devices", "devices", r->devices[i].allow ? "devices.allow" : "devices.deny",
		    rule_str(&r->devices[i]));
	for (i = 0; i < SK_ARRAY_SIZE(default_allow); i++)
		add(p, "devices", "devices", "devices.allow", sk_xstrdup(default_allow[i]));
}

int v1_plan_resources(const struct sk_resources *r, const struct sk_config *c,
		      const struct sk_cgroup_v1 *v1, struct v1_plan *p, struct sk_error *err)
{
	size_t i;

	if (!r->present)
		return 0;
	if (plan_memory(r, v1, p, err) < 0 || plan_cpu(r, v1, p, err) < 0)
		return -1;
	if (r->pids.has_limit && r->pids.limit != 0)
		add(p, "pids", "pids.limit", "pids.max", r->pids.limit > 0 ?
		    sk_xasprintf("%lld", (long long)r->pids.limit) : sk_xstrdup("max"));
	if (plan_blkio(r, v1, p, err) < 0)
		return -1;
	for (i = 0; i < r->n_hugepage_limits; i++) {
		const struct sk_hugepage_limit *h = &r->hugepage_limits[i];
		_cleanup_free_ char *f = sk_xasprintf("hugetlb.%s.limit_in_bytes", h->page_size);
		_cleanup_free_ char *rsvd = sk_xasprintf("hugetlb.%s.rsvd.limit_in_bytes",
							 h->page_size);

		if (!has(v1, "hugetlb", f))
			return sk_error(err, ENOTSUP, "linux.resources.hugepageLimits: page size "
					"`%s` is not supported by this host (no %s)", h->page_size, f);
		add(p, "hugetlb", "hugepageLimits", f,
		    sk_xasprintf("%llu", (unsigned long long)h->limit));
		if (has(v1, "hugetlb", rsvd))
			add(p, "hugetlb", "hugepageLimits", rsvd,
			    sk_xasprintf("%llu", (unsigned long long)h->limit));
	}
	if (r->network.has_class_id)
		add(p, "net_cls", "network.classID", "net_cls.classid",
		    sk_xasprintf("%u", r->network.class_id));
	for (i = 0; i < r->network.n_priorities; i++)
		add(p, "net_prio", "network.priorities", "net_prio.ifpriomap",
		    sk_xasprintf("%s %u", r->network.priorities[i].name,
				 r->network.priorities[i].priority));
	for (i = 0; i < r->n_rdma; i++) {
		const struct sk_rdma *d = &r->rdma[i];
		char h[32] = "", o[32] = "";

		if (d->has_handles)
			snprintf(h, sizeof(h), " hca_handle=%u", d->handles);
		if (d->has_objects)
			snprintf(o, sizeof(o), " hca_object=%u", d->objects);
		if (h[0] || o[0])
			add(p, "rdma", "rdma", "rdma.max", sk_xasprintf("%s%s%s", d->device, h, o));
	}
	plan_devices(r, c, p);
	return 0;
}

/* ---- run ---- */

static int fail_write(const struct v1_write *w, struct sk_error *err)
{
	return sk_error_ctx(err, "linux.resources.%s: write `%s` to %s", w->field, w->value,
			    w->file);
}

static int write_one(const struct v1_write *w, const struct sk_cgroup_v1 *v1,
		     struct sk_error *err)
{
	const struct v1_dir *d = v1_find_dir(v1, w->ctrl);
	_cleanup_free_ char *f = NULL;
	_cleanup_free_ char *back = NULL;
	long long want, got;

	if (!d)
		return sk_error(err, ENOTSUP, "linux.resources.%s: no %s cgroup (cgroup mode: %s)",
				w->field, w->ctrl, sk_cgroup_mode_name(v1->mode));
	f = sk_xasprintf("%s/%s", d->dir, w->file);
	if (sk_write_file_at(AT_FDCWD, f, w->value, strlen(w->value), err) < 0)
		return fail_write(w, err);
	if (!w->readback)
		return 0;
	if (sk_read_file_at(AT_FDCWD, f, &back, NULL, 64, err) < 0)
		return sk_error_ctx(err, "linux.resources.%s", w->field);
	back[strcspn(back, "\n")] = '\0';
	if (sk_parse_long(w->value, &want) == 0 && sk_parse_long(back, &got) == 0 && want != got)
		return sk_error(err, ERANGE, "linux.resources.%s: the kernel set %lld instead of %lld "
				"(out of its range)", w->field, got, want);
	return 0;
}

int v1_plan_run(const struct v1_plan *p, const struct sk_cgroup_v1 *v1, struct sk_error *err)
{
	const struct v1_write *pending = NULL;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct v1_write *w = &p->w[i];

		if (write_one(w, v1, err) < 0) {
			if (w->defer && err->errnum == EINVAL && i + 1 < p->n) {
				pending = w;	/* retried after the next write */
				continue;
			}
			return -1;
		}
		if (pending) {
			if (write_one(pending, v1, err) < 0)
				return -1;
			pending = NULL;
		}
	}
	return 0;
}

/* ---- cpuset ---- */

static int copy_if_empty(const char *dir, const char *parent, const char *file,
			 struct sk_error *err)
{
	_cleanup_free_ char *f = sk_xasprintf("%s/%s", dir, file);
	_cleanup_free_ char *pf = sk_xasprintf("%s/%s", parent, file);
	_cleanup_free_ char *cur = NULL, *pv = NULL;

	if (sk_read_file_at(AT_FDCWD, f, &cur, NULL, 4096, err) < 0)
		return err->errnum == ENOENT ? 0 : -1;
	if (cur[strspn(cur, " \n")])
		return 0;
	if (sk_read_file_at(AT_FDCWD, pf, &pv, NULL, 4096, err) < 0)
		return -1;
	pv[strcspn(pv, "\n")] = '\0';
	if (!pv[0])
		return sk_error(err, EINVAL, "%s is empty: cannot initialise %s", pf, f);
	if (sk_write_file_at(AT_FDCWD, f, pv, strlen(pv), err) < 0)
		return sk_error_ctx(err, "initialise %s from its parent", f);
	return 0;
}

int v1_cpuset_init(const struct v1_dir *d, const char *mnt, struct sk_error *err)
{
	_cleanup_free_ char *p = sk_xstrdup(d->dir);
	size_t i, start = strlen(mnt) + 1, len = strlen(p);

	/* each level below the root, parents first */
	for (i = start; i <= len; i++) {
		char saved = p[i], *slash;

		if (saved != '/' && saved != '\0')
			continue;
		p[i] = '\0';
		slash = strrchr(p, '/');
		*slash = '\0';
		{
			_cleanup_free_ char *parent = sk_xstrdup(p);

			*slash = '/';
			if (copy_if_empty(p, parent, "cpuset.cpus", err) < 0 ||
			    copy_if_empty(p, parent, "cpuset.mems", err) < 0)
				return -1;
		}
		p[i] = saved;
	}
	return 0;
}
