/* linux.resources on the cgroup v2 hierarchy: conversions from the spec's
 * (v1-shaped) fields to v2 files, the controllers they need, and writing
 * them.  The rules follow runc and crun where they agree:
 *
 *   memory.limit -> memory.max, reservation -> memory.low,
 *   swap (memory+swap) -> memory.swap.max = swap - limit (-1: max),
 *   cpu.shares -> cpu.weight (runc/crun's log-scale conversion),
 *   quota/period -> cpu.max, burst -> cpu.max.burst, idle -> cpu.idle,
 *   cpus/mems -> cpuset.cpus/.mems, pids.limit -> pids.max,
 *   blockIO.weight -> io.bfq.weight (else io.weight, linear 10..1000 ->
 *   1..10000), throttle* -> io.max, hugepageLimits -> hugetlb.<size>.max
 *   (and .rsvd.max), rdma -> rdma.max, unified -> the named files, last.
 *
 * Fields with no v2 conversion are errors (config-linux.md), except a value
 * that asks for the kernel's default (nothing to convert) and network.*,
 * which runc and crun both ignore on v2. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "v2.h"

/* ---- checks ---- */

static void need(struct sk_cg_ctrls *n, const char *ctrl, const char *field)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (!strcmp(n->name[i], ctrl))
			return;
	if (n->n < SK_CG_MAX_CTRLS) {
		snprintf(n->name[n->n], sizeof(n->name[n->n]), "%s", ctrl);
		n->field[n->n++] = field;
	}
}

static int no_v2(struct sk_error *err, const char *field, const char *why)
{
	return sk_error(err, ENOTSUP, "linux.resources.%s: %s has no cgroup v2 equivalent", field, why);
}

/* The controller part of a unified key ("memory.high" -> "memory"),
 * in a buffer of the caller. */
static int unified_ctrl(const char *key, char *ctrl, size_t len, struct sk_error *err)
{
	const char *dot = strchr(key, '.');

	if (!key[0] || strchr(key, '/') || !strcmp(key, ".") || !strcmp(key, "..") ||
	    strstr(key, ".."))
		return sk_error(err, EINVAL, "linux.resources.unified: key \"%s\" must be a file name "
				"(no \"/\" or \"..\")", key);
	if (!dot || dot == key || !dot[1] || (size_t)(dot - key) >= len)
		return sk_error(err, EINVAL, "linux.resources.unified: key \"%s\" is not of the form "
				"CONTROLLER.FILE", key);
	memcpy(ctrl, key, (size_t)(dot - key));
	ctrl[dot - key] = '\0';
	if (!strcmp(ctrl, "cgroup")) {
		static const char *const reserved[] = {
			"cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
			"cgroup.kill", "cgroup.freeze", "cgroup.type",
		};
		for (size_t i = 0; i < SK_ARRAY_SIZE(reserved); i++)
			if (!strcmp(key, reserved[i]))
				return sk_error(err, EINVAL, "linux.resources.unified: \"%s\" is managed "
						"by the runtime and cannot be set", key);
	}
	return 0;
}

