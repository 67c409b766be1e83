/* Unit tests for cgroups/cgroup.c and the v2 and hybrid drivers (cgroups/driver.h).
 *
 * Host safety: the test unshares its mount and cgroup namespaces and
 * remounts the cgroup2 hierarchy, so "/" of the hierarchy is the cgroup the
 * test started in.  It makes one base cgroup below that, and runs every case
 * in a child process cloned into the base (CLONE_INTO_CGROUP), so relative
 * paths land below the base too.  The test itself never moves out of its
 * cgroup, and removes everything it made.  Not root: every case is skipped.
 *
 * Output: "ok - name", "not ok - name: reason", then "N passed, N failed". */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "../../cgroups/v1.h"
#include "../../cgroups/v2.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Our own copy: <linux/sched.h> clashes with <sched.h> on some systems. */
struct t_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		 stack_size, tls, set_tid, set_tid_size, cgroup;
};

static int passed, failed;
static char mnt[64];      /* where the v2 hierarchy is mounted */
static char base[128];    /* base cgroup, hierarchy path ("/skiff-test-N") */

static void ok(const char *name)
{
	printf("ok - %s\n", name);
	passed++;
}

static void not_ok(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void not_ok(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed++;
}

#define CHECK(name, cond, ...) do { \
	if (cond) ok(name); else not_ok(name, __VA_ARGS__); \
} while (0)

static pid_t clone_into(int cgfd)
{
	struct t_clone_args a = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgfd,
	};

	fflush(stdout);
	fflush(stderr);
	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

/* A child that sleeps until killed; optionally writes a byte to `wfd`
 * every millisecond (so a test can tell whether it runs). */
static pid_t spawn_in(int cgfd, int wfd)
{
	pid_t pid = clone_into(cgfd);

	if (pid == 0) {
		struct timespec ts = { 0, 1000000 };

		for (;;) {
			if (wfd >= 0 && write(wfd, "x", 1) < 0 && errno != EAGAIN)
				_exit(3);
			nanosleep(&ts, NULL);
		}
	}
	return pid;
}

static bool exists(const char *hier_path)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", mnt, hier_path);
	return stat(p, &st) == 0;
}

static void rmdir_h(const char *hier_path)
{
	char p[512];

	snprintf(p, sizeof(p), "%s%s", mnt, hier_path);
	rmdir(p);
}

/* The "0::" path of /proc/<pid>/cgroup, or "" */
static void proc_cgroup(pid_t pid, char *out, size_t n)
{
	char file[64], line[512];
	FILE *f;

	out[0] = '\0';
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	f = fopen(file, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		size_t l;

		line[strcspn(line, "\n")] = '\0';
		l = strnlen(line + 3, n - 1);
		memcpy(out, line + 3, l);
		out[l] = '\0';
	}
	fclose(f);
}

