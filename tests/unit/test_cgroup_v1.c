/* Unit tests for the cgroup v1 driver (cgroups/v1*.c) on a fake host:
 * a temp dir holds a fake /proc/self (mountinfo, cgroup) whose v1
 * "hierarchies" are plain directories, so path mapping, create/rollback,
 * open (legacy), resource plans, freezer and destroy run anywhere, with no
 * cgroup touched.  Legacy hosts cannot be booted here: this is their test.
 *
 * Output: "ok - name", "not ok - name: reason", then "N passed, N failed". */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "../../cgroups/v1.h"
#include "tap.h"

static char tmp[256];

static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static char *get(const char *rel)
{
	static char buf[4096];
	char p[512];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	f = fopen(p, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static bool exists(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	return access(p, F_OK) == 0;
}

static void mk(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	if (sk_mkdir_p(p, 0755) < 0) {
		perror(p);
		exit(1);
	}
}

/* A legacy host: memory (own /sup/job), cpu,cpuacct co-mounted (own /),
 * pids, freezer, cpuset, devices; a named hierarchy; no cgroup2 mount. */
static void fake_host(void)
{
	char mi[4096];

	snprintf(mi, sizeof(mi),
		 "20 1 0:20 / /sys rw - sysfs sysfs rw\n"
		 "30 20 0:30 / %1$s/h/memory rw,nosuid shared:1 - cgroup cgroup rw,memory\n"
		 "31 20 0:31 / %1$s/h/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
		 "32 20 0:32 / %1$s/h/pids rw - cgroup cgroup rw,pids\n"
		 "33 20 0:33 / %1$s/h/freezer rw - cgroup cgroup rw,freezer\n"
		 "34 20 0:34 / %1$s/h/cpuset rw - cgroup cgroup rw,cpuset\n"
		 "35 20 0:35 / %1$s/h/devices rw - cgroup cgroup rw,devices\n"
		 "36 20 0:36 / %1$s/h/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
		 "37 20 0:37 /sub %1$s/h/blkio rw - cgroup cgroup rw,blkio\n", tmp);
	mk("proc");
	put("proc/mountinfo", mi);
	put("proc/cgroup",
	    "9:name=systemd:/init.scope\n"
	    "8:blkio:/\n"
	    "7:devices:/\n"
	    "6:cpuset:/\n"
	    "5:freezer:/\n"
	    "4:pids:/\n"
	    "3:cpu,cpuacct:/\n"
	    "2:memory:/sup/job\n"
	    "0::/\n");
	mk("h/memory/sup/job");
	mk("h/cpu,cpuacct");
	mk("h/pids");
	mk("h/freezer");
	mk("h/cpuset");
	mk("h/devices");
	mk("h/systemd");
	mk("h/blkio");
	put("h/cpuset/cpuset.cpus", "0-3\n");
	put("h/cpuset/cpuset.mems", "0\n");
}

static void test_map(void)
{
	struct { const char *path, *ref, *own, *want; } c[] = {
		{ "/ctr", "/", "/", "/ctr" },
		{ "/ctr", "/", "/sup/job", "/sup/job/ctr" },
		{ "/a/b/ctr", "/a/b", "/x", "/x/ctr" },
		{ "/elsewhere/ctr", "/a/b", "/x", "/elsewhere/ctr" },
		{ "/a/bc", "/a/b", "/x", "/a/bc" },
		{ "/a/b", "/a/b", "/x", "/a/b" },
	};
	size_t i;

	for (i = 0; i < SK_ARRAY_SIZE(c); i++) {
		_cleanup_free_ char *got = v1_map_path(c[i].path, c[i].ref, c[i].own);
		char name[128];

		snprintf(name, sizeof(name), "map %s (ref %s, own %s)", c[i].path, c[i].ref, c[i].own);
		tap(!strcmp(got, c[i].want), name, "got %s, want %s", got, c[i].want);
	}
}

static void test_host(void)
{
	struct v1_host h;
	struct sk_error err;
	const struct v1_hier *m, *a;
	char p[512];

	snprintf(p, sizeof(p), "%s/proc", tmp);
	if (v1_host_load(&h, p, &err) < 0) {
		tap(false, "host load", "%s", err.msg);
		return;
	}
	m = v1_host_find(&h, "memory");
	a = v1_host_find(&h, "cpuacct");
	snprintf(p, sizeof(p), "%s/h/memory", tmp);
	tap(m && !strcmp(m->mnt, p) && !strcmp(m->own, "/sup/job"), "host: memory mount and own cgroup",
	       "%s %s", m ? m->mnt : "-", m ? m->own : "-");
	tap(a && a == v1_host_find(&h, "cpu"), "host: co-mounted cpu,cpuacct are one hierarchy", "%p", (void *)a);
	tap(!v1_host_find(&h, "systemd") && v1_host_find(&h, "name=systemd") && h.n == 7,
	       "host: name=systemd kept (runc joins it), subtree-only mount skipped", "n=%zu", h.n);
	tap(!v1_host_find(&h, "hugetlb"), "host: hugetlb absent", "found");
	tap(!strcmp(h.own_ref, "/"), "host: own v2 cgroup", "%s", h.own_ref);
	v1_host_free(&h);
}

static void test_missing_controller(void)
{
	struct sk_config c;
	struct sk_hugepage_limit hl = { .page_size = "2MB", .limit = 1 << 21 };
	struct sk_cgroup_v1 *v1 = NULL;
	struct sk_error err;
	int r;

	memset(&c, 0, sizeof(c));
	c.linux.resources.present = true;
	c.linux.resources.hugepage_limits = &hl;
	c.linux.resources.n_hugepage_limits = 1;
	r = sk_cgroup_v1_create(&c, "/ctr", SK_CGROUP_LEGACY, &v1, &err);
	tap(r < 0 && strstr(err.msg, "hugetlb") && strstr(err.msg, "legacy") &&
	       strstr(err.msg, "hugepageLimits"), "missing hugetlb: error names field, controller, mode",
	       "r=%d %s", r, err.msg);
	tap(!exists("h/pids/ctr") && !exists("h/memory/sup/job/ctr"),
	       "missing hugetlb: nothing created", "dirs exist");
}

static void test_create_rollback(void)
{
	struct sk_config c;
	struct sk_cgroup_v1 *v1 = NULL;
	struct sk_error err;
	int r;

	/* pids.max does not exist in a plain directory: the write fails
	 * after every hierarchy got its dir -- all of them must go. */
	memset(&c, 0, sizeof(c));
	c.linux.resources.present = true;
	c.linux.resources.pids.present = c.linux.resources.pids.has_limit = true;
	c.linux.resources.pids.limit = 10;
	r = sk_cgroup_v1_create(&c, "/deep/ctr", SK_CGROUP_LEGACY, &v1, &err);
	tap(r < 0 && strstr(err.msg, "pids.limit"), "failed write: error names the field",
	       "r=%d %s", r, err.msg);
	tap(!exists("h/pids/deep") && !exists("h/memory/sup/job/deep") && !exists("h/cpuset/deep"),
	       "failed write: every level made is removed", "left behind");
}

static void test_create_open_destroy(void)
{
	struct sk_cgroup_v1 *v1 = NULL, *o = NULL;
	struct sk_error err;
	char want[512];
	int r;

	r = sk_cgroup_v1_create(NULL, "/ctr", SK_CGROUP_LEGACY, &v1, &err);
	if (r < 0) {
		tap(false, "create", "%s", err.msg);
		return;
	}
	tap(exists("h/memory/sup/job/ctr") && exists("h/cpu,cpuacct/ctr") && exists("h/pids/ctr") &&
	       !exists("h/systemd/ctr"), "create: a dir in every controller hierarchy, below own",
	       "missing");
	tap(!strcmp(get("h/cpuset/ctr/cpuset.cpus") ? get("h/cpuset/ctr/cpuset.cpus") : "", "0-3") ||
	       !exists("h/cpuset/ctr/cpuset.cpus"), "create: cpuset from parent (when the file exists)", "%s",
	       get("h/cpuset/ctr/cpuset.cpus"));
	snprintf(want, sizeof(want), "%s/h/memory/sup/job/ctr", tmp);
	tap(!strcmp(sk_cgroup_v1_dir(v1, "memory"), want), "dir(memory)", "%s", sk_cgroup_v1_dir(v1, "memory"));
	snprintf(want, sizeof(want), "%s/h/freezer/ctr", tmp);
	tap(!strcmp(sk_cgroup_v1_track_dir(v1), want), "legacy: freezer is the tracking hierarchy",
	       "%s", sk_cgroup_v1_track_dir(v1));

	r = sk_cgroup_v1_open(sk_cgroup_v1_track_dir(v1), SK_CGROUP_LEGACY, true, &o, &err);
	tap(r == 0 && !strcmp(sk_cgroup_v1_dir(o, "memory"), sk_cgroup_v1_dir(v1, "memory")) &&
	       !strcmp(sk_cgroup_v1_dir(o, "cpuacct"), sk_cgroup_v1_dir(v1, "cpuacct")),
	       "legacy open maps the tracking dir back to every hierarchy", "r=%d %s", r,
	       r ? err.msg : sk_cgroup_v1_dir(o, "memory"));

	/* freezer on a plain file: written, read back */
	put("h/freezer/ctr/freezer.state", "THAWED\n");
	r = sk_cgroup_v1_freeze(o, true, &err);
	tap(r == 0 && sk_cgroup_v1_is_frozen(o) == 1, "freeze writes FROZEN", "r=%d %s", r, err.msg);
	r = sk_cgroup_v1_freeze(o, false, &err);
	tap(r == 0 && sk_cgroup_v1_is_frozen(o) == 0, "thaw writes THAWED", "r=%d %s", r, err.msg);
	unlink(strcat(strcpy(want, sk_cgroup_v1_track_dir(v1)), "/freezer.state"));
	if (exists("h/cpuset/ctr/cpuset.cpus")) {
		unlink(strcat(strcpy(want, sk_cgroup_v1_dir(v1, "cpuset")), "/cpuset.cpus"));
		unlink(strcat(strcpy(want, sk_cgroup_v1_dir(v1, "cpuset")), "/cpuset.mems"));
	}

	mk("h/pids/ctr/sub");	/* made by the container: removed too */
	r = sk_cgroup_v1_destroy(o, &err);
	tap(r == 0 && !exists("h/memory/sup/job/ctr") && !exists("h/pids/ctr") &&
	       exists("h/memory/sup/job"), "destroy removes the cgroup (and sub-cgroups) everywhere",
	       "r=%d %s", r, err.msg);
	sk_cgroup_v1_free(o);
	sk_cgroup_v1_free(v1);
}

/* Resource plan on a cgroup that exists (files made by hand). */
static void test_plan(void)
{
	struct sk_resources r;
	struct sk_config c;
	struct sk_device_rule rules[2] = {
		{ .allow = false, .access = "rwm" },
		{ .allow = true, .type = "c", .has_major = true, .major = 10, .has_minor = true,
		  .minor = 229, .access = "rw" },
	};
	struct sk_device dev = { .path = "/dev/kmsg", .type = SK_DEV_CHAR, .has_major = true, .major = 1,
				 .has_minor = true, .minor = 11 };
	struct sk_cgroup_v1 *v1 = NULL;
	struct v1_plan p = { 0 };
	struct sk_error err;
	size_t i;
	int rc;

	mk("h/memory/sup/job/p");
	put("h/memory/sup/job/p/memory.limit_in_bytes", "100\n");
	put("h/memory/sup/job/p/memory.memsw.limit_in_bytes", "100\n");
	if (sk_cgroup_v1_open("/p", SK_CGROUP_HYBRID, false, &v1, &err) < 0) {
		tap(false, "plan: open", "%s", err.msg);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.present = r.memory.present = true;
	r.memory.has_limit = r.memory.has_swap = true;
	r.memory.limit = 1000;
	r.memory.swap = 2000;
	rc = v1_plan_resources(&r, NULL, v1, &p, &err);
	tap(rc == 0 && p.n == 2 && !strcmp(p.w[0].file, "memory.memsw.limit_in_bytes") &&
	       !strcmp(p.w[1].file, "memory.limit_in_bytes"), "plan: raising writes memsw first",
	       "rc=%d n=%zu first=%s", rc, p.n, p.n ? p.w[0].file : "-");
	rc = v1_plan_run(&p, v1, &err);
	tap(rc == 0 && !strcmp(get("h/memory/sup/job/p/memory.memsw.limit_in_bytes"), "2000"),
	       "plan: run writes the files", "rc=%d %s", rc, err.msg);
	v1_plan_free(&p);

	r.memory.limit = 500;	/* current limit 2000 (file) > new swap? no: 1000 */
	put("h/memory/sup/job/p/memory.limit_in_bytes", "5000\n");
	r.memory.swap = 1000;
	rc = v1_plan_resources(&r, NULL, v1, &p, &err);
	tap(rc == 0 && p.n == 2 && !strcmp(p.w[0].file, "memory.limit_in_bytes"),
	       "plan: lowering writes the limit first", "rc=%d first=%s", rc, p.n ? p.w[0].file : "-");
	v1_plan_free(&p);

	r.memory.swap = 100;
	rc = v1_plan_resources(&r, NULL, v1, &p, &err);
	tap(rc < 0 && strstr(err.msg, "memory.swap"), "plan: swap below limit is an error",
	       "rc=%d %s", rc, err.msg);
	v1_plan_free(&p);

	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	r.present = true;
	r.devices = rules;
	r.n_devices = 2;
	c.linux.devices = &dev;
	c.linux.n_devices = 1;
	rc = v1_plan_resources(&r, &c, v1, &p, &err);
	tap(rc == 0 && p.n > 4 && !strcmp(p.w[0].file, "devices.deny") && !strcmp(p.w[0].value, "a") &&
	       !strcmp(p.w[1].value, "c 10:229 rw") && !strcmp(p.w[p.n - 1].value, "c 10:200 rwm"),
	       "plan: devices deny a, config rules, defaults",
	       "rc=%d n=%zu %s", rc, p.n, p.n ? p.w[0].value : "-");
	for (i = 0; i < p.n; i++)
		if (strstr(p.w[i].value, "1:11"))
			break;
	tap(i == p.n, "plan: no rule for a linux.devices node (a deny-all keeps it denied)",
	    "%s", i < p.n ? p.w[i].value : "");
	for (i = 0; i < p.n; i++)
		if (!strcmp(p.w[i].value, "c 1:3 rwm"))
			break;
	tap(i < p.n, "plan: /dev/null allowed by default", "missing");
	v1_plan_free(&p);

	memset(&r, 0, sizeof(r));
	r.present = true;
	r.cpu.present = r.cpu.has_period = r.cpu.has_quota = r.cpu.has_shares = true;
	r.cpu.period = 100000;
	r.cpu.quota = 50000;
	r.cpu.shares = 512;
	r.pids.present = r.pids.has_limit = true;
	r.pids.limit = -1;
	rc = v1_plan_resources(&r, NULL, v1, &p, &err);
	for (i = 0; i < p.n && strcmp(p.w[i].file, "cpu.cfs_period_us"); i++)
		;
	tap(rc == 0 && i + 1 < p.n && p.w[i].defer && !strcmp(p.w[i + 1].file, "cpu.cfs_quota_us"),
	       "plan: cfs period (retried) before quota", "rc=%d", rc);
	tap(rc == 0 && !strcmp(p.w[p.n - 1].file, "pids.max") && !strcmp(p.w[p.n - 1].value, "max"),
	       "plan: pids.limit -1 is max", "%s", p.n ? p.w[p.n - 1].value : "-");
	v1_plan_free(&p);
	sk_cgroup_v1_free(v1);
}

int main(void)
{
	char proc[300], cmd[400];

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "/tmp/skiff-v1-test.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	fake_host();
	snprintf(proc, sizeof(proc), "%s/proc", tmp);
	v1_set_proc(proc);

	test_map();
	test_host();
	test_missing_controller();
	test_create_rollback();
	test_create_open_destroy();
	test_plan();

	v1_set_proc(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return tap_done();
}