int sk_cg2_check(const struct sk_resources *r, struct sk_cg_ctrls *n, struct sk_error *err)
{
	size_t i;

	memset(n, 0, sizeof(*n));
	if (!r->present)
		return 0;
	/* memory */
	if (r->memory.has_swappiness)
		return no_v2(err, "memory.swappiness", "a per-cgroup swappiness");
	if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
		return no_v2(err, "memory.disableOOMKiller", "disabling the OOM killer");
	if (r->memory.has_use_hierarchy && !r->memory.use_hierarchy)
		return no_v2(err, "memory.useHierarchy", "a non-hierarchical memory cgroup");
	if (r->memory.has_swap && r->memory.swap != -1 && r->memory.swap != 0) {
		if (!r->memory.has_limit || r->memory.limit <= 0)
			return sk_error(err, EINVAL, "linux.resources.memory.swap: a swap limit needs a "
					"memory limit (memory.limit)");
		if (r->memory.swap < r->memory.limit)
			return sk_error(err, EINVAL, "linux.resources.memory.swap: memory+swap (%" PRId64
					") must not be less than memory.limit (%" PRId64 ")",
					r->memory.swap, r->memory.limit);
	}
	if (r->memory.has_limit || r->memory.has_reservation || r->memory.has_swap ||
	    (r->memory.has_check_before_update && r->memory.check_before_update))
		need(n, "memory", "memory");
	/* cpu */
	if (r->cpu.has_realtime_runtime && r->cpu.realtime_runtime != 0)
		return no_v2(err, "cpu.realtimeRuntime", "a realtime scheduling budget");
	if (r->cpu.has_realtime_period && r->cpu.realtime_period != 0)
		return no_v2(err, "cpu.realtimePeriod", "a realtime scheduling period");
	if (r->cpu.has_burst && r->cpu.has_quota && r->cpu.quota > 0 &&
	    r->cpu.burst > (uint64_t)r->cpu.quota)
		return sk_error(err, EINVAL, "linux.resources.cpu.burst: %" PRIu64 " is more than "
				"cpu.quota (%" PRId64 ")", r->cpu.burst, r->cpu.quota);
	if (r->cpu.has_idle && r->cpu.idle != 0 && r->cpu.idle != 1)
		return sk_error(err, EINVAL, "linux.resources.cpu.idle: must be 0 or 1, not %" PRId64,
				r->cpu.idle);
	if ((r->cpu.has_shares && r->cpu.shares) || r->cpu.has_quota || r->cpu.has_period ||
	    r->cpu.has_burst || r->cpu.has_idle)
		need(n, "cpu", "cpu");
	if (r->cpu.cpus || r->cpu.mems)
		need(n, "cpuset", r->cpu.cpus ? "cpu.cpus" : "cpu.mems");
	/* pids */
	if (r->pids.has_limit)
		need(n, "pids", "pids.limit");
	/* blockIO */
	if (r->blkio.has_leaf_weight)
		return no_v2(err, "blockIO.leafWeight", "a leaf weight");
	for (i = 0; i < r->blkio.n_weight_device; i++)
		if (r->blkio.weight_device[i].has_leaf_weight && !r->blkio.weight_device[i].has_weight)
			return no_v2(err, "blockIO.weightDevice.leafWeight", "a leaf weight");
	/* weight 0 is "unset", as runc and the v1 driver take it: Docker 20.10
	 * sends blockIO.weight 0 with every container */
	if (r->blkio.has_weight && r->blkio.weight && (r->blkio.weight < 10 || r->blkio.weight > 1000))
		return sk_error(err, EINVAL, "linux.resources.blockIO.weight: %u is not in 10..1000",
				r->blkio.weight);
	if ((r->blkio.has_weight && r->blkio.weight) || r->blkio.n_weight_device || r->blkio.n_throttle_read_bps ||
	    r->blkio.n_throttle_write_bps || r->blkio.n_throttle_read_iops ||
	    r->blkio.n_throttle_write_iops)
		need(n, "io", "blockIO");
	if (r->n_hugepage_limits)
		need(n, "hugetlb", "hugepageLimits");
	for (i = 0; i < r->n_hugepage_limits; i++) {
		const char *ps = r->hugepage_limits[i].page_size;

		if (!ps || !ps[0] || strchr(ps, '/') || strchr(ps, '.'))
			return sk_error(err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: "
					"invalid page size \"%s\"", i, ps ? ps : "");
	}
	if (r->n_rdma)
		need(n, "rdma", "rdma");
	for (i = 0; i < r->n_rdma; i++)
		if (!r->rdma[i].device || strpbrk(r->rdma[i].device, " \n="))
			return sk_error(err, EINVAL, "linux.resources.rdma: invalid device name");
	for (i = 0; i < r->n_unified; i++) {
		char ctrl[32];

		if (unified_ctrl(r->unified[i].key, ctrl, sizeof(ctrl), err) < 0)
			return -1;
		if (strcmp(ctrl, "cgroup"))
			need(n, ctrl, "unified");
	}
	return 0;
}

static bool word_in(const char *list, const char *w)
{
	size_t l = strlen(w);
	const char *p = list;

	while ((p = strstr(p, w))) {
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[l] == ' ' || p[l] == '\n' || p[l] == '\0'))
			return true;
		p += l;
	}
	return false;
}

