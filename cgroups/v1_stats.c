/* Statistics of the container's v1 cgroups: raw counters (struct
 * sk_cgroup_v1_stats) and runc's stats object (types.Stats, the "data" of
 * an `events` stats event) as runc's fs driver fills it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "skiff/cgroups.h"
#include "skiff/json.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "v1.h"
#include "v2.h"


static bool read_u64(const struct v1_dir *d, const char *file, unsigned long long *v)
{
	_cleanup_free_ char *f = NULL, *s = NULL;
	struct sk_error e;

	if (!d)
		return false;
	f = sk_xasprintf("%s/%s", d->dir, file);
	if (sk_read_file_at(AT_FDCWD, f, &s, NULL, 4096, &e) < 0)
		return false;
	if (!strncmp(s, "max", 3)) {
		*v = 0;
		return true;
	}
	return sscanf(s, "%llu", v) == 1;
}

/* `key value` lines */
static bool read_key(const struct v1_dir *d, const char *file, const char *key,
		     unsigned long long *v)
{
	_cleanup_free_ char *f = NULL, *s = NULL;
	struct sk_error e;
	char *line, *save = NULL;
	size_t n = strlen(key);

	if (!d)
		return false;
	f = sk_xasprintf("%s/%s", d->dir, file);
	if (sk_read_file_at(AT_FDCWD, f, &s, NULL, 1 << 16, &e) < 0)
		return false;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, n) && line[n] == ' ')
			return sscanf(line + n + 1, "%llu", v) == 1;
	return false;
}

int sk_cgroup_v1_stats(struct sk_cgroup_v1 *v1, struct sk_cgroup_v1_stats *st,
		       struct sk_error *err)
{
	const struct v1_dir *mem = v1_find_dir(v1, "memory");
	const struct v1_dir *cpu = v1_find_dir(v1, "cpu");
	const struct v1_dir *acct = v1_find_dir(v1, "cpuacct");
	const struct v1_dir *pids = v1_find_dir(v1, "pids");
	long hz = sysconf(_SC_CLK_TCK);

	memset(st, 0, sizeof(*st));
	if (hz <= 0)
		hz = 100;
	st->has_memory = read_u64(mem, "memory.usage_in_bytes", &st->mem_usage);
	if (st->has_memory) {
		read_u64(mem, "memory.max_usage_in_bytes", &st->mem_max_usage);
		read_u64(mem, "memory.limit_in_bytes", &st->mem_limit);
		read_u64(mem, "memory.failcnt", &st->mem_failcnt);
		read_u64(mem, "memory.memsw.usage_in_bytes", &st->memsw_usage);
		read_u64(mem, "memory.memsw.max_usage_in_bytes", &st->memsw_max_usage);
		read_u64(mem, "memory.memsw.limit_in_bytes", &st->memsw_limit);
		read_u64(mem, "memory.memsw.failcnt", &st->memsw_failcnt);
		read_key(mem, "memory.oom_control", "oom_kill", &st->oom_kill);
	}
	st->has_cpu = read_u64(acct, "cpuacct.usage", &st->cpu_usage);
	if (st->has_cpu) {
		if (read_key(acct, "cpuacct.stat", "user", &st->cpu_user))
			st->cpu_user *= 1000000000ULL / (unsigned long long)hz;
		if (read_key(acct, "cpuacct.stat", "system", &st->cpu_system))
			st->cpu_system *= 1000000000ULL / (unsigned long long)hz;
	}
	if (read_key(cpu, "cpu.stat", "nr_periods", &st->nr_periods)) {
		st->has_cpu = true;
		read_key(cpu, "cpu.stat", "nr_throttled", &st->nr_throttled);
		read_key(cpu, "cpu.stat", "throttled_time", &st->throttled_time);
	}
	st->has_pids = read_u64(pids, "pids.current", &st->pids_current);
	if (st->has_pids)
		read_u64(pids, "pids.max", &st->pids_limit);
	if (!st->has_memory && !st->has_cpu && !st->has_pids)
		return sk_error(err, ENOENT, "cgroup %s: no v1 memory, cpu or pids statistics",
				v1->path);
	return 0;
}

/* ---- runc's JSON ---- */

static void key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void u64(yajl_gen g, const char *k, unsigned long long v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%llu", v);

	key(g, k);
	yajl_gen_number(g, b, (size_t)n);
}

static void entry(yajl_gen g, const char *name, const struct v1_dir *d, const char *prefix)
{
	unsigned long long v;
	char f[96];

	key(g, name);
	yajl_gen_map_open(g);
	snprintf(f, sizeof(f), "%s.limit_in_bytes", prefix);
	u64(g, "limit", read_u64(d, f, &v) ? v : 0);
	snprintf(f, sizeof(f), "%s.usage_in_bytes", prefix);
	u64(g, "usage", read_u64(d, f, &v) ? v : 0);
	snprintf(f, sizeof(f), "%s.max_usage_in_bytes", prefix);
	u64(g, "max", read_u64(d, f, &v) ? v : 0);
	snprintf(f, sizeof(f), "%s.failcnt", prefix);
	u64(g, "failcnt", read_u64(d, f, &v) ? v : 0);
	yajl_gen_map_close(g);
}

