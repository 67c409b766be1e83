/* linux.resources as systemd unit properties (cgroups/systemd.h), as
 * runc's systemd v2 manager maps them: what has a property is given to
 * systemd (it writes the files itself, and again on every reload); the
 * driver writes every resource to the files afterwards anyway (runc's
 * fsMgr.Set), so what has no property still holds.
 *
 * Devices: systemd's program (DevicePolicy=strict plus DeviceAllow) is a
 * superset of the rules; skiff's own program (ebpf.c, attached too:
 * every attached program must allow) narrows it to the exact rules. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systemd.h"
#include "v2.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"

#define INFINITY_U64 UINT64_MAX	/* systemd's "infinity" */
#define SD_QUOTA_STEP 10000	/* CPUQuotaPerSecUSec: systemd keeps 10 ms steps */

static uint64_t or_infinity(int64_t v)
{
	return v < 0 ? INFINITY_U64 : (uint64_t)v;
}

/* memory+swap -> MemorySwapMax (swap alone), as the v2 driver writes
 * memory.swap.max; false: nothing to set. */
static bool swap_max(const struct sk_resources *r, uint64_t *out)
{
	int64_t swap = r->memory.swap;

	if (!r->memory.has_swap)
		return false;
	if (swap == 0 && r->memory.has_limit && r->memory.limit == -1)
		swap = -1;
	else if (swap == 0)
		return false;
	else if (swap > 0 && r->memory.has_limit && r->memory.limit > 0)
		swap -= r->memory.limit;
	else if (swap > 0)
		return false;	/* no limit to take it from (update: the driver's files) */
	*out = or_infinity(swap);
	return true;
}

/* CPUQuotaPerSecUSec from quota/period (runc's addCpuQuota): rounded up
 * to systemd's 10 ms steps; no quota: infinity. */
static void cpu_quota(struct sk_dbus_w *w, const struct sk_resources *r)
{
	uint64_t period = r->cpu.has_period && r->cpu.period ? r->cpu.period : 100000;
	uint64_t persec = INFINITY_U64;

	if (!r->cpu.has_quota && !r->cpu.has_period)
		return;
	if (r->cpu.has_period && r->cpu.period)
		sk_sd_prop_t(w, "CPUQuotaPeriodUSec", r->cpu.period);
	if (r->cpu.has_quota && r->cpu.quota > 0) {
		persec = (uint64_t)r->cpu.quota * 1000000 / period;
		if (persec % SD_QUOTA_STEP)
			persec = (persec / SD_QUOTA_STEP + 1) * SD_QUOTA_STEP;
	} else if (!r->cpu.has_quota) {
		return;	/* a new period alone keeps the quota */
	}
	sk_sd_prop_t(w, "CPUQuotaPerSecUSec", persec);
}

/* blkio weight (10..1000) -> io weight (1..10000), as the v2 driver */
static uint64_t io_weight(unsigned w)
{
	return 1 + (w < 10 ? 0 : (uint64_t)(w - 10) * 9999 / 990);
}

/* IO*: a(st) of "/dev/block/M:m" and a value */
static void io_devs(struct sk_dbus_w *w, const char *name, const struct sk_blkio_dev *d,
		    size_t n, bool weight)
{
	char path[64];

	if (!n)
		return;
	sk_dbus_w_prop(w, name, "a(st)");
	sk_dbus_w_array_open(w, '(');
	for (size_t i = 0; i < n; i++) {
		if (weight && !d[i].has_weight)
			continue;
		snprintf(path, sizeof(path), "/dev/block/%" PRId64 ":%" PRId64, d[i].major, d[i].minor);
		sk_dbus_w_struct(w);
		sk_dbus_w_s(w, path);
		sk_dbus_w_t(w, weight ? io_weight(d[i].weight) : d[i].rate ? d[i].rate : INFINITY_U64);
	}
	sk_dbus_w_array_close(w);
}

/* linux.resources.unified keys that systemd has a property for (runc's
 * unifiedResToSystemdProps); "max" is infinity.  Others: files only. */
