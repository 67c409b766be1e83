/* skiff update: change the cgroup limits of a live container, from a
 * linux.resources JSON (-r FILE, - for stdin) and/or runc's flags. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

/* runc's byte sizes: "64m", "1G", "512k", "1024", "-1". */
static int parse_bytes(const char *opt, const char *s, int64_t *out, struct sk_error *err)
{
	char *end;
	long long v;
	int64_t mul = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		goto bad;
	if (v == -1 && !*end) {
		*out = -1;
		return 0;
	}
	if (v < 0)
		goto bad;
	switch (tolower((unsigned char)*end)) {
	case '\0': break;
	case 'k': mul = 1LL << 10; end++; break;
	case 'm': mul = 1LL << 20; end++; break;
	case 'g': mul = 1LL << 30; end++; break;
	case 't': mul = 1LL << 40; end++; break;
	default: goto bad;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v > INT64_MAX / mul)
		goto bad;
	*out = v * mul;
	return 0;
bad:
	return sk_error(err, EINVAL, "update: --%s: invalid size \"%s\"", opt, s);
}

static int parse_num(const char *opt, const char *s, int64_t min, int64_t *out, struct sk_error *err)
{
	long long v;

	if (sk_parse_long(s, &v) < 0 || v < min)
		return sk_error(err, EINVAL, "update: --%s: invalid value \"%s\"", opt, s);
	*out = v;
	return 0;
}

#define RESOURCES_MAX (1 << 20)

static int load_resources(const char *file, struct sk_config **cfg, struct sk_error *err)
{
	_cleanup_free_ char *raw = NULL;
	size_t len = 0;

	if (!file) {
		raw = sk_xstrdup("{}");
		len = 2;
	} else if (!strcmp(file, "-")) {
		size_t cap = 4096;
		ssize_t n;

		raw = sk_xmalloc(cap);
		while ((n = read(STDIN_FILENO, raw + len, cap - len - 1)) != 0) {
			if (n < 0)
				return sk_error_sys(err, "update: read stdin");
			len += (size_t)n;
			if (len > RESOURCES_MAX)
				return sk_error(err, EFBIG, "update: -r: stdin: larger than %d bytes",
						RESOURCES_MAX);
			if (cap - len < 2)
				raw = sk_xrealloc(raw, cap *= 2);
		}
		raw[len] = '\0';
	} else if (sk_read_file_at(AT_FDCWD, file, &raw, &len, RESOURCES_MAX, err) < 0) {
		return sk_error_ctx(err, "update: -r");
	}
	return sk_resources_parse(raw, len, file ? file : "resources", cfg, err);
}

