/* config.json "linux" object -> struct sk_linux. */
#include <stdlib.h>
#include <string.h>

#include "skiff/config.h"
#include "skiff/enums.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "config_json.h"

#define DESC(v) sk_j_describe((v), (char[128]){0}, 128)

/* linux.resources.devices[].type stays a string ("a", "c" or "b"):
 * cgroups/ reads its letter. */
static int rule_type(struct sk_jctx *c, yajl_val o, const struct sk_jpath *p, char **out)
{
	struct sk_jpath kp = SK_JP_KEY(p, "type");

	if (sk_j_string(c, o, p, "type", 0, out) < 0)
		return -1;
	if (*out && (strlen(*out) != 1 || !strchr("acb", (*out)[0])))
		return sk_j_fail(c, &kp, "unknown device type %s", DESC(sk_j_member(o, "type")));
	return 0;
}

/* Iterate an optional array member as objects: sets *a (NULL if absent). */
static int obj_array(struct sk_jctx *c, yajl_val o, const struct sk_jpath *p,
		     const char *key, yajl_val *a, size_t *n)
{
	size_t i;

	*n = 0;
	if (sk_j_array(c, o, p, key, 0, a) < 0)
		return -1;
	if (!*a)
		return 0;
	for (i = 0; i < (*a)->u.array.len; i++) {
		yajl_val e = (*a)->u.array.values[i];

		if (!e || !YAJL_IS_OBJECT(e)) {
			struct sk_jpath kp = SK_JP_KEY(p, key);
			struct sk_jpath ip = SK_JP_IDX(&kp, i);

			return sk_j_type_fail(c, &ip, "an object", e);
		}
	}
	*n = (*a)->u.array.len;
	return 0;
}

int sk_j_idmaps(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, struct sk_idmap **out, size_t *n)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val a;
	size_t i, len;

	if (obj_array(c, obj, p, key, &a, &len) < 0)
		return -1;
	if (!a)
		return 0;
	*out = sk_xcalloc(len, sizeof(**out));
	*n = len;
	for (i = 0; i < len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&kp, i);
		yajl_val o = a->u.array.values[i];
		struct sk_idmap *m = &(*out)[i];

		if (sk_j_uint32(c, o, &ip, "containerID", SK_J_REQUIRED, &m->container_id, NULL) < 0 ||
		    sk_j_uint32(c, o, &ip, "hostID", SK_J_REQUIRED, &m->host_id, NULL) < 0 ||
		    sk_j_uint32(c, o, &ip, "size", SK_J_REQUIRED, &m->size, NULL) < 0)
			return -1;
	}
	return 0;
}

static int abs_path(struct sk_jctx *c, yajl_val o, const struct sk_jpath *p,
		    const char *key, const char *s)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);

	if (s && s[0] != '/')
		return sk_j_fail(c, &kp, "must be an absolute path, got %s",
				 DESC(sk_j_member(o, key)));
	return 0;
}

static int parse_namespaces(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
			    struct sk_linux *l)
{
	struct sk_jpath np = SK_JP_KEY(lp, "namespaces");
	unsigned seen = 0;
	yajl_val a;
	size_t i, len;

	if (obj_array(c, lin, lp, "namespaces", &a, &len) < 0)
		return -1;
	if (!a)
		return 0;
	l->namespaces = sk_xcalloc(len, sizeof(*l->namespaces));
	for (i = 0; i < len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&np, i);
		struct sk_jpath tp = SK_JP_KEY(&ip, "type");
		struct sk_namespace *ns = &l->namespaces[i];
		yajl_val o = a->u.array.values[i];
		unsigned long t;

		l->n_namespaces = i + 1;
		if (sk_j_enum(c, o, &ip, "type", SK_J_REQUIRED, &sk_enum_ns_type, &t, NULL) < 0 ||
		    sk_j_string(c, o, &ip, "path", 0, &ns->path) < 0 ||
		    abs_path(c, o, &ip, "path", ns->path) < 0)
			return -1;
		if (seen & (1u << t))
			return sk_j_fail(c, &tp, "duplicate namespace \"%s\"",
					 sk_enum_name(&sk_enum_ns_type, t));
		seen |= 1u << t;
		ns->type = (enum sk_ns_type)t;
	}
	return 0;
}