int sk_cg2_check_available(int rootfd, const struct sk_cg_ctrls *n, enum sk_cgroup_mode mode,
			   struct sk_error *err)
{
	_cleanup_free_ char *avail = NULL;
	size_t i;

	if (!n->n)
		return 0;
	if (sk_read_file_at(rootfd, "cgroup.controllers", &avail, NULL, 1 << 16, err) < 0)
		return sk_error_ctx(err, "cgroup v2 root");
	for (i = 0; i < n->n; i++)
		if (!word_in(avail, n->name[i]))
			return sk_error(err, ENOTSUP, "linux.resources.%s: controller %s is not available "
					"(cgroup mode: %s)", n->field[i], n->name[i],
					sk_cgroup_mode_name(mode));
	return 0;
}

/* Enable `ctrl` in <dfd>/cgroup.subtree_control unless it is already. */
static int enable_one(int dfd, const char *where, const char *ctrl, const char *enabled,
		      bool strict, struct sk_error *err)
{
	char buf[40];
	int len;

	if (word_in(enabled, ctrl))
		return 0;
	len = snprintf(buf, sizeof(buf), "+%s", ctrl);
	if (sk_write_file_at(dfd, "cgroup.subtree_control", buf, (size_t)len, err) < 0) {
		if (!strict)
			return 0;
		if (err->errnum == EBUSY)
			return sk_error(err, EBUSY, "cgroup %s: cannot enable controller %s: the cgroup "
					"has processes of its own (put the container's cgroup elsewhere "
					"with linux.cgroupsPath)", where, ctrl);
		return sk_error_ctx(err, "cgroup %s: enable controller %s", where, ctrl);
	}
	return 0;
}