static int wait_sig(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static size_t drain(int fd)
{
	char buf[4096];
	size_t total = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)r;
	return total;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_detect(void)
{
	enum sk_cgroup_mode m;
	const char *v2 = NULL;
	struct sk_error err = { 0 };

	if (sk_cgroup_detect(&m, &v2, &err) < 0) {
		not_ok("detect", "%s", err.msg);
		return;
	}
	CHECK("detect", m != SK_CGROUP_LEGACY && v2 && !strcmp(v2, mnt),
	      "mode %s mount %s", sk_cgroup_mode_name(m), v2 ? v2 : "(null)");
}

/* Empty cgroupsPath: <own cgroup>/<id>; a process cloned into it; pids;
 * freeze and thaw; signal_all; destroy. */
static void test_lifecycle(void)
{
	struct sk_config c = { 0 };
	struct sk_cgroup cg = { .dirfd = -1 };
	struct sk_error err = { 0 };
	char want[256], got[256];
	pid_t pid, *pids = NULL;
	size_t n = 0;
	int p[2];

	if (sk_cgroup_create(&c, "ctr1", &cg, &err) < 0) {
		not_ok("create with empty cgroupsPath", "%s", err.msg);
		return;
	}
	snprintf(want, sizeof(want), "%s/ctr1", base);
	CHECK("create with empty cgroupsPath", !strcmp(cg.path, want) && cg.owned &&
	      cg.dirfd >= 0 && exists(want), "path %s owned %d", cg.path, cg.owned);

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		not_ok("pipe", "%s", strerror(errno));
		return;
	}
	pid = spawn_in(cg.dirfd, p[1]);
	if (pid < 0) {
		not_ok("clone3 CLONE_INTO_CGROUP", "%s", strerror(errno));
		goto out;
	}
	proc_cgroup(pid, got, sizeof(got));
	CHECK("clone3 CLONE_INTO_CGROUP with dirfd", !strcmp(got, want),
	      "child in %s, want %s", got, want);

	if (sk_cgroup_pids(&cg, &pids, &n, &err) < 0)
		not_ok("pids", "%s", err.msg);
	else
		CHECK("pids", n == 1 && pids[0] == pid, "%zu pids, first %d", n,
		      n ? (int)pids[0] : 0);
	free(pids);

	CHECK("is_frozen before freeze", sk_cgroup_is_frozen(&cg) == 0, "not 0");
	if (sk_cgroup_freeze(&cg, true, &err) < 0) {
		not_ok("freeze", "%s", err.msg);
	} else {
		size_t got_bytes;

		drain(p[0]);
		sleep_ms(50);
		got_bytes = drain(p[0]);
		CHECK("freeze", sk_cgroup_is_frozen(&cg) == 1 && got_bytes == 0,
		      "is_frozen %d, child wrote %zu bytes while frozen",
		      sk_cgroup_is_frozen(&cg), got_bytes);
	}
	if (sk_cgroup_freeze(&cg, false, &err) < 0) {
		not_ok("thaw", "%s", err.msg);
	} else {
		sleep_ms(50);
		CHECK("thaw", sk_cgroup_is_frozen(&cg) == 0 && drain(p[0]) > 0,
		      "child does not run after thaw");
	}

	if (sk_cgroup_signal_all(&cg, SIGTERM, &err) < 0)
		not_ok("signal_all SIGTERM", "%s", err.msg);
	else {
		int s = wait_sig(pid);

		CHECK("signal_all SIGTERM", s == SIGTERM, "child ended with signal %d", s);
	}
	pid = spawn_in(cg.dirfd, -1);
	if (pid > 0) {
		if (sk_cgroup_signal_all(&cg, SIGKILL, &err) < 0)
			not_ok("signal_all SIGKILL", "%s", err.msg);
		else {
			int s = wait_sig(pid);

			CHECK("signal_all SIGKILL", s == SIGKILL, "child ended with signal %d", s);
		}
	}
out:
	close(p[0]);
	close(p[1]);
	if (sk_cgroup_destroy(&cg, &err) < 0)
		not_ok("destroy empty cgroup", "%s", err.msg);
	else
		CHECK("destroy empty cgroup", !exists(want), "%s still exists", want);
	sk_cgroup_release(&cg);
}