static int parse_time(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
		      struct sk_linux *l)
{
	struct sk_jpath tp = SK_JP_KEY(lp, "timeOffsets");
	static const char *const keys[] = { "monotonic", "boottime" };
	yajl_val o, e;
	int i;

	if (sk_j_object(c, lin, lp, "timeOffsets", 0, &o) < 0)
		return -1;
	if (!o)
		return 0;
	l->has_time_offsets = true;
	for (i = 0; i < 2; i++) {
		struct sk_jpath kp = SK_JP_KEY(&tp, keys[i]);
		typeof(l->time_monotonic) *t = i ? &l->time_boottime : &l->time_monotonic;

		if (sk_j_object(c, o, &tp, keys[i], 0, &e) < 0)
			return -1;
		if (!e)
			continue;
		t->present = true;
		if (sk_j_int64(c, e, &kp, "secs", 0, INT64_MIN, INT64_MAX, &t->secs, NULL) < 0 ||
		    sk_j_uint32(c, e, &kp, "nanosecs", 0, &t->nanosecs, NULL) < 0)
			return -1;
	}
	return 0;
}

static int parse_devices(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
			 struct sk_linux *l)
{
	struct sk_jpath dp = SK_JP_KEY(lp, "devices");
	yajl_val a;
	size_t i, len;

	if (obj_array(c, lin, lp, "devices", &a, &len) < 0)
		return -1;
	if (!a)
		return 0;
	l->devices = sk_xcalloc(len, sizeof(*l->devices));
	l->n_devices = len;
	for (i = 0; i < len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&dp, i);
		struct sk_device *d = &l->devices[i];
		yajl_val o = a->u.array.values[i];
		unsigned long type;
		unsigned req;

		if (sk_j_enum(c, o, &ip, "type", SK_J_REQUIRED, &sk_enum_dev_type, &type, NULL) < 0 ||
		    sk_j_string(c, o, &ip, "path", SK_J_REQUIRED, &d->path) < 0 ||
		    abs_path(c, o, &ip, "path", d->path) < 0)
			return -1;
		d->type = (enum sk_dev_type)type;
		req = d->type == SK_DEV_FIFO ? 0 : SK_J_REQUIRED;
		if (sk_j_int64(c, o, &ip, "major", req, INT64_MIN, INT64_MAX,
			       &d->major, &d->has_major) < 0 ||
		    sk_j_int64(c, o, &ip, "minor", req, INT64_MIN, INT64_MAX,
			       &d->minor, &d->has_minor) < 0 ||
		    sk_j_uint32(c, o, &ip, "fileMode", 0, &d->file_mode, &d->has_file_mode) < 0 ||
		    sk_j_uint32(c, o, &ip, "uid", 0, &d->uid, &d->has_uid) < 0 ||
		    sk_j_uint32(c, o, &ip, "gid", 0, &d->gid, &d->has_gid) < 0)
			return -1;
	}
	return 0;
}

static int parse_net_devices(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
			     struct sk_linux *l)
{
	struct sk_jpath np = SK_JP_KEY(lp, "netDevices");
	yajl_val o;
	size_t i, len;

	if (sk_j_object(c, lin, lp, "netDevices", 0, &o) < 0)
		return -1;
	if (!o)
		return 0;
	len = o->u.object.len;
	l->net_devices = sk_xcalloc(len, sizeof(*l->net_devices));
	l->n_net_devices = len;
	for (i = 0; i < len; i++) {
		struct sk_jpath kp = SK_JP_KEY(&np, o->u.object.keys[i]);
		struct sk_net_device *d = &l->net_devices[i];
		yajl_val e = o->u.object.values[i];

		d->host_name = sk_xstrdup(o->u.object.keys[i]);
		if (!e || !YAJL_IS_OBJECT(e))
			return sk_j_type_fail(c, &kp, "an object", e);
		if (sk_j_string(c, e, &kp, "name", 0, &d->name) < 0)
			return -1;
	}
	return 0;
}