static int enable_level(int rootfd, const char *rel, const char *where,
			const struct sk_cg_ctrls *n, struct sk_error *err)
{
	static const char *const stats[] = { "cpu", "memory", "pids", "io" };
	_cleanup_free_ char *enabled = NULL, *avail = NULL;
	_cleanup_close_ int dfd = openat(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t i;

	if (dfd < 0)
		return sk_error_sys(err, "open cgroup %s", where);
	if (sk_read_file_at(dfd, "cgroup.subtree_control", &enabled, NULL, 1 << 16, err) < 0 ||
	    sk_read_file_at(dfd, "cgroup.controllers", &avail, NULL, 1 << 16, err) < 0)
		return sk_error_ctx(err, "cgroup %s", where);
	for (i = 0; i < n->n; i++)
		if (enable_one(dfd, where, n->name[i], enabled, true, err) < 0)
			return -1;
	for (i = 0; i < SK_ARRAY_SIZE(stats); i++)
		if (word_in(avail, stats[i]))
			enable_one(dfd, where, stats[i], enabled, false, err);
	return 0;
}

int sk_cg2_enable(int rootfd, const char *rel, const struct sk_cg_ctrls *n, struct sk_error *err)
{
	_cleanup_free_ char *p = sk_xstrdup(rel);
	char *end = p;

	if (enable_level(rootfd, ".", "/", n, err) < 0)
		return -1;
	while ((end = strchr(end, '/'))) {
		int r;

		*end = '\0';
		r = enable_level(rootfd, p, p, n, err);
		*end = '/';
		if (r < 0)
			return -1;
		end++;
	}
	return 0;
}

/* ---- writing ---- */

/* Write a cgroup file; a missing file names its controller. */
static int wr(int fd, const char *file, struct sk_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int wr(int fd, const char *file, struct sk_error *err, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return sk_error(err, EINVAL, "%s: value too long", file);
	if (sk_write_file_at(fd, file, buf, (size_t)len, err) == 0)
		return 0;
	if (err->errnum == ENOENT)
		return sk_error(err, ENOTSUP, "%s: no such file in the container's cgroup "
				"(controller or feature not available)", file);
	/* One line: "write `io.max` value `8:0 rbps=1`: No such device" */
	{
		char *nl = strchr(buf, '\n');
		int e = err->errnum;

		if (nl)
			*nl = '\0';
		return sk_error(err, e, "write %s `%s`: %s", file, buf, sk_strerror(e));
	}
}

static int wr_max(int fd, const char *file, int64_t v, struct sk_error *err)
{
	if (v < 0)
		return wr(fd, file, err, "max");
	return wr(fd, file, err, "%" PRId64, v);
}

static int read_ll(int fd, const char *file, long long *v, struct sk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	char *nl;

	if (sk_read_file_at(fd, file, &buf, NULL, 4096, err) < 0)
		return -1;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (!strcmp(buf, "max")) {
		*v = -1;
		return 0;
	}
	if (sk_parse_long(buf, v) < 0)
		return sk_error(err, EINVAL, "%s: unexpected content \"%s\"", file, buf);
	return 0;
}

/* ln(x) for x > 0 and e^y, in long double and without libm (skiff loads
 * no library but libc): ln through x = 2^k * m and the atanh series of
 * m in [1, 2), e^y through y = k ln 2 + r, |r| <= ln 2 / 2, and the Taylor
 * series of e^r.  Both converge to long double precision in under 30
 * terms; test_cgroup checks sk_cgroup_shares_to_weight against libm over its whole
 * domain. */
#define LN2 0.693147180559945309417232121458176568L
#define LN10 2.302585092994045684017999019148207729L

static long double ln(long double x)
{
	long double s, s2, term, sum = 0;
	int k = 0;

	while (x >= 2)
		x /= 2, k++;
	while (x < 1)
		x *= 2, k--;
	s = (x - 1) / (x + 1);
	s2 = s * s;
	term = s;
	for (int n = 1; n < 60 && term != 0; n += 2, term *= s2)
		sum += term / n;
	return 2 * sum + k * LN2;
}

static long double expo(long double y)
{
	long double k = (long double)(long long)(y / LN2 + (y < 0 ? -0.5L : 0.5L));
	long double r = y - k * LN2, term = 1, sum = 1;

	for (int n = 1; n < 40 && term != 0; n++) {
		term *= r / n;
		sum += term;
	}
	for (; k > 0; k--)
		sum *= 2;
	for (; k < 0; k++)
		sum /= 2;
	return sum;
}

/* runc's and crun's conversion (kubernetes#131216): log scale, so that
 * 2 -> 1, 1024 -> 100 and 262144 -> 10000:
 * ceil(10^((l^2 + 125 l) / 612 - 7/34)) with l = log2(shares). */
uint64_t sk_cgroup_shares_to_weight(uint64_t shares)
{
	double l, e, w;
	uint64_t up;

	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	l = (double)(ln((long double)shares) / LN2);
	e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	w = (double)expo((long double)e * LN10);
	up = (uint64_t)w;
	return (double)up < w ? up + 1 : up;
}

static int apply_memory(int fd, const struct sk_resources *r, bool update, struct sk_error *err)
{
	int64_t swap;

	if (r->memory.has_check_before_update && r->memory.check_before_update && update &&
	    r->memory.has_limit && r->memory.limit > 0) {
		long long cur;

		if (read_ll(fd, "memory.current", &cur, err) < 0)
			return -1;
		if (cur >= r->memory.limit)
			return sk_error(err, EBUSY, "linux.resources.memory.limit: %" PRId64 " is below the "
					"current usage (%lld) and checkBeforeUpdate is set", r->memory.limit, cur);
	}
	if (r->memory.has_reservation && wr_max(fd, "memory.low", r->memory.reservation, err) < 0)
		return -1;
	if (r->memory.has_limit && wr_max(fd, "memory.max", r->memory.limit, err) < 0)
		return -1;
	if (!r->memory.has_swap)
		return 0;
	/* memory+swap -> swap alone; -1 unlimited; 0 (unset) with an
	 * unlimited memory also means unlimited, as in runc. */
	swap = r->memory.swap;
	if (swap == 0 && r->memory.has_limit && r->memory.limit == -1)
		swap = -1;
	else if (swap == 0)
		return 0;
	else if (swap > 0)
		swap -= r->memory.limit;
	if (wr_max(fd, "memory.swap.max", swap, err) < 0) {
		/* No swap accounting: fine when no swap was asked for. */
		if (err->errnum == ENOTSUP && (swap == -1 || swap == 0))
			return 0;
		return -1;
	}
	return 0;
}

static int apply_cpu(int fd, const struct sk_resources *r, bool update, struct sk_error *err)
{
	if (r->cpu.has_shares && r->cpu.shares &&
	    wr(fd, "cpu.weight", err, "%" PRIu64, sk_cgroup_shares_to_weight(r->cpu.shares)) < 0)
		return -1;
	if (r->cpu.has_quota || r->cpu.has_period) {
		char quota[32] = "max";
		unsigned long long period = 100000;

		if (update && (!r->cpu.has_quota || !r->cpu.has_period)) {
			_cleanup_free_ char *cur = NULL;
			char q[32];

			/* keep the half that is not updated */
			if (sk_read_file_at(fd, "cpu.max", &cur, NULL, 4096, err) < 0)
				return -1;
			if (sscanf(cur, "%31s %llu", q, &period) == 2 && !r->cpu.has_quota)
				snprintf(quota, sizeof(quota), "%s", q);
		}
		if (r->cpu.has_quota && r->cpu.quota > 0)
			snprintf(quota, sizeof(quota), "%" PRId64, r->cpu.quota);
		if (r->cpu.has_period && r->cpu.period)
			period = r->cpu.period;
		if (wr(fd, "cpu.max", err, "%s %llu", quota, period) < 0)
			return -1;
	}
	if (r->cpu.has_burst && wr(fd, "cpu.max.burst", err, "%" PRIu64, r->cpu.burst) < 0)
		return -1;
	if (r->cpu.has_idle && wr(fd, "cpu.idle", err, "%" PRId64, r->cpu.idle) < 0)
		return -1;
	if (r->cpu.cpus && wr(fd, "cpuset.cpus", err, "%s", r->cpu.cpus) < 0)
		return -1;
	if (r->cpu.mems && wr(fd, "cpuset.mems", err, "%s", r->cpu.mems) < 0)
		return -1;
	return 0;
}

static int apply_throttle(int fd, const char *key, const struct sk_blkio_dev *d, size_t n,
			  struct sk_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char rate[32] = "max";

		if (d[i].rate)
			snprintf(rate, sizeof(rate), "%" PRIu64, d[i].rate);
		if (wr(fd, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%s", d[i].major, d[i].minor,
		       key, rate) < 0)
			return -1;
	}
	return 0;
}

static int apply_io(int fd, const struct sk_resources *r, struct sk_error *err)
{
	/* looked up only when a weight is asked for */
	bool bfq = ((r->blkio.has_weight && r->blkio.weight) || r->blkio.n_weight_device) &&
		   faccessat(fd, "io.bfq.weight", F_OK, 0) == 0;
	size_t i;

	if (r->blkio.has_weight && r->blkio.weight) {
		unsigned w = r->blkio.weight;

		if (bfq ? wr(fd, "io.bfq.weight", err, "%u", w) < 0
			: wr(fd, "io.weight", err, "default %u", 1 + (w - 10) * 9999 / 990) < 0)
			return -1;
	}
	for (i = 0; i < r->blkio.n_weight_device; i++) {
		const struct sk_blkio_dev *d = &r->blkio.weight_device[i];
		unsigned w = d->weight;

		if (!d->has_weight)
			continue;
		if (bfq ? wr(fd, "io.bfq.weight", err, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, w) < 0
			: wr(fd, "io.weight", err, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
			     1 + (w < 10 ? 0 : (w - 10) * 9999 / 990)) < 0)
			return -1;
	}
	if (apply_throttle(fd, "rbps", r->blkio.throttle_read_bps, r->blkio.n_throttle_read_bps, err) < 0 ||
	    apply_throttle(fd, "wbps", r->blkio.throttle_write_bps, r->blkio.n_throttle_write_bps, err) < 0 ||
	    apply_throttle(fd, "riops", r->blkio.throttle_read_iops, r->blkio.n_throttle_read_iops, err) < 0 ||
	    apply_throttle(fd, "wiops", r->blkio.throttle_write_iops, r->blkio.n_throttle_write_iops, err) < 0)
		return sk_error_ctx(err, "linux.resources.blockIO");
	return 0;
}

static int apply_hugetlb(int fd, const struct sk_resources *r, struct sk_error *err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct sk_hugepage_limit *h = &r->hugepage_limits[i];
		_cleanup_free_ char *f = sk_xasprintf("hugetlb.%s.max", h->page_size);
		_cleanup_free_ char *rsvd = sk_xasprintf("hugetlb.%s.rsvd.max", h->page_size);

		if (faccessat(fd, f, F_OK, 0) < 0)
			return sk_error(err, ENOTSUP, "linux.resources.hugepageLimits: page size %s is not "
					"supported by this kernel (no %s)", h->page_size, f);
		if (wr(fd, f, err, "%" PRIu64, h->limit) < 0)
			return -1;
		/* reservations too, when the kernel accounts them (as runc) */
		if (faccessat(fd, rsvd, F_OK, 0) == 0 && wr(fd, rsvd, err, "%" PRIu64, h->limit) < 0)
			return -1;
	}
	return 0;
}