/* destroy with a process in the cgroup and one in a sub-cgroup it made. */
static void test_destroy_busy(void)
{
	struct sk_config c = { 0 };
	struct sk_cgroup cg = { .dirfd = -1 };
	struct sk_error err = { 0 };
	char sub[512];
	pid_t a, b;
	int subfd;

	c.linux.cgroups_path = "busy";
	if (sk_cgroup_create(&c, "x", &cg, &err) < 0) {
		not_ok("create with relative cgroupsPath", "%s", err.msg);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/busy", base);
	CHECK("create with relative cgroupsPath", !strcmp(cg.path, sub), "path %s", cg.path);

	a = spawn_in(cg.dirfd, -1);
	snprintf(sub, sizeof(sub), "%s/sub", cg.dir);
	if (a < 0 || mkdir(sub, 0755) < 0) {
		not_ok("destroy with processes", "setup: %s", strerror(errno));
		return;
	}
	subfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	b = subfd >= 0 ? spawn_in(subfd, -1) : -1;
	if (subfd >= 0)
		close(subfd);
	if (b < 0) {
		not_ok("destroy with processes", "setup: %s", strerror(errno));
		kill(a, SIGKILL);
		waitpid(a, NULL, 0);
		rmdir(sub);
		sk_cgroup_destroy(&cg, &err);
		sk_cgroup_release(&cg);
		return;
	}
	if (sk_cgroup_destroy(&cg, &err) < 0) {
		not_ok("destroy with processes and a sub-cgroup", "%s", err.msg);
		kill(a, SIGKILL);
		kill(b, SIGKILL);
		waitpid(a, NULL, 0);
		waitpid(b, NULL, 0);
	} else {
		int sa = wait_sig(a), sb = wait_sig(b);
		struct stat st;

		CHECK("destroy with processes and a sub-cgroup",
		      sa == SIGKILL && sb == SIGKILL && stat(cg.dir, &st) < 0,
		      "signals %d %d, dir %s", sa, sb,
		      stat(cg.dir, &st) ? "gone" : "still there");
	}
	CHECK("destroy twice", sk_cgroup_destroy(&cg, &err) == 0, "%s", err.msg);
	sk_cgroup_release(&cg);
}

/* Absolute path: parents are made; destroy removes the leaf only. */
static void test_absolute(void)
{
	struct sk_config c = { 0 };
	struct sk_cgroup cg = { .dirfd = -1 }, cg2 = { .dirfd = -1 }, op = { .dirfd = -1 };
	struct sk_error err = { 0 };
	char path[256], parent[256];

	snprintf(path, sizeof(path), "%s/abs/./a//b", base);
	snprintf(parent, sizeof(parent), "%s/abs/a", base);
	c.linux.cgroups_path = path;
	if (sk_cgroup_create(&c, "x", &cg, &err) < 0) {
		not_ok("create with absolute cgroupsPath", "%s", err.msg);
		return;
	}
	snprintf(path, sizeof(path), "%s/abs/a/b", base);
	CHECK("create with absolute cgroupsPath", !strcmp(cg.path, path) && cg.owned &&
	      exists(path), "path %s", cg.path);

	c.linux.cgroups_path = path;
	if (sk_cgroup_create(&c, "x", &cg2, &err) < 0)
		not_ok("reuse an empty existing cgroup", "%s", err.msg);
	else {
		CHECK("reuse an empty existing cgroup", !cg2.owned, "owned is true");
		sk_cgroup_destroy(&cg2, &err);
		CHECK("destroy leaves a cgroup it did not make", exists(path),
		      "%s removed", path);
		sk_cgroup_release(&cg2);
	}

	if (sk_cgroup_open(cg.dir, true, NULL, &op, &err) < 0)
		not_ok("open", "%s", err.msg);
	else
		CHECK("open", !strcmp(op.path, path) && op.dirfd >= 0, "path %s", op.path);
	sk_cgroup_release(&op);

	/* On a hybrid host the v1 driver mirrors the path in each v1
	 * hierarchy: note the parents it made there, to remove them too. */
	static const char *const ctrls[] = { "cpu", "cpuacct", "cpuset", "memory", "devices",
					     "freezer", "blkio", "pids", "hugetlb", "net_cls",
					     "net_prio", "perf_event", "rdma", "misc", "name=systemd" };
	char v1_parents[SK_ARRAY_SIZE(ctrls)][512] = { { 0 } };

	for (size_t i = 0; cg.mode != SK_CGROUP_UNIFIED && cg.priv && i < SK_ARRAY_SIZE(ctrls); i++) {
		const char *d = sk_cgroup_v1_dir(cg.priv, ctrls[i]);

		if (d)
			snprintf(v1_parents[i], sizeof(v1_parents[i]), "%s", d);
	}
	if (sk_cgroup_destroy(&cg, &err) < 0)
		not_ok("destroy removes the leaf only", "%s", err.msg);
	else
		CHECK("destroy removes the leaf only", !exists(path) && exists(parent),
		      "leaf %d parent %d", exists(path), exists(parent));
	sk_cgroup_release(&cg);
	rmdir_h(parent);
	snprintf(parent, sizeof(parent), "%s/abs", base);
	rmdir_h(parent);
	for (size_t i = 0; i < SK_ARRAY_SIZE(ctrls); i++) {
		/* <v1 mount>/skiff-test-N/abs/a/b (absolute: below the
		 * hierarchy's root): remove a, abs and skiff-test-N */
		for (int up = 0; up < 3 && v1_parents[i][0]; up++) {
			char *slash = strrchr(v1_parents[i], '/');

			if (!slash)
				break;
			*slash = '\0';
			rmdir(v1_parents[i]);
		}
	}
}

static void test_errors(void)
{
	struct sk_config c = { 0 };
	struct sk_cgroup cg = { .dirfd = -1 }, cg2 = { .dirfd = -1 };
	struct sk_error err = { 0 };
	struct sk_device_rule deny = { .allow = false, .access = "rwm" };
	char path[256], p1[256];
	pid_t pid;
	int rc;

	/* ".." */
	snprintf(path, sizeof(path), "%s/dots/../x", base);
	c.linux.cgroups_path = path;
	snprintf(p1, sizeof(p1), "%s/dots", base);
	CHECK("\"..\" is refused", sk_cgroup_create(&c, "x", &cg, &err) < 0 &&
	      strstr(err.msg, "..") && !exists(p1), "%s", err.msg);
	c.linux.cgroups_path = "../up";
	CHECK("relative \"..\" is refused", sk_cgroup_create(&c, "x", &cg, &err) < 0,
	      "accepted");

	/* a failure deep down removes the levels made on the way */
	snprintf(path, sizeof(path), "%s/p1/p2/cgroup.procs/x", base);
	c.linux.cgroups_path = path;
	snprintf(p1, sizeof(p1), "%s/p1", base);
	CHECK("failed create removes the parents it made",
	      sk_cgroup_create(&c, "x", &cg, &err) < 0 && !exists(p1),
	      "create succeeded or %s left behind", p1);

	/* resources */
	c.linux.cgroups_path = NULL;
	c.linux.resources.present = true;
	c.linux.resources.devices = &deny;
	c.linux.resources.n_devices = 1;
	if (sk_cgroup_create(&c, "dev", &cg, &err) < 0)
		not_ok("devices rules are accepted", "%s", err.msg);
	else {
		ok("devices rules are accepted");
		sk_cgroup_destroy(&cg, &err);
		sk_cgroup_release(&cg);
	}
	c.linux.resources.memory.present = true;
	c.linux.resources.memory.has_limit = true;
	c.linux.resources.memory.limit = 1 << 20;
	snprintf(p1, sizeof(p1), "%s/mem", base);
	/* applied (a driver with the controller), or refused naming the field
	 * and leaving nothing behind */
	err.msg[0] = '\0';
	rc = sk_cgroup_create(&c, "mem", &cg, &err);
	CHECK("memory.limit is applied or refused", rc == 0 ||
	      (strstr(err.msg, "memory") && !exists(p1)), "%s", err.msg);
	if (rc == 0) {
		sk_cgroup_destroy(&cg, &err);
		sk_cgroup_release(&cg);
	}
	c.linux.resources.memory.has_limit = false;
	c.linux.resources.pids.present = true;
	c.linux.resources.pids.has_limit = true;
	err.msg[0] = '\0';
	rc = sk_cgroup_create(&c, "mem", &cg, &err);
	CHECK("pids.limit is applied or refused", rc == 0 ||
	      (strstr(err.msg, "linux.resources.") && !exists(p1)), "%s", err.msg);
	if (rc == 0) {
		sk_cgroup_destroy(&cg, &err);
		sk_cgroup_release(&cg);
	}
	memset(&c.linux.resources, 0, sizeof(c.linux.resources));

	/* an existing cgroup with a process in it */
	if (sk_cgroup_create(&c, "inuse", &cg, &err) < 0) {
		not_ok("in-use cgroup is refused", "%s", err.msg);
		return;
	}
	pid = spawn_in(cg.dirfd, -1);
	if (pid < 0) {
		not_ok("in-use cgroup is refused", "clone3: %s", strerror(errno));
	} else {
		int r = sk_cgroup_create(&c, "inuse", &cg2, &err);

		CHECK("in-use cgroup is refused", r < 0 && strstr(err.msg, "already in use") &&
		      exists(cg.path), "%s", r < 0 ? err.msg : "accepted");
		if (r == 0)
			sk_cgroup_release(&cg2);
	}
	if (sk_cgroup_destroy(&cg, &err) < 0)
		not_ok("destroy in-use cgroup", "%s", err.msg);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	sk_cgroup_release(&cg);
}

/* Runs in the child; reports its counts to the parent over `fd`. */
static int run_cases(int fd)
{
	int counts[2];

	test_detect();
	test_lifecycle();
	test_destroy_busy();
	test_absolute();
	test_errors();
	fflush(stdout);
	counts[0] = passed;
	counts[1] = failed;
	return write(fd, counts, sizeof(counts)) == sizeof(counts) ? 0 : 1;
}

/* Remove a cgroup tree depth first (cgroup files cannot be unlinked). */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d))) {
			char sub[1024];

			if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(dir);
}