static void gen_memory(yajl_gen g, const struct v1_dir *d)
{
	_cleanup_free_ char *f = NULL, *s = NULL;
	struct sk_error e;
	char *line, *save = NULL;
	unsigned long long cache = 0;

	f = sk_xasprintf("%s/memory.stat", d->dir);
	if (sk_read_file_at(AT_FDCWD, f, &s, NULL, 1 << 16, &e) < 0)
		return;
	key(g, "memory");
	yajl_gen_map_open(g);
	read_key(d, "memory.stat", "total_cache", &cache);
	u64(g, "cache", cache);
	entry(g, "usage", d, "memory");
	entry(g, "swap", d, "memory.memsw");
	entry(g, "kernel", d, "memory.kmem");
	entry(g, "kernelTCP", d, "memory.kmem.tcp");
	key(g, "raw");
	yajl_gen_map_open(g);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		key(g, line);
		yajl_gen_number(g, sp + 1, strlen(sp + 1));
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* blkio.throttle.io_service_bytes_recursive: "maj:min Op value" lines */
static void gen_blkio(yajl_gen g, const struct v1_dir *d)
{
	static const struct { const char *json, *file; } lists[] = {
		{ "ioServiceBytesRecursive", "blkio.throttle.io_service_bytes_recursive" },
		{ "ioServicedRecursive", "blkio.throttle.io_serviced_recursive" },
	};
	size_t i;

	key(g, "blkio");
	yajl_gen_map_open(g);
	for (i = 0; i < SK_ARRAY_SIZE(lists); i++) {
		_cleanup_free_ char *f = sk_xasprintf("%s/%s", d->dir, lists[i].file);
		_cleanup_free_ char *s = NULL;
		struct sk_error e;
		char *line, *save = NULL;

		if (sk_read_file_at(AT_FDCWD, f, &s, NULL, 1 << 20, &e) < 0)
			continue;
		key(g, lists[i].json);
		yajl_gen_array_open(g);
		for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			unsigned maj, min;
			unsigned long long v;
			char op[16];

			if (sscanf(line, "%u:%u %15s %llu", &maj, &min, op, &v) != 4)
				continue;
			yajl_gen_map_open(g);
			u64(g, "major", maj);
			u64(g, "minor", min);
			key(g, "op");
			yajl_gen_string(g, (const unsigned char *)op, strlen(op));
			u64(g, "value", v);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

char *sk_cgroup_v1_stats_json(struct sk_cgroup_v1 *v1)
{
	struct sk_cgroup_v1_stats st;
	const struct v1_dir *d;
	yajl_gen g = yajl_gen_alloc(NULL);
	struct sk_error e;

	sk_cgroup_v1_stats(v1, &st, &e);
	yajl_gen_map_open(g);
	if (st.has_cpu) {
		key(g, "cpu");
		yajl_gen_map_open(g);
		key(g, "usage");
		yajl_gen_map_open(g);
		u64(g, "total", st.cpu_usage);
		u64(g, "kernel", st.cpu_system);
		u64(g, "user", st.cpu_user);
		yajl_gen_map_close(g);
		key(g, "throttling");
		yajl_gen_map_open(g);
		u64(g, "periods", st.nr_periods);
		u64(g, "throttledPeriods", st.nr_throttled);
		u64(g, "throttledTime", st.throttled_time);
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
	}
	d = v1_find_dir(v1, "memory");
	if (d)
		gen_memory(g, d);
	if (st.has_pids) {
		key(g, "pids");
		yajl_gen_map_open(g);
		u64(g, "current", st.pids_current);
		u64(g, "limit", st.pids_limit);
		yajl_gen_map_close(g);
	}
	d = v1_find_dir(v1, "blkio");
	if (d)
		gen_blkio(g, d);
	yajl_gen_map_close(g);
	return sk_json_finish(g, false);
}

/* ---- the v1 and hybrid drivers' counters (driver.h) ---- */

char *sk_cg1_stats_json(struct sk_cgroup *cg)
{
	return sk_cgroup_v1_stats_json(cg->priv);
}

/* memory.oom_control */
long long sk_cg1_oom_kills(struct sk_cgroup *cg)
{
	struct sk_cgroup_v1_stats st;
	struct sk_error e;

	sk_cgroup_v1_stats(cg->priv, &st, &e);
	return st.has_memory ? (long long)st.oom_kill : -1;
}

/* memory.limit_in_bytes (unlimited is near 2^63) */
void sk_cg1_memory_max(struct sk_cgroup *cg, char *buf, size_t len)
{
	struct sk_cgroup_v1_stats st;
	struct sk_error e;

	buf[0] = '\0';
	sk_cgroup_v1_stats(cg->priv, &st, &e);
	if (st.has_memory && st.mem_limit >= (1ULL << 62))
		snprintf(buf, len, "max");
	else if (st.has_memory)
		sk_cg_human_bytes(st.mem_limit, buf, len);
}

/* the pids hierarchy's pids.events */
long long sk_cg1_pids_max_hits(struct sk_cgroup *cg, char *limit, size_t len)
{
	const struct v1_dir *d = v1_find_dir(cg->priv, "pids");
	long long r;
	int fd;

	limit[0] = '\0';
	fd = d ? open(d->dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd < 0)
		return -1;
	r = sk_cg_pids_events(fd, limit, len);
	close(fd);
	return r;
}

/* memory.max_usage_in_bytes; v1 keeps no peak of pids. */
void sk_cg1_peaks(struct sk_cgroup *cg, long long *mem, long long *pids)
{
	struct sk_cgroup_v1_stats st;
	struct sk_error e;

	*mem = *pids = -1;
	if (sk_cgroup_v1_stats(cg->priv, &st, &e) == 0 && st.has_memory)
		*mem = (long long)st.mem_max_usage;
}