int sk_cmd_update(int argc, char **argv, struct sk_error *err)
{
	const char *file = NULL, *v[16] = { NULL };
	enum { MEM, MEMSWAP, MEMRES, CQUOTA, CPERIOD, CSHARE, CBURST, CPUS, MEMS, PIDS,
	       BLKIO, RTP, RTR, KMEM, KMEMTCP, NOPTS };
	const struct sk_opt opts[] = {
		{ "resources", 'r', SK_OPT_STRING, &file },
		{ "memory", 0, SK_OPT_STRING, &v[MEM] },
		{ "memory-swap", 0, SK_OPT_STRING, &v[MEMSWAP] },
		{ "memory-reservation", 0, SK_OPT_STRING, &v[MEMRES] },
		{ "cpu-quota", 0, SK_OPT_STRING, &v[CQUOTA] },
		{ "cpu-period", 0, SK_OPT_STRING, &v[CPERIOD] },
		{ "cpu-share", 0, SK_OPT_STRING, &v[CSHARE] },
		{ "cpu-burst", 0, SK_OPT_STRING, &v[CBURST] },
		{ "cpuset-cpus", 0, SK_OPT_STRING, &v[CPUS] },
		{ "cpuset-mems", 0, SK_OPT_STRING, &v[MEMS] },
		{ "pids-limit", 0, SK_OPT_STRING, &v[PIDS] },
		{ "blkio-weight", 0, SK_OPT_STRING, &v[BLKIO] },
		{ "cpu-rt-period", 0, SK_OPT_STRING, &v[RTP] },
		{ "cpu-rt-runtime", 0, SK_OPT_STRING, &v[RTR] },
		{ "kernel-memory", 0, SK_OPT_STRING, &v[KMEM] },
		{ "kernel-memory-tcp", 0, SK_OPT_STRING, &v[KMEMTCP] },
		{ NULL, 0, 0, NULL },
	};
	struct sk_config *cfg = NULL;
	struct sk_resources *r;
	struct sk_container c;
	struct sk_cgroup cg;
	enum sk_status status;
	char *pos[1];
	int64_t x;
	int ret = -1;

	if (sk_parse_id_opts(argc, argv, opts, pos, 1, err) < 0)
		return -1;
	if (load_resources(file, &cfg, err) < 0)
		goto fail_early;
	r = &cfg->linux.resources;
#define SET(idx, fn, field, hasf) do { \
	if (v[idx]) { if (fn < 0) goto fail_early; field = x; hasf = true; r->present = true; } \
} while (0)
	SET(MEM, parse_bytes("memory", v[MEM], &x, err), r->memory.limit, r->memory.has_limit);
	SET(MEMSWAP, parse_bytes("memory-swap", v[MEMSWAP], &x, err), r->memory.swap, r->memory.has_swap);
	SET(MEMRES, parse_bytes("memory-reservation", v[MEMRES], &x, err), r->memory.reservation,
	    r->memory.has_reservation);
	SET(CQUOTA, parse_num("cpu-quota", v[CQUOTA], -1, &x, err), r->cpu.quota, r->cpu.has_quota);
	SET(CPERIOD, parse_num("cpu-period", v[CPERIOD], 0, &x, err), r->cpu.period, r->cpu.has_period);
	SET(CSHARE, parse_num("cpu-share", v[CSHARE], 0, &x, err), r->cpu.shares, r->cpu.has_shares);
	SET(CBURST, parse_num("cpu-burst", v[CBURST], 0, &x, err), r->cpu.burst, r->cpu.has_burst);
	SET(PIDS, parse_num("pids-limit", v[PIDS], -1, &x, err), r->pids.limit, r->pids.has_limit);
	SET(BLKIO, parse_num("blkio-weight", v[BLKIO], 0, &x, err), r->blkio.weight, r->blkio.has_weight);
	SET(RTP, parse_num("cpu-rt-period", v[RTP], 0, &x, err), r->cpu.realtime_period,
	    r->cpu.has_realtime_period);
	SET(RTR, parse_num("cpu-rt-runtime", v[RTR], -1, &x, err), r->cpu.realtime_runtime,
	    r->cpu.has_realtime_runtime);
	SET(KMEM, parse_bytes("kernel-memory", v[KMEM], &x, err), r->memory.kernel, r->memory.has_kernel);
	SET(KMEMTCP, parse_bytes("kernel-memory-tcp", v[KMEMTCP], &x, err), r->memory.kernel_tcp,
	    r->memory.has_kernel_tcp);
#undef SET
	if (r->memory.has_limit || r->memory.has_swap || r->memory.has_reservation)
		r->memory.present = true;
	if (v[CQUOTA] || v[CPERIOD] || v[CSHARE] || v[CBURST] || v[CPUS] || v[MEMS] || v[RTP] || v[RTR])
		r->cpu.present = true;
	if (v[PIDS])
		r->pids.present = true;
	if (v[BLKIO])
		r->blkio.present = true;
	if (v[CPUS]) {
		free(r->cpu.cpus);
		r->cpu.cpus = sk_xstrdup(v[CPUS]);
	}
	if (v[MEMS]) {
		free(r->cpu.mems);
		r->cpu.mems = sk_xstrdup(v[MEMS]);
	}
	if (v[CPUS] || v[MEMS])
		r->present = true;

	sk_resources_normalize(r);
	if (r->n_devices)	/* as runc: the device rules are set at create */
		sk_log_warn("warning: linux.resources.devices cannot be updated and is ignored");
	if (sk_container_load(pos[0], &c, err) < 0)
		goto fail_early;
	status = sk_container_status(&c);
	if (status != SK_STATUS_CREATED && status != SK_STATUS_RUNNING && status != SK_STATUS_PAUSED) {
		sk_error(err, EINVAL, "cannot update container \"%s\": container not running (it is %s)", c.id,
			 sk_status_name(status));
		goto out;
	}
	if (sk_container_cgroup(&c, &cg, err) < 0)
		goto out;
	/* memory+swap without a new memory limit: against the current one */
	if (r->memory.has_swap && r->memory.swap > 0 && !r->memory.has_limit) {
		char cur[32];
		int64_t lim = -1;

		sk_cgroup_memory_max(&cg, cur, sizeof(cur));
		if (cur[0] && strcmp(cur, "max") && parse_bytes("memory", cur, &lim, err) < 0)
			lim = -1;
		r->memory.has_limit = true;
		r->memory.limit = lim;
	}
	if (sk_cgroup_update(&cg, r, err) < 0)
		sk_error_ctx(err, "container \"%s\"", c.id);
	else
		ret = 0;
	sk_cgroup_release(&cg);
out:
	sk_container_release(&c);
	sk_config_free(cfg);
	return ret;
fail_early:
	sk_config_free(cfg);
	return -1;
}