static void skip_all(const char *reason)
{
	printf("ok - cgroup # SKIP %s\n", reason);
	printf("%d passed, %d failed\n", passed + 1, failed);
	exit(failed ? 1 : 0);
}

/* skiff computes cpu.weight without libm: the same integers as libm's
 * log2/pow/ceil (runc's and crun's formula) for every cpu.shares. */
static void test_shares_to_weight(void)
{
	uint64_t bad = 0, first = 0;

	for (uint64_t s = 3; s < 262144; s++) {
		double l = log2((double)s);
		uint64_t want = (uint64_t)ceil(pow(10, (l * l + 125 * l) / 612.0 - 7.0 / 34.0));

		if (sk_cgroup_shares_to_weight(s) != want && !bad++)
			first = s;
	}
	CHECK("cpu.shares -> cpu.weight equals libm's over 3..262143", !bad,
	      "%" PRIu64 " differ, first at shares %" PRIu64 ": %" PRIu64, bad, first,
	      sk_cgroup_shares_to_weight(first));
	CHECK("cpu.shares -> cpu.weight ends: 0 1 2 1024 262144 and above",
	      sk_cgroup_shares_to_weight(0) == 0 && sk_cgroup_shares_to_weight(1) == 1 &&
		      sk_cgroup_shares_to_weight(2) == 1 && sk_cgroup_shares_to_weight(1024) == 100 &&
		      sk_cgroup_shares_to_weight(262144) == 10000 &&
		      sk_cgroup_shares_to_weight(1u << 30) == 10000,
	      "got %" PRIu64 " %" PRIu64 " %" PRIu64, sk_cgroup_shares_to_weight(2),
	      sk_cgroup_shares_to_weight(1024), sk_cgroup_shares_to_weight(262144));
}