static int blkio_list(struct sk_jctx *c, yajl_val o, const struct sk_jpath *p,
		      const char *key, bool weight, struct sk_blkio_dev **out, size_t *n)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val a;
	size_t i, len;

	if (obj_array(c, o, p, key, &a, &len) < 0)
		return -1;
	if (!a)
		return 0;
	*out = sk_xcalloc(len, sizeof(**out));
	*n = len;
	for (i = 0; i < len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&kp, i);
		struct sk_blkio_dev *d = &(*out)[i];
		yajl_val e = a->u.array.values[i];

		if (sk_j_int64(c, e, &ip, "major", SK_J_REQUIRED, INT64_MIN, INT64_MAX,
			       &d->major, NULL) < 0 ||
		    sk_j_int64(c, e, &ip, "minor", SK_J_REQUIRED, INT64_MIN, INT64_MAX,
			       &d->minor, NULL) < 0)
			return -1;
		if (!weight) {
			if (sk_j_uint64(c, e, &ip, "rate", 0, UINT64_MAX, &d->rate, NULL) < 0)
				return -1;
			continue;
		}
		if (sk_j_uint16(c, e, &ip, "weight", 0, &d->weight, &d->has_weight) < 0 ||
		    sk_j_uint16(c, e, &ip, "leafWeight", 0, &d->leaf_weight,
				&d->has_leaf_weight) < 0)
			return -1;
		if (!d->has_weight && !d->has_leaf_weight)
			return sk_j_fail(c, &ip, "needs weight or leafWeight");
	}
	return 0;
}

static int parse_device_rules(struct sk_jctx *c, yajl_val res, const struct sk_jpath *rp,
			      struct sk_resources *r)
{
	struct sk_jpath dp = SK_JP_KEY(rp, "devices");
	yajl_val a;
	size_t i, len;

	if (obj_array(c, res, rp, "devices", &a, &len) < 0)
		return -1;
	if (!a)
		return 0;
	r->devices = sk_xcalloc(len, sizeof(*r->devices));
	r->n_devices = len;
	for (i = 0; i < len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&dp, i);
		struct sk_device_rule *d = &r->devices[i];
		yajl_val e = a->u.array.values[i];

		if (sk_j_bool(c, e, &ip, "allow", SK_J_REQUIRED, &d->allow, NULL) < 0 ||
		    rule_type(c, e, &ip, &d->type) < 0 ||
		    sk_j_int64(c, e, &ip, "major", 0, INT64_MIN, INT64_MAX,
			       &d->major, &d->has_major) < 0 ||
		    sk_j_int64(c, e, &ip, "minor", 0, INT64_MIN, INT64_MAX,
			       &d->minor, &d->has_minor) < 0 ||
		    sk_j_string(c, e, &ip, "access", 0, &d->access) < 0)
			return -1;
		if (d->access && strspn(d->access, "rwm") != strlen(d->access)) {
			struct sk_jpath ap = SK_JP_KEY(&ip, "access");

			return sk_j_fail(c, &ap, "expected letters of \"rwm\", got %s",
					 DESC(sk_j_member(e, "access")));
		}
	}
	return 0;
}

static bool page_size_ok(const char *s)
{
	size_t n = strlen(s);

	/* ^[1-9][0-9]*[KMG]B$ */
	if (n < 3 || s[0] < '1' || s[0] > '9' || s[n - 1] != 'B' ||
	    !strchr("KMG", s[n - 2]))
		return false;
	return strspn(s, "0123456789") == n - 2;
}

static int parse_resources(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
			   struct sk_resources *r)
{
	struct sk_jpath rp = SK_JP_KEY(lp, "resources");
	yajl_val res, o, a;
	size_t i, len;

