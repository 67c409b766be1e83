/* Statistics of the container's cgroup (v2 files) in the JSON shape of
 * runc's `events` ("data" of a stats event: runc's types.Stats), plus the
 * OOM-kill count and memory.max for `run` and `state`. */
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
#include "driver.h"
#include "v2.h"

#define MAX_U64 "18446744073709551615"

static int open_cg(struct sk_cgroup *cg, bool *fresh)
{
	*fresh = false;
	if (cg->dirfd >= 0)
		return cg->dirfd;
	*fresh = true;
	return cg->dir ? open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
}

static char *slurp(int fd, const char *file)
{
	struct sk_error e;
	char *buf = NULL;

	if (sk_read_file_at(fd, file, &buf, NULL, 1 << 20, &e) < 0)
		return NULL;
	return buf;
}

/* Value of `key` in a flat keyed file; `dflt` when absent. */
static unsigned long long keyed(const char *buf, const char *key, unsigned long long dflt)
{
	size_t l = strlen(key);
	const char *p = buf;

	while (p && *p) {
		if (!strncmp(p, key, l) && p[l] == ' ')
			return strtoull(p + l + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return dflt;
}

/* A single-value file: its number, or "max" -> MAX_U64.  false if absent. */
static bool single(int fd, const char *file, char *out, size_t len)
{
	_cleanup_free_ char *b = slurp(fd, file);
	char *nl;

	if (!b)
		return false;
	nl = strchr(b, '\n');
	if (nl)
		*nl = '\0';
	snprintf(out, len, "%s", !strcmp(b, "max") ? MAX_U64 : b);
	return true;
}

static void key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void num(yajl_gen g, const char *k, const char *v)
{
	key(g, k);
	yajl_gen_number(g, v, strlen(v));
}

static void u64(yajl_gen g, const char *k, unsigned long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%llu", v);
	num(g, k, b);
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" lines -> {"some":{...},"full":{...}} */
static void psi(yajl_gen g, int fd, const char *file)
{
	_cleanup_free_ char *b = slurp(fd, file);
	char *line, *save = NULL;

	if (!b)
		return;
	key(g, "psi");
	yajl_gen_map_open(g);
	for (line = strtok_r(b, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *s2 = NULL;

		tok = strtok_r(line, " ", &s2);
		if (!tok || (strcmp(tok, "some") && strcmp(tok, "full")))
			continue;
		key(g, tok);
		yajl_gen_map_open(g);
		while ((tok = strtok_r(NULL, " ", &s2))) {
			char *eq = strchr(tok, '=');

			if (!eq)
				continue;
			*eq = '\0';
			num(g, tok, eq + 1);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_cpu(yajl_gen g, int fd)
{
	_cleanup_free_ char *st = slurp(fd, "cpu.stat");

	key(g, "cpu");
	yajl_gen_map_open(g);
	key(g, "usage");
	yajl_gen_map_open(g);
	u64(g, "total", keyed(st, "usage_usec", 0) * 1000);
	u64(g, "kernel", keyed(st, "system_usec", 0) * 1000);
	u64(g, "user", keyed(st, "user_usec", 0) * 1000);
	yajl_gen_map_close(g);
	key(g, "throttling");
	yajl_gen_map_open(g);
	u64(g, "periods", keyed(st, "nr_periods", 0));
	u64(g, "throttledPeriods", keyed(st, "nr_throttled", 0));
	u64(g, "throttledTime", keyed(st, "throttled_usec", 0) * 1000);
	yajl_gen_map_close(g);
	psi(g, fd, "cpu.pressure");
	yajl_gen_map_close(g);
}

static void gen_entry(yajl_gen g, const char *name, int fd, const char *cur, const char *max,
		      const char *peak, unsigned long long failcnt)
{
	char v[32];

	key(g, name);
	yajl_gen_map_open(g);
	num(g, "limit", single(fd, max, v, sizeof(v)) ? v : MAX_U64);
	num(g, "usage", single(fd, cur, v, sizeof(v)) ? v : "0");
	num(g, "max", peak && single(fd, peak, v, sizeof(v)) ? v : "0");
	u64(g, "failcnt", failcnt);
	yajl_gen_map_close(g);
}

static void gen_memory(yajl_gen g, int fd)
{
	_cleanup_free_ char *stat = slurp(fd, "memory.stat");
	_cleanup_free_ char *ev = slurp(fd, "memory.events");
	char *line, *save = NULL;

	if (!stat)
		return;
	key(g, "memory");
	yajl_gen_map_open(g);
	u64(g, "cache", keyed(stat, "file", 0));
	gen_entry(g, "usage", fd, "memory.current", "memory.max", "memory.peak",
		  keyed(ev, "max", 0));
	gen_entry(g, "swap", fd, "memory.swap.current", "memory.swap.max", "memory.swap.peak",
		  keyed(ev, "max", 0));
	key(g, "raw");
	yajl_gen_map_open(g);
	for (line = strtok_r(stat, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		num(g, line, sp + 1);
	}
	yajl_gen_map_close(g);
	psi(g, fd, "memory.pressure");
	yajl_gen_map_close(g);
}

static void gen_pids(yajl_gen g, int fd)
{
	char v[32];

	if (!single(fd, "pids.current", v, sizeof(v)))
		return;
	key(g, "pids");
	yajl_gen_map_open(g);
	num(g, "current", v);
	num(g, "limit", single(fd, "pids.max", v, sizeof(v)) && strcmp(v, MAX_U64) ? v : "0");
	yajl_gen_map_close(g);
}

static void blk_entry(yajl_gen g, unsigned maj, unsigned min, const char *op, unsigned long long v)
{
	yajl_gen_map_open(g);
	u64(g, "major", maj);
	u64(g, "minor", min);
	key(g, "op");
	yajl_gen_string(g, (const unsigned char *)op, strlen(op));
	u64(g, "value", v);
	yajl_gen_map_close(g);
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
static void gen_blkio(yajl_gen g, int fd)
{
	static const char *const lists[2][3] = {
		{ "ioServiceBytesRecursive", "rbytes", "wbytes" },
		{ "ioServicedRecursive", "rios", "wios" },
	};
	_cleanup_free_ char *st = slurp(fd, "io.stat");

	key(g, "blkio");
	yajl_gen_map_open(g);
	for (int l = 0; l < 2 && st; l++) {
		const char *p = st;

		key(g, lists[l][0]);
		yajl_gen_array_open(g);
		while (p && *p) {
			unsigned maj, min;
			unsigned long long r = 0, w = 0;
			const char *end = strchr(p, '\n'), *f;
			size_t len = end ? (size_t)(end - p) : strlen(p);
			_cleanup_free_ char *line = strndup(p, len);

			if (line && sscanf(line, "%u:%u", &maj, &min) == 2) {
				char pat[16];

				snprintf(pat, sizeof(pat), " %s=", lists[l][1]);
				if ((f = strstr(line, pat)))
					r = strtoull(f + strlen(pat), NULL, 10);
				snprintf(pat, sizeof(pat), " %s=", lists[l][2]);
				if ((f = strstr(line, pat)))
					w = strtoull(f + strlen(pat), NULL, 10);
				blk_entry(g, maj, min, "Read", r);
				blk_entry(g, maj, min, "Write", w);
				blk_entry(g, maj, min, "Total", r + w);
			}
			p = end ? end + 1 : NULL;
		}
		yajl_gen_array_close(g);
	}
	psi(g, fd, "io.pressure");
	yajl_gen_map_close(g);
}

/* hugetlb.<size>.current for each size the kernel has. */
static void gen_hugetlb(yajl_gen g, int fd)
{
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;

	key(g, "hugetlb");
	yajl_gen_map_open(g);
	while (d && (de = readdir(d))) {
		char size[32], f[96], v[32];
		_cleanup_free_ char *ev = NULL;
		const char *n = de->d_name;
		size_t l = strlen(n);

		if (strncmp(n, "hugetlb.", 8) || l < 16 || strcmp(n + l - 8, ".current") ||
		    strstr(n, ".rsvd.") || l - 16 >= sizeof(size))
			continue;
		memcpy(size, n + 8, l - 16);
		size[l - 16] = '\0';
		key(g, size);
		yajl_gen_map_open(g);
		num(g, "usage", single(fd, n, v, sizeof(v)) ? v : "0");
		snprintf(f, sizeof(f), "hugetlb.%s.max", size);
		num(g, "max", single(fd, f, v, sizeof(v)) ? v : "0");
		snprintf(f, sizeof(f), "hugetlb.%s.events", size);
		ev = slurp(fd, f);
		u64(g, "failcnt", keyed(ev, "max", 0));
		yajl_gen_map_close(g);
	}
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	yajl_gen_map_close(g);
}

char *sk_cg2_stats_json(struct sk_cgroup *cg)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	bool fresh;
	int fd;

	fd = open_cg(cg, &fresh);
	yajl_gen_map_open(g);
	if (fd >= 0) {
		gen_cpu(g, fd);
		gen_memory(g, fd);
		gen_pids(g, fd);
		gen_blkio(g, fd);
		gen_hugetlb(g, fd);
		if (fresh)
			close(fd);
	}
	yajl_gen_map_close(g);
	return sk_json_finish(g, false);
}

long long sk_cg2_oom_kills(struct sk_cgroup *cg)
{
	bool fresh;
	int fd;
	_cleanup_free_ char *ev = NULL;
	long long r = -1;

	fd = open_cg(cg, &fresh);
	if (fd < 0)
		return -1;
	ev = slurp(fd, "memory.events");
	if (ev)
		r = (long long)keyed(ev, "oom_kill", 0);
	if (fresh)
		close(fd);
	return r;
}

void sk_cg2_memory_max(struct sk_cgroup *cg, char *buf, size_t len)
{
	bool fresh;
	int fd;
	char v[32];

	buf[0] = '\0';
	fd = open_cg(cg, &fresh);
	if (fd < 0)
		return;
	if (single(fd, "memory.max", v, sizeof(v))) {
		if (!strcmp(v, MAX_U64))
			snprintf(buf, len, "max");
		else
			sk_cg_human_bytes(strtoull(v, NULL, 10), buf, len);
	}
	if (fresh)
		close(fd);
}

long long sk_cg_pids_events(int fd, char *limit, size_t len)
{
	_cleanup_free_ char *ev = slurp(fd, "pids.events");
	long long r = -1;

	if (ev) {
		r = (long long)keyed(ev, "max", 0);
		single(fd, "pids.max", limit, len);
	}
	return r;
}

long long sk_cg2_pids_max_hits(struct sk_cgroup *cg, char *limit, size_t len)
{
	bool fresh;
	long long r;
	int fd;

	limit[0] = '\0';
	fd = open_cg(cg, &fresh);
	if (fd < 0)
		return -1;
	r = sk_cg_pids_events(fd, limit, len);
	if (fresh)
		close(fd);
	return r;
}

/* memory.peak and pids.peak (Linux 5.19, 6.1). */
void sk_cg2_peaks(struct sk_cgroup *cg, long long *mem, long long *pids)
{
	char v[32];
	bool fresh;
	int fd = open_cg(cg, &fresh);

	*mem = *pids = -1;
	if (fd < 0)
		return;
	if (single(fd, "memory.peak", v, sizeof(v)))
		*mem = strtoll(v, NULL, 10);
	if (single(fd, "pids.peak", v, sizeof(v)))
		*pids = strtoll(v, NULL, 10);
	if (fresh)
		close(fd);
}