/* The controllers one check lists stay its own when another check runs
 * (unified keys name them by string: each list keeps its copies). */
static void test_check_twice(void)
{
	struct sk_kv k1 = { "misc.max", "a 1" }, k2 = { "rdma.max", "b 1" };
	struct sk_resources r1 = { .present = true, .unified = &k1, .n_unified = 1 };
	struct sk_resources r2 = { .present = true, .unified = &k2, .n_unified = 1 };
	struct sk_cg_ctrls n1, n2;
	struct sk_error err;
	int a = sk_cg2_check(&r1, &n1, &err), b = sk_cg2_check(&r2, &n2, &err);

	CHECK("a second check leaves the first one's controllers alone",
	      a == 0 && b == 0 && n1.n == 1 && n2.n == 1 && !strcmp(n1.name[0], "misc") &&
		      !strcmp(n2.name[0], "rdma"),
	      "%d %d: %s, %s", a, b, n1.n ? n1.name[0] : "-", n2.n ? n2.name[0] : "-");
}

static bool is_cgroup2(const char *p)
{
	struct statfs s;

	return statfs(p, &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

int main(void)
{
	char dir[256];
	int basefd, st, p[2], counts[2] = { 0, 0 };
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_shares_to_weight();
	test_check_twice();
	if (geteuid() != 0)
		skip_all("not root");
	if (is_cgroup2("/sys/fs/cgroup"))
		snprintf(mnt, sizeof(mnt), "/sys/fs/cgroup");
	else if (is_cgroup2("/sys/fs/cgroup/unified"))
		snprintf(mnt, sizeof(mnt), "/sys/fs/cgroup/unified");
	else
		skip_all("no cgroup v2 hierarchy on this host");

	/* Our own view of the hierarchy, rooted at the cgroup we are in. */
	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		skip_all("cannot unshare mount and cgroup namespaces");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    umount2(mnt, MNT_DETACH) < 0 ||
	    mount("cgroup2", mnt, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		printf("not ok - remount cgroup2 on %s: %s\n0 passed, 1 failed\n", mnt,
		       strerror(errno));
		return 1;
	}

	snprintf(base, sizeof(base), "/skiff-test-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s%s", mnt, base);
	if (pipe2(p, O_CLOEXEC) < 0 || mkdir(dir, 0755) < 0) {
		printf("not ok - setup %s: %s\n0 passed, 1 failed\n", dir, strerror(errno));
		return 1;
	}
	basefd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid = basefd >= 0 ? clone_into(basefd) : -1;
	if (pid == 0) {
		close(p[0]);
		_exit(run_cases(p[1]));
	}
	close(p[1]);
	if (pid < 0) {
		printf("not ok - clone3 into %s: %s\n0 passed, 1 failed\n", dir, strerror(errno));
		rmdir(dir);
		return 1;
	}
	close(basefd);
	if (read(p[0], counts, sizeof(counts)) != sizeof(counts)) {
		counts[0] = passed;
		counts[1] = 0;
	}
	passed = counts[0];
	failed = counts[1];
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		not_ok("test process", "did not finish cleanly (status %d)", st);
	if (rmdir(dir) < 0) {
		not_ok("nothing left behind", "%s: %s", dir, strerror(errno));
		rm_tree(dir);
	} else {
		ok("nothing left behind");
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