static int unified(struct sk_dbus_w *w, const struct sk_kv *kv, struct sk_error *err)
{
	static const struct { const char *key, *prop; } map[] = {
		{ "memory.max", "MemoryMax" }, { "memory.high", "MemoryHigh" },
		{ "memory.low", "MemoryLow" }, { "memory.min", "MemoryMin" },
		{ "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
		{ "cpu.weight", "CPUWeight" },
	};
	long long v;

	for (size_t i = 0; i < SK_ARRAY_SIZE(map); i++) {
		if (strcmp(kv->key, map[i].key))
			continue;
		if (!strcmp(kv->value, "max")) {
			sk_sd_prop_t(w, map[i].prop, INFINITY_U64);
			return 0;
		}
		if (sk_parse_long(kv->value, &v) < 0 || v < 0)
			return sk_error(err, EINVAL, "linux.resources.unified.%s: \"%s\" is not a number "
					"or \"max\"", kv->key, kv->value);
		sk_sd_prop_t(w, map[i].prop, (uint64_t)v);
		return 0;
	}
	if (!strcmp(kv->key, "cpuset.cpus") || !strcmp(kv->key, "cpuset.mems"))
		return sk_sd_prop_bitmask(w, kv->key[7] == 'c' ? "AllowedCPUs" : "AllowedMemoryNodes",
					  kv->value, err);
	return 0;
}

int sk_sd_props_resources(struct sk_dbus_w *w, const struct sk_resources *r, struct sk_error *err)
{
	uint64_t swap;

	if (r->memory.has_limit && r->memory.limit)
		sk_sd_prop_t(w, "MemoryMax", or_infinity(r->memory.limit));
	if (r->memory.has_reservation && r->memory.reservation)
		sk_sd_prop_t(w, "MemoryLow", or_infinity(r->memory.reservation));
	if (swap_max(r, &swap))
		sk_sd_prop_t(w, "MemorySwapMax", swap);
	if (r->cpu.has_shares && r->cpu.shares)
		sk_sd_prop_t(w, "CPUWeight", sk_cgroup_shares_to_weight(r->cpu.shares));
	cpu_quota(w, r);
	if (r->cpu.cpus && *r->cpu.cpus &&
	    sk_sd_prop_bitmask(w, "AllowedCPUs", r->cpu.cpus, err) < 0)
		return sk_error_ctx(err, "linux.resources.cpu.cpus");
	if (r->cpu.mems && *r->cpu.mems &&
	    sk_sd_prop_bitmask(w, "AllowedMemoryNodes", r->cpu.mems, err) < 0)
		return sk_error_ctx(err, "linux.resources.cpu.mems");
	if (r->pids.has_limit && r->pids.limit)
		sk_sd_prop_t(w, "TasksMax", or_infinity(r->pids.limit));
	if (r->blkio.has_weight && r->blkio.weight)
		sk_sd_prop_t(w, "IOWeight", io_weight(r->blkio.weight));
	io_devs(w, "IODeviceWeight", r->blkio.weight_device, r->blkio.n_weight_device, true);
	io_devs(w, "IOReadBandwidthMax", r->blkio.throttle_read_bps, r->blkio.n_throttle_read_bps, false);
	io_devs(w, "IOWriteBandwidthMax", r->blkio.throttle_write_bps, r->blkio.n_throttle_write_bps, false);
	io_devs(w, "IOReadIOPSMax", r->blkio.throttle_read_iops, r->blkio.n_throttle_read_iops, false);
	io_devs(w, "IOWriteIOPSMax", r->blkio.throttle_write_iops, r->blkio.n_throttle_write_iops, false);
	for (size_t i = 0; i < r->n_unified; i++)
		if (unified(w, &r->unified[i], err) < 0)
			return -1;
	return 0;
}

/* ---- devices */

/* the standard devices of ebpf.c, as systemd names them */
static const char *const std_allow[][2] = {
	{ "char-*", "m" }, { "block-*", "m" },
	{ "/dev/char/1:3", "rwm" }, { "/dev/char/1:5", "rwm" }, { "/dev/char/1:7", "rwm" },
	{ "/dev/char/1:8", "rwm" }, { "/dev/char/1:9", "rwm" }, { "/dev/char/5:0", "rwm" },
	{ "/dev/char/5:1", "rwm" }, { "/dev/char/5:2", "rwm" }, { "char-pts", "rwm" },
	{ "/dev/char/10:200", "rwm" },
};

/* The driver name of a major in /proc/devices ("136" -> "pts"), or NULL. */
static char *major_name(const char *devices, char type, int64_t major)
{
	const char *sect = strstr(devices, type == 'c' ? "Character devices:" : "Block devices:");
	const char *line, *end;
	long long m;
	char num[24];

	if (!sect)
		return NULL;
	for (line = strchr(sect, '\n'); line && line[1] && line[1] != '\n'; line = end) {
		const char *p = line + 1;

		end = strchr(p, '\n');
		while (*p == ' ')
			p++;
		if (sscanf(p, "%23s", num) != 1 || sk_parse_long(num, &m) < 0 || m != major)
			continue;
		p += strlen(num);
		while (*p == ' ')
			p++;
		return end ? sk_xasprintf("%.*s", (int)(end - p), p) : sk_xstrdup(p);
	}
	return NULL;
}

int sk_sd_props_devices(struct sk_dbus_w *w, const struct sk_resources *r, const char *proc_devices)
{
	size_t n = SK_ARRAY_SIZE(std_allow), cap = n + r->n_devices;
	const char *(*allow)[2] = sk_xcalloc(cap, sizeof(*allow));
	char **owned = sk_xcalloc(cap, sizeof(char *));
	size_t i;

	/* no rules: no device program (as the v2 driver), systemd's "auto" */
	if (!r->n_devices)
		goto out;
	memcpy(allow, std_allow, sizeof(std_allow));
	for (i = 0; i < r->n_devices; i++) {
		const struct sk_device_rule *d = &r->devices[i];
		char t = d->type && *d->type ? d->type[0] : 'a';
		const char *kind = t == 'b' ? "block" : "char";
		const char *acc = d->access && *d->access ? d->access : "rwm";
		char *name;

		if (!d->allow)
			continue;	/* skiff's program denies; systemd's allows a superset */
		if (t == 'a') {
			/* every device: no device policy at all (runc: "auto") */
			sk_sd_prop_s(w, "DevicePolicy", "auto");
			goto out;
		}
		if (!d->has_major)
			owned[i] = sk_xasprintf("%s-*", kind);
		else if (d->has_minor)
			owned[i] = sk_xasprintf("/dev/%s/%" PRId64 ":%" PRId64, kind, d->major, d->minor);
		else if (proc_devices && (name = major_name(proc_devices, t, d->major))) {
			owned[i] = sk_xasprintf("%s-%s", kind, name);
			free(name);
		} else {
			owned[i] = sk_xasprintf("%s-*", kind);	/* a superset */
		}
		allow[n][0] = owned[i];
		allow[n++][1] = acc;
	}
	sk_sd_prop_s(w, "DevicePolicy", "strict");
	sk_sd_prop_devices(w, (const char *const (*)[2])allow, n);
out:
	for (i = 0; i < r->n_devices; i++)
		free(owned[i]);
	free(owned);
	free(allow);
	return 0;
}