static int apply_rdma(int fd, const struct sk_resources *r, struct sk_error *err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct sk_rdma *d = &r->rdma[i];
		char h[32] = "max", o[32] = "max";

		if (d->has_handles)
			snprintf(h, sizeof(h), "%" PRIu32, d->handles);
		if (d->has_objects)
			snprintf(o, sizeof(o), "%" PRIu32, d->objects);
		if (wr(fd, "rdma.max", err, "%s hca_handle=%s hca_object=%s", d->device, h, o) < 0)
			return sk_error_ctx(err, "linux.resources.rdma[\"%s\"]", d->device);
	}
	return 0;
}

static int apply_unified(int fd, const struct sk_resources *r, struct sk_error *err)
{
	_cleanup_free_ char *ctrls = NULL;

	if (!r->n_unified)
		return 0;
	if (sk_read_file_at(fd, "cgroup.controllers", &ctrls, NULL, 1 << 16, err) < 0)
		return -1;
	for (size_t i = 0; i < r->n_unified; i++) {
		const struct sk_kv *kv = &r->unified[i];
		char ctrl[32];

		if (unified_ctrl(kv->key, ctrl, sizeof(ctrl), err) < 0)
			return -1;
		if (strcmp(ctrl, "cgroup") && !word_in(ctrls, ctrl))
			return sk_error(err, ENOTSUP, "linux.resources.unified.%s: controller %s is not "
					"enabled for the container's cgroup", kv->key, ctrl);
		if (wr(fd, kv->key, err, "%s", kv->value) < 0)
			return sk_error_ctx(err, "linux.resources.unified");
	}
	return 0;
}