	if (sk_j_object(c, lin, lp, "resources", 0, &res) < 0)
		return -1;
	if (!res)
		return 0;
	r->present = true;
	if (parse_device_rules(c, res, &rp, r) < 0 ||
	    sk_j_object(c, res, &rp, "memory", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath mp = SK_JP_KEY(&rp, "memory");

		r->memory.present = true;
		if (sk_j_int64(c, o, &mp, "limit", 0, INT64_MIN, INT64_MAX,
			       &r->memory.limit, &r->memory.has_limit) < 0 ||
		    sk_j_int64(c, o, &mp, "reservation", 0, INT64_MIN, INT64_MAX,
			       &r->memory.reservation, &r->memory.has_reservation) < 0 ||
		    sk_j_int64(c, o, &mp, "swap", 0, INT64_MIN, INT64_MAX,
			       &r->memory.swap, &r->memory.has_swap) < 0 ||
		    sk_j_int64(c, o, &mp, "kernel", 0, INT64_MIN, INT64_MAX,
			       &r->memory.kernel, &r->memory.has_kernel) < 0 ||
		    sk_j_int64(c, o, &mp, "kernelTCP", 0, INT64_MIN, INT64_MAX,
			       &r->memory.kernel_tcp, &r->memory.has_kernel_tcp) < 0 ||
		    sk_j_uint64(c, o, &mp, "swappiness", 0, UINT64_MAX,
				&r->memory.swappiness, &r->memory.has_swappiness) < 0 ||
		    sk_j_bool(c, o, &mp, "disableOOMKiller", 0, &r->memory.disable_oom_killer,
			      &r->memory.has_disable_oom_killer) < 0 ||
		    sk_j_bool(c, o, &mp, "useHierarchy", 0, &r->memory.use_hierarchy,
			      &r->memory.has_use_hierarchy) < 0 ||
		    sk_j_bool(c, o, &mp, "checkBeforeUpdate", 0, &r->memory.check_before_update,
			      &r->memory.has_check_before_update) < 0)
			return -1;
	}
	if (sk_j_object(c, res, &rp, "cpu", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath cp = SK_JP_KEY(&rp, "cpu");

		r->cpu.present = true;
		if (sk_j_uint64(c, o, &cp, "shares", 0, UINT64_MAX,
				&r->cpu.shares, &r->cpu.has_shares) < 0 ||
		    sk_j_int64(c, o, &cp, "quota", 0, INT64_MIN, INT64_MAX,
			       &r->cpu.quota, &r->cpu.has_quota) < 0 ||
		    sk_j_uint64(c, o, &cp, "burst", 0, UINT64_MAX,
				&r->cpu.burst, &r->cpu.has_burst) < 0 ||
		    sk_j_uint64(c, o, &cp, "period", 0, UINT64_MAX,
				&r->cpu.period, &r->cpu.has_period) < 0 ||
		    sk_j_int64(c, o, &cp, "realtimeRuntime", 0, INT64_MIN, INT64_MAX,
			       &r->cpu.realtime_runtime, &r->cpu.has_realtime_runtime) < 0 ||
		    sk_j_uint64(c, o, &cp, "realtimePeriod", 0, UINT64_MAX,
				&r->cpu.realtime_period, &r->cpu.has_realtime_period) < 0 ||
		    sk_j_string(c, o, &cp, "cpus", 0, &r->cpu.cpus) < 0 ||
		    sk_j_string(c, o, &cp, "mems", 0, &r->cpu.mems) < 0 ||
		    sk_j_int64(c, o, &cp, "idle", 0, INT64_MIN, INT64_MAX,
			       &r->cpu.idle, &r->cpu.has_idle) < 0)
			return -1;
	}
	if (sk_j_object(c, res, &rp, "pids", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath pp = SK_JP_KEY(&rp, "pids");

		r->pids.present = true;
		if (sk_j_int64(c, o, &pp, "limit", SK_J_REQUIRED, INT64_MIN, INT64_MAX,
			       &r->pids.limit, &r->pids.has_limit) < 0)
			return -1;
	}
	if (sk_j_object(c, res, &rp, "blockIO", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath bp = SK_JP_KEY(&rp, "blockIO");
		typeof(r->blkio) *b = &r->blkio;

		b->present = true;
		if (sk_j_uint16(c, o, &bp, "weight", 0, &b->weight, &b->has_weight) < 0 ||
		    sk_j_uint16(c, o, &bp, "leafWeight", 0, &b->leaf_weight,
				&b->has_leaf_weight) < 0 ||
		    blkio_list(c, o, &bp, "weightDevice", true, &b->weight_device,
			       &b->n_weight_device) < 0 ||
		    blkio_list(c, o, &bp, "throttleReadBpsDevice", false,
			       &b->throttle_read_bps, &b->n_throttle_read_bps) < 0 ||
		    blkio_list(c, o, &bp, "throttleWriteBpsDevice", false,
			       &b->throttle_write_bps, &b->n_throttle_write_bps) < 0 ||
		    blkio_list(c, o, &bp, "throttleReadIOPSDevice", false,
			       &b->throttle_read_iops, &b->n_throttle_read_iops) < 0 ||
		    blkio_list(c, o, &bp, "throttleWriteIOPSDevice", false,
			       &b->throttle_write_iops, &b->n_throttle_write_iops) < 0)
			return -1;
	}
	if (obj_array(c, res, &rp, "hugepageLimits", &a, &len) < 0)
		return -1;
	if (a) {
		struct sk_jpath hp = SK_JP_KEY(&rp, "hugepageLimits");

		r->hugepage_limits = sk_xcalloc(len, sizeof(*r->hugepage_limits));
		r->n_hugepage_limits = len;
		for (i = 0; i < len; i++) {
			struct sk_jpath ip = SK_JP_IDX(&hp, i);
			struct sk_jpath sp = SK_JP_KEY(&ip, "pageSize");
			struct sk_hugepage_limit *h = &r->hugepage_limits[i];
			yajl_val e = a->u.array.values[i];

			if (sk_j_string(c, e, &ip, "pageSize", SK_J_REQUIRED, &h->page_size) < 0 ||
			    sk_j_uint64(c, e, &ip, "limit", SK_J_REQUIRED, UINT64_MAX,
					&h->limit, NULL) < 0)
				return -1;
			if (!page_size_ok(h->page_size))
				return sk_j_fail(c, &sp, "expected a size like \"2MB\", got %s",
						 DESC(sk_j_member(e, "pageSize")));
		}
	}
	if (sk_j_object(c, res, &rp, "network", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath np = SK_JP_KEY(&rp, "network");
		struct sk_jpath pp = SK_JP_KEY(&np, "priorities");

		r->network.present = true;
		if (sk_j_uint32(c, o, &np, "classID", 0, &r->network.class_id,
				&r->network.has_class_id) < 0 ||
		    obj_array(c, o, &np, "priorities", &a, &len) < 0)
			return -1;
		if (a) {
			r->network.priorities = sk_xcalloc(len, sizeof(struct sk_net_prio));
			r->network.n_priorities = len;
		}
		for (i = 0; a && i < len; i++) {
			struct sk_jpath ip = SK_JP_IDX(&pp, i);
			struct sk_net_prio *n = &r->network.priorities[i];
			yajl_val e = a->u.array.values[i];

			if (sk_j_string(c, e, &ip, "name", SK_J_REQUIRED, &n->name) < 0 ||
			    sk_j_uint32(c, e, &ip, "priority", SK_J_REQUIRED, &n->priority, NULL) < 0)
				return -1;
		}
	}
	if (sk_j_object(c, res, &rp, "rdma", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath dp = SK_JP_KEY(&rp, "rdma");

		len = o->u.object.len;
		r->rdma = sk_xcalloc(len, sizeof(*r->rdma));
		r->n_rdma = len;
		for (i = 0; i < len; i++) {
			struct sk_jpath kp = SK_JP_KEY(&dp, o->u.object.keys[i]);
			struct sk_rdma *d = &r->rdma[i];
			yajl_val e = o->u.object.values[i];

			d->device = sk_xstrdup(o->u.object.keys[i]);
			if (!e || !YAJL_IS_OBJECT(e))
				return sk_j_type_fail(c, &kp, "an object", e);
			if (sk_j_uint32(c, e, &kp, "hcaHandles", 0, &d->handles, &d->has_handles) < 0 ||
			    sk_j_uint32(c, e, &kp, "hcaObjects", 0, &d->objects, &d->has_objects) < 0)
				return -1;
		}
	}
	return sk_j_strmap(c, res, &rp, "unified", 0, &r->unified, &r->n_unified);
}

static int parse_seccomp(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
			 struct sk_seccomp *s)
{
	struct sk_jpath sp = SK_JP_KEY(lp, "seccomp");
	struct sk_jpath yp = SK_JP_KEY(&sp, "syscalls");
	yajl_val o, a;
	unsigned long v;
	size_t i, j, len;

	if (sk_j_object(c, lin, lp, "seccomp", 0, &o) < 0)
		return -1;
	if (!o)
		return 0;
	s->present = true;
	if (sk_j_enum(c, o, &sp, "defaultAction", SK_J_REQUIRED, &sk_enum_scmp_action,
		      &v, NULL) < 0 ||
	    sk_j_uint32(c, o, &sp, "defaultErrnoRet", 0, &s->default_errno_ret,
			&s->has_default_errno_ret) < 0 ||
	    sk_j_enum_list(c, o, &sp, "architectures", 0, &sk_enum_scmp_arch,
			   &s->architectures, &s->n_architectures) < 0 ||
	    sk_j_enum_flags(c, o, &sp, "flags", 0, &sk_enum_scmp_flag, &s->flags) < 0 ||
	    sk_j_string(c, o, &sp, "listenerPath", 0, &s->listener_path) < 0 ||
	    sk_j_string(c, o, &sp, "listenerMetadata", 0, &s->listener_metadata) < 0)
		return -1;
	s->default_action = (enum sk_scmp_action)v;
	if (s->listener_metadata && !s->listener_path) {
		struct sk_jpath mp = SK_JP_KEY(&sp, "listenerMetadata");

		return sk_j_fail(c, &mp, "set without listenerPath");
	}
	if (obj_array(c, o, &sp, "syscalls", &a, &len) < 0)
		return -1;
	if (!a)
		return 0;
	s->syscalls = sk_xcalloc(len, sizeof(*s->syscalls));
	s->n_syscalls = len;
	for (i = 0; i < len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&yp, i);
		struct sk_jpath ap = SK_JP_KEY(&ip, "args");
		struct sk_seccomp_syscall *sc = &s->syscalls[i];
		yajl_val e = a->u.array.values[i], args;
		size_t n_args;

		if (sk_j_strv(c, e, &ip, "names", SK_J_REQUIRED, &sc->names, &sc->n_names) < 0 ||
		    sk_j_enum(c, e, &ip, "action", SK_J_REQUIRED, &sk_enum_scmp_action,
			      &v, NULL) < 0 ||
		    sk_j_uint32(c, e, &ip, "errnoRet", 0, &sc->errno_ret, &sc->has_errno_ret) < 0 ||
		    obj_array(c, e, &ip, "args", &args, &n_args) < 0)
			return -1;
		sc->action = (enum sk_scmp_action)v;
		if (sc->n_names == 0) {
			struct sk_jpath np = SK_JP_KEY(&ip, "names");

			return sk_j_fail(c, &np, "must not be empty");
		}
		if (!args)
			continue;
		sc->args = sk_xcalloc(n_args, sizeof(*sc->args));
		sc->n_args = n_args;
		for (j = 0; j < n_args; j++) {
			struct sk_jpath jp = SK_JP_IDX(&ap, j);
			struct sk_seccomp_arg *sa = &sc->args[j];
			yajl_val g = args->u.array.values[j];

			if (sk_j_uint32(c, g, &jp, "index", SK_J_REQUIRED, &sa->index, NULL) < 0 ||
			    sk_j_uint64(c, g, &jp, "value", SK_J_REQUIRED, UINT64_MAX,
					&sa->value, NULL) < 0 ||
			    sk_j_uint64(c, g, &jp, "valueTwo", 0, UINT64_MAX, &sa->value_two,
					&sa->has_value_two) < 0 ||
			    sk_j_enum(c, g, &jp, "op", SK_J_REQUIRED, &sk_enum_scmp_op, &v, NULL) < 0)
				return -1;
			sa->op = (enum sk_scmp_op)v;
		}
	}
	return 0;
}

static int abs_paths(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
		     const char *key, char ***v, size_t *n)
{
	struct sk_jpath kp = SK_JP_KEY(lp, key);
	size_t i;

	if (sk_j_strv(c, lin, lp, key, 0, v, n) < 0)
		return -1;
	for (i = 0; i < *n; i++) {
		struct sk_jpath ip = SK_JP_IDX(&kp, i);

		if ((*v)[i][0] != '/')
			return sk_j_fail(c, &ip, "must be an absolute path, got %s",
					 DESC(sk_j_member(lin, key)->u.array.values[i]));
	}
	return 0;
}

static int parse_misc(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
		      struct sk_linux *l)
{
	unsigned long v;
	yajl_val o;

	if (sk_j_object(c, lin, lp, "intelRdt", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath ip = SK_JP_KEY(lp, "intelRdt");
		struct sk_jpath mp = SK_JP_KEY(&ip, "memBwSchema");

		l->intel_rdt.present = true;
		if (sk_j_string(c, o, &ip, "closID", 0, &l->intel_rdt.clos_id) < 0 ||
		    sk_j_string(c, o, &ip, "l3CacheSchema", 0, &l->intel_rdt.l3_cache_schema) < 0 ||
		    sk_j_string(c, o, &ip, "memBwSchema", 0, &l->intel_rdt.mem_bw_schema) < 0 ||
		    sk_j_strv(c, o, &ip, "schemata", 0, &l->intel_rdt.schemata,
			      &l->intel_rdt.n_schemata) < 0 ||
		    sk_j_bool(c, o, &ip, "enableMonitoring", 0,
			      &l->intel_rdt.enable_monitoring, NULL) < 0)
			return -1;
		if (l->intel_rdt.mem_bw_schema &&
		    (strncmp(l->intel_rdt.mem_bw_schema, "MB:", 3) != 0 ||
		     strchr(l->intel_rdt.mem_bw_schema, '\n')))
			return sk_j_fail(c, &mp, "must start with \"MB:\" and be one line");
	}
	if (sk_j_object(c, lin, lp, "memoryPolicy", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath mp = SK_JP_KEY(lp, "memoryPolicy");

		l->memory_policy.present = true;
		if (sk_j_enum(c, o, &mp, "mode", SK_J_REQUIRED, &sk_enum_mpol_mode, &v, NULL) < 0 ||
		    sk_j_string(c, o, &mp, "nodes", 0, &l->memory_policy.nodes) < 0 ||
		    sk_j_enum_flags(c, o, &mp, "flags", 0, &sk_enum_mpol_flag,
				    &l->memory_policy.flags) < 0)
			return -1;
		l->memory_policy.mode = (enum sk_mpol_mode)v;
	}
	if (sk_j_object(c, lin, lp, "personality", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath pp = SK_JP_KEY(lp, "personality");

		l->personality.present = true;
		if (sk_j_enum(c, o, &pp, "domain", SK_J_REQUIRED, &sk_enum_personality_domain,
			      &v, NULL) < 0 ||
		    sk_j_strv(c, o, &pp, "flags", 0, &l->personality.flags,
			      &l->personality.n_flags) < 0)
			return -1;
		l->personality.domain = (enum sk_personality_domain)v;
	}
	return 0;
}

int sk_config_parse_linux(struct sk_jctx *c, yajl_val lin, const struct sk_jpath *lp,
			  struct sk_linux *l)
{
	l->present = true;
	if (parse_namespaces(c, lin, lp, l) < 0 ||
	    sk_j_idmaps(c, lin, lp, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
	    sk_j_idmaps(c, lin, lp, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0 ||
	    parse_time(c, lin, lp, l) < 0 ||
	    parse_devices(c, lin, lp, l) < 0 ||
	    parse_net_devices(c, lin, lp, l) < 0 ||
	    sk_j_string(c, lin, lp, "cgroupsPath", 0, &l->cgroups_path) < 0 ||
	    parse_resources(c, lin, lp, &l->resources) < 0 ||
	    sk_j_enum(c, lin, lp, "rootfsPropagation", 0, &sk_enum_propagation,
		      &l->rootfs_propagation, NULL) < 0 ||
	    parse_seccomp(c, lin, lp, &l->seccomp) < 0 ||
	    sk_j_strmap(c, lin, lp, "sysctl", 0, &l->sysctl, &l->n_sysctl) < 0 ||
	    abs_paths(c, lin, lp, "maskedPaths", &l->masked_paths, &l->n_masked_paths) < 0 ||
	    abs_paths(c, lin, lp, "readonlyPaths", &l->readonly_paths,
		      &l->n_readonly_paths) < 0 ||
	    sk_j_string(c, lin, lp, "mountLabel", 0, &l->mount_label) < 0 ||
	    parse_misc(c, lin, lp, l) < 0)
		return -1;
	return 0;
}

/* `update -r`: a linux.resources object alone, with the paths it has in
 * a config.json. */
int sk_config_parse_resources(struct sk_jctx *c, yajl_val res, struct sk_resources *r)
{
	const char *key = "resources";
	struct sk_jpath lp = SK_JP_KEY(NULL, "linux");
	struct yajl_val_s lin = { .type = yajl_t_object };

	lin.u.object.keys = &key;
	lin.u.object.values = &res;
	lin.u.object.len = 1;
	return parse_resources(c, &lin, &lp, r);
}

static void free_resources(struct sk_resources *r)
{
	size_t i;

	for (i = 0; i < r->n_devices; i++) {
		free(r->devices[i].type);
		free(r->devices[i].access);
	}
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->blkio.weight_device);
	free(r->blkio.throttle_read_bps);
	free(r->blkio.throttle_write_bps);
	free(r->blkio.throttle_read_iops);
	free(r->blkio.throttle_write_iops);
	for (i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	sk_kv_free(r->unified, r->n_unified);
}

static void free_seccomp(struct sk_seccomp *s)
{
	size_t i;

	free(s->architectures);
	free(s->listener_path);
	free(s->listener_metadata);
	for (i = 0; i < s->n_syscalls; i++) {
		struct sk_seccomp_syscall *sc = &s->syscalls[i];

		sk_strv_free(sc->names, sc->n_names);
		free(sc->args);
	}
	free(s->syscalls);
}

void sk_config_free_linux(struct sk_linux *l)
{
	size_t i;

	for (i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (i = 0; i < l->n_devices; i++) {
		free(l->devices[i].path);
	}
	free(l->devices);
	for (i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	free(l->cgroups_path);
	free_resources(&l->resources);
	free_seccomp(&l->seccomp);
	sk_kv_free(l->sysctl, l->n_sysctl);
	sk_strv_free(l->masked_paths, l->n_masked_paths);
	sk_strv_free(l->readonly_paths, l->n_readonly_paths);
	free(l->mount_label);
	free(l->intel_rdt.clos_id);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	sk_strv_free(l->intel_rdt.schemata, l->intel_rdt.n_schemata);
	free(l->memory_policy.nodes);
	sk_strv_free(l->personality.flags, l->personality.n_flags);
}