int sk_cg2_apply(int fd, const struct sk_resources *r, bool update, struct sk_error *err)
{
	if (!r->present)
		return 0;
	if (r->pids.has_limit && wr_max(fd, "pids.max", r->pids.limit, err) < 0)
		return sk_error_ctx(err, "linux.resources.pids.limit");
	if (apply_memory(fd, r, update, err) < 0)
		return sk_error_ctx(err, "linux.resources.memory");
	if (apply_cpu(fd, r, update, err) < 0)
		return sk_error_ctx(err, "linux.resources.cpu");
	if (apply_io(fd, r, err) < 0 || apply_hugetlb(fd, r, err) < 0 || apply_rdma(fd, r, err) < 0 ||
	    apply_unified(fd, r, err) < 0)
		return -1;
	return 0;
}

int sk_cg2_enable_apply(const struct sk_cgroup *cg, int fd, const struct sk_resources *r,
			bool update, struct sk_error *err)
{
	struct sk_cg_ctrls need;
	_cleanup_close_ int rootfd = -1;
	const char *mnt;

	if (sk_cg2_check(r, &need, err) < 0 || sk_cgroup_detect(NULL, &mnt, err) < 0)
		return -1;
	rootfd = open(mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return sk_error_sys(err, "open %s", mnt);
	if (sk_cg2_check_available(rootfd, &need, cg->mode, err) < 0 ||
	    sk_cg2_enable(rootfd, cg->path[0] == '/' ? cg->path + 1 : cg->path, &need, err) < 0)
		return -1;
	return sk_cg2_apply(fd, r, update, err);
}

int sk_cg2_update(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err)
{
	_cleanup_close_ int fd = open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sk_error_sys(err, "open cgroup %s", cg->dir);
	return sk_cg2_enable_apply(cg, fd, r, true, err);
}

void sk_cg_human_bytes(unsigned long long v, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (v && v % 1024 == 0 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", v);
	else
		snprintf(buf, len, "%llu%c", v, units[u]);
}
