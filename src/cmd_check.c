/* skiff check [--json]: what this host can and cannot do for skiff.
 *
 * Each fact is one line: "ok", "missing" (a feature skiff can do without
 * for a default container, with what it costs and the fix) or "blocked"
 * (skiff cannot run a default container here: the blocker and the fix).
 * The exit status is 0 when nothing is blocked.
 *
 * Probes are cheap and leave nothing behind: the ones that change the
 * state of a process (unshare, setresuid, clone3 into a cgroup) run in a
 * short-lived child killed after a bound (probe_child()); nothing is
 * mounted or attached (an id-mapped mount is made detached and dropped). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "skiff.h"
#include "skiff/json.h"
#include "skiff/linux_api.h"
#include "skiff/util.h"

#define CG_ROOT "/sys/fs/cgroup"
#define PROBE_MS 5000

enum fact_status { FACT_OK, FACT_MISSING, FACT_BLOCKED };
static const char *const status_names[] = { "ok", "missing", "blocked" };

struct fact {
	const char *name;
	enum fact_status status;
	char value[512];          /* what was found, or the blocker */
	char fix[512];            /* empty when ok */
};

struct check {
	struct fact facts[32];
	size_t n;
	bool rootless;
	uid_t uid;
	char user[64];
	char v2_mount[64];        /* "" when no cgroup2 */
	char own_cgroup[512];     /* the "0::" path */
};

static struct fact *add(struct check *c, const char *name, enum fact_status st,
			const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct fact *add(struct check *c, const char *name, enum fact_status st,
			const char *fix, const char *fmt, ...)
{
	struct fact *f = &c->facts[c->n < SK_ARRAY_SIZE(c->facts) ? c->n++ : c->n - 1];
	va_list ap;

	f->name = name;
	f->status = st;
	va_start(ap, fmt);
	vsnprintf(f->value, sizeof(f->value), fmt, ap);
	va_end(ap);
	snprintf(f->fix, sizeof(f->fix), "%s", st == FACT_OK || !fix ? "" : fix);
	return f;
}

/* ---- helpers ---- */

/* Run fn in a child (its state changes die with it), bounded by PROBE_MS:
 * fn's return value (0..255), or -1 when the child could not be made or
 * did not finish in time (it is killed). */
static int probe_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st, pfd, r = -1;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		_exit(fn(arg) & 0xff);
	}
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		if (poll(&p, 1, PROBE_MS) <= 0)
			kill(pid, SIGKILL);
		close(pfd);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		r = WEXITSTATUS(st);
	return r;
}

/* A small integer from a /proc/sys file; -1 when the file does not exist. */
static long long read_sysctl(const char *path)
{
	_cleanup_free_ char *s = NULL;
	struct sk_error err;
	long long v;

	if (sk_read_file_at(AT_FDCWD, path, &s, NULL, 64, &err) < 0)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	return sk_parse_long(s, &v) < 0 ? -1 : v;
}

static bool is_fs(const char *path, long magic)
{
	struct statfs s;

	return statfs(path, &s) == 0 && (long)s.f_type == magic;
}

/* The executable `name` in $PATH (or the usual sbin dirs), into out. */
static bool find_exe(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = sk_xasprintf("%s:/usr/sbin:/sbin:/usr/bin:/bin", path ? path : "");
	char *save = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/%s", *d ? d : ".", name);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

/* ---- cgroups ---- */

/* Rootless in a writable cgroup2 cgroup: which of the limits' controllers
 * its parent passed down (systemd's user@.service delegates only memory
 * and pids by default). */
static void check_delegated_ctrls(struct check *c, const char *path, const char *avail)
{
	static const char *const want[] = { "memory", "pids", "cpu", "io" };
	char missing[64] = "";
	size_t n = 0;

	for (size_t i = 0; i < SK_ARRAY_SIZE(want); i++) {
		size_t k = strlen(want[i]);
		const char *p = avail;

		while (p && (p = strstr(p, want[i])) && ((p != avail && p[-1] != ' ') || (p[k] && p[k] != ' ')))
			p += k;
		if (!p)
			n += (size_t)snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? " " : "", want[i]);
	}
	if (n)
		add(c, "cgroup.delegation", FACT_MISSING,
		    "delegate them: as root, echo +CONTROLLER >PARENT/cgroup.subtree_control; with systemd: "
		    "a drop-in /etc/systemd/system/user@.service.d/delegate.conf with [Service] "
		    "Delegate=cpu cpuset io memory pids, then systemctl daemon-reload",
		    "%s is writable by uid %u, but its parent does not pass it the %s controller%s: "
		    "those limits cannot be set", path, (unsigned)c->uid, missing, strchr(missing, ' ') ? "s" : "");
	else
		add(c, "cgroup.delegation", FACT_OK, NULL, "%s is writable by uid %u (delegated, "
		    "with memory pids cpu io)", path, (unsigned)c->uid);
}

static void check_cgroup(struct check *c)
{
	static const char *const v1[] = { "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio",
					  "devices", "freezer", "hugetlb", "net_cls", "perf_event",
					  "rdma", "misc" };
	char v1_list[256] = "", ctrls[512] = "", path[1024];
	_cleanup_free_ char *procs = NULL, *avail = NULL;
	struct sk_error err;
	const char *mode;
	size_t n = 0;

	if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC))
		snprintf(c->v2_mount, sizeof(c->v2_mount), "%s", CG_ROOT);
	else if (is_fs(CG_ROOT "/unified", CGROUP2_SUPER_MAGIC))
		snprintf(c->v2_mount, sizeof(c->v2_mount), "%s", CG_ROOT "/unified");
	for (size_t i = 0; !is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC) && i < SK_ARRAY_SIZE(v1); i++) {
		snprintf(path, sizeof(path), CG_ROOT "/%s", v1[i]);
		if (is_fs(path, CGROUP_SUPER_MAGIC)) {
			n += (size_t)snprintf(v1_list + n, sizeof(v1_list) - n, "%s%s", n ? " " : "", v1[i]);
			if (n >= sizeof(v1_list))
				n = sizeof(v1_list) - 1;
		}
	}
	if (!*c->v2_mount && !*v1_list) {
		add(c, "cgroup", c->rootless ? FACT_MISSING : FACT_BLOCKED,
		    "mount the cgroup2 hierarchy: mount -t cgroup2 none " CG_ROOT
		    " (or run skiff with --cgroup-manager disabled: no limits)",
		    "no cgroup hierarchy mounted at " CG_ROOT "%s",
		    c->rootless ? " (rootless: skiff runs with --cgroup-manager disabled)" : "");
		return;
	}
	mode = !*v1_list ? "unified" : *c->v2_mount ? "hybrid" : "legacy";
	add(c, "cgroup", FACT_OK, NULL, "%s%s%s%s%s", mode,
	    *c->v2_mount ? ": cgroup2 at " : "", c->v2_mount,
	    *v1_list ? (*c->v2_mount ? ", v1 " : ": v1 ") : "", v1_list);

	/* the caller's cgroup in the v2 hierarchy and what it may use there */
	if (sk_read_file_at(AT_FDCWD, "/proc/self/cgroup", &procs, NULL, 65536, &err) == 0) {
		for (char *l = procs; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
			if (sk_str_has_prefix(l, "0::")) {
				snprintf(c->own_cgroup, sizeof(c->own_cgroup), "%.*s",
					 (int)strcspn(l + 3, "\n"), l + 3);
				break;
			}
	}
	if (!*c->v2_mount) {
		add(c, "cgroup.controllers", FACT_OK, NULL, "v1: %s", v1_list);
		return;
	}
	snprintf(path, sizeof(path), "%s%s/cgroup.controllers", c->v2_mount, c->own_cgroup);
	if (sk_read_file_at(AT_FDCWD, path, &avail, NULL, 4096, &err) == 0)
		avail[strcspn(avail, "\n")] = '\0';
	snprintf(ctrls, sizeof(ctrls), "%s%s%s%s%s", avail && *avail ? "cgroup2: " : "cgroup2: none",
		 avail ? avail : "", *v1_list ? "; v1: " : "", v1_list,
		 *v1_list ? " (limits go to v1)" : "");
	add(c, "cgroup.controllers", FACT_OK, NULL, "%s", ctrls);

	/* delegation: can the caller make a cgroup below its own, with the
	 * controllers of the limits? */
	snprintf(path, sizeof(path), "%s%s", c->v2_mount, c->own_cgroup);
	if (!c->rootless)
		add(c, "cgroup.delegation", FACT_OK, NULL, "%s is writable by uid %u", path, (unsigned)c->uid);
	else if (access(path, W_OK) != 0)
		add(c, "cgroup.delegation", FACT_MISSING,
		    "start skiff in a delegated cgroup: systemd-run --user --scope -p Delegate=yes skiff ...,"
		    " or as root: chown -R USER " CG_ROOT "/...",
		    "%s is not writable by uid %u: limits need --cgroup-manager disabled (no limits)",
		    path, (unsigned)c->uid);
	else if (*v1_list)
		add(c, "cgroup.delegation", FACT_MISSING,
		    "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2 only), then delegate a cgroup",
		    "%s is writable by uid %u, but the limits go to the v1 hierarchies (%s), which are not "
		    "delegated: limits need --cgroup-manager disabled (no limits)", path, (unsigned)c->uid,
		    v1_list);
	else
		check_delegated_ctrls(c, path, avail);
}

static void check_systemd(struct check *c)
{
	struct stat st;

	if (stat("/run/systemd/system", &st) == 0)
		add(c, "systemd", FACT_OK, NULL, "running (--systemd-cgroup can be used)");
	else
		add(c, "systemd", FACT_MISSING,
		    "none needed: skiff manages cgroups itself (cgroupfs)",
		    "not running (/run/systemd/system missing): --systemd-cgroup cannot be used");
}

/* ---- user namespaces ---- */

struct userns_probe { uid_t as_uid; };

/* In the child: become as_uid (when root), make a user namespace, map the
 * own uid, make a mount namespace in it (what AppArmor's restriction
 * forbids).  Exit code: 0, or the step that failed (1..4) * 32 + errno. */
static int probe_userns(void *arg)
{
	const struct userns_probe *p = arg;
	char map[64];
	uid_t uid;
	int fd;

	if (p->as_uid != (uid_t)-1 && (setgroups(0, NULL) < 0 || setresgid(p->as_uid, p->as_uid, p->as_uid) < 0 ||
				      setresuid(p->as_uid, p->as_uid, p->as_uid) < 0))
		return 0xff;
	/* a uid change made it undumpable: its /proc files are root's */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	uid = geteuid();
	if (unshare(CLONE_NEWUSER) < 0)
		return errno == ENOSPC ? 1 : errno == EPERM ? 2 : 3;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		return 4;
	close(fd);
	if (unshare(CLONE_NEWNS) < 0)
		return 5;
	return 0;
}

/* Why an unprivileged user namespace fails: the switches, in order. */
static struct fact *userns_blocker(struct check *c, const char *name, enum fact_status st, int r)
{
	long long clone_ok = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone");
	long long max = read_sysctl("/proc/sys/user/max_user_namespaces");
	long long aa = read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");

	if (r == 0xff)
		return add(c, name, st, "run skiff check as the unprivileged user",
			   "not probed: nobody's uid is not mapped here");
	if (max == 0 || r == 1)
		return add(c, name, st, "sysctl -w user.max_user_namespaces=15000 "
			   "(and in /etc/sysctl.d/ to keep it)",
			   "the user namespace limit is reached: user.max_user_namespaces is %lld%s", max,
			   max ? " here: an outer user namespace's limit is reached" : "");
	if (clone_ok == 0)
		return add(c, name, st, "sysctl -w kernel.unprivileged_userns_clone=1 "
			   "(and in /etc/sysctl.d/ to keep it)",
			   "kernel.unprivileged_userns_clone is 0: unprivileged user namespaces are off");
	if (aa == 1 && r == 5)
		return add(c, name, st, "an AppArmor profile for skiff allowing it: /etc/apparmor.d/skiff "
			   "with 'abi <abi/4.0>, profile skiff /usr/local/bin/skiff flags=(unconfined) { userns, }'"
			   " (or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)",
			   "kernel.apparmor_restrict_unprivileged_userns is 1: AppArmor denies capabilities "
			   "in unprivileged user namespaces");
	if (r < 0)
		return add(c, name, st, "check the kernel log", "the probe did not finish");
	return add(c, name, st, "a kernel with CONFIG_USER_NS=y and user namespaces allowed",
		   "cannot make a usable user namespace (probe step %d failed)", r);
}

static uid_t nobody_uid(void)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
	char line[512];

	while (f && fgets(line, sizeof(line), f))
		if (sk_str_has_prefix(line, "nobody:")) {
			char *p = strchr(line + 7, ':');

			return p ? (uid_t)strtoul(p + 1, NULL, 10) : 65534;
		}
	return 65534;
}

static void check_userns(struct check *c)
{
	struct userns_probe p = { .as_uid = (uid_t)-1 };
	int r;

	if (access("/proc/self/ns/user", F_OK) != 0) {
		add(c, "userns", c->rootless ? FACT_BLOCKED : FACT_MISSING,
		    "a kernel with CONFIG_USER_NS=y", "the kernel has no user namespaces");
		return;
	}
	r = probe_child(probe_userns, &p);
	if (r == 0)
		add(c, "userns", FACT_OK, NULL, "user namespaces can be made by uid %u", (unsigned)c->uid);
	else
		userns_blocker(c, "userns", c->rootless ? FACT_BLOCKED : FACT_MISSING, r);
	if (c->rootless)
		return;
	/* root: could an unprivileged user run skiff rootless? */
	p.as_uid = nobody_uid();
	r = probe_child(probe_userns, &p);
	if (r == 0)
		add(c, "userns.unprivileged", FACT_OK, NULL, "unprivileged users can make user namespaces "
		    "(rootless skiff works)");
	else
		userns_blocker(c, "userns.unprivileged", FACT_MISSING, r);
}

/* newuidmap/newgidmap: installed and setuid root (or with file capabilities). */
static void check_idmap_helpers(struct check *c)
{
	static const char *const names[] = { "newuidmap", "newgidmap" };
	char path[512];
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		const char *fact = i ? "newgidmap" : "newuidmap";

		if (!find_exe(names[i], path, sizeof(path)) || stat(path, &st) < 0)
			add(c, fact, FACT_MISSING, "apt-get install uidmap (or dnf install shadow-utils)",
			    "%s not found: rootless containers map only the caller's own id", names[i]);
		else if (!(st.st_mode & S_ISUID) && getxattr(path, "security.capability", NULL, 0) < 0)
			add(c, fact, FACT_MISSING, "chmod u+s (or setcap cap_setuid+ep) on the binary",
			    "%s is neither setuid nor has file capabilities", path);
		else
			add(c, fact, FACT_OK, NULL, "%s", path);
	}
}

/* /etc/subuid and /etc/subgid ranges of the caller (by name or uid). */
static void check_subids(struct check *c)
{
	static const char *const files[] = { "/etc/subuid", "/etc/subgid" };
	char uidstr[16];

	snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)c->uid);
	for (size_t i = 0; i < 2; i++) {
		_cleanup_fclose_ FILE *f = fopen(files[i], "re");
		char line[256], found[256] = "", fix[128];
		size_t n = 0;

		snprintf(fix, sizeof(fix), "usermod --add-sub%cids 100000-165535 %s", i ? 'g' : 'u', c->user);
		while (f && fgets(line, sizeof(line), f)) {
			size_t k = strcspn(line, ":");

			if (line[k] != ':' || ((strncmp(line, c->user, k) || strlen(c->user) != k) &&
			    (strncmp(line, uidstr, k) || strlen(uidstr) != k)))
				continue;
			line[strcspn(line, "\n")] = '\0';
			n += (size_t)snprintf(found + n, sizeof(found) - n, "%s%s", n ? ", " : "", line + k + 1);
			if (n >= sizeof(found))
				n = sizeof(found) - 1;
		}
		if (!*found && !c->rootless)
			add(c, i ? "subgid" : "subuid", FACT_OK, NULL,
			    "%s has no range for %s (root needs none)", files[i], c->user);
		else if (*found)
			add(c, i ? "subgid" : "subuid", FACT_OK, NULL, "%s: %s has %s", files[i], c->user, found);
		else
			add(c, i ? "subgid" : "subuid", FACT_MISSING,
			    fix,
			    "%s has no range for %s (uid %u): rootless containers map only the caller's own id",
			    files[i], c->user, (unsigned)c->uid);
	}
}

/* ---- syscalls ---- */

static void check_syscalls(struct check *c)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS };
	struct mount_attr attr = { 0 };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd >= 0) {
		close(fd);
		add(c, "openat2", FACT_OK, NULL, "available (paths in a rootfs resolved by the kernel)");
	} else {
		add(c, "openat2", FACT_MISSING, "Linux >= 5.6",
		    "not available (%s): skiff resolves rootfs paths component by component", strerror(errno));
	}
	if (mount_setattr(-1, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 && errno == ENOSYS)
		add(c, "mount_setattr", FACT_MISSING, "Linux >= 5.12",
		    "not available: no recursive read-only mounts, no id-mapped mounts");
	else
		add(c, "mount_setattr", FACT_OK, NULL, "available");
	if (syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS)
		add(c, "clone3", FACT_BLOCKED, "Linux >= 5.3 (5.7 for CLONE_INTO_CGROUP)",
		    "clone3 is not available: skiff starts every container with it");
	else
		add(c, "clone3", FACT_OK, NULL, "available");
	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd >= 0) {
		close(fd);
		add(c, "pidfd", FACT_OK, NULL, "available (pidfd_open, pidfd_send_signal)");
	} else {
		add(c, "pidfd", FACT_BLOCKED, "Linux >= 5.3",
		    "pidfd_open failed (%s): skiff tracks container processes by pidfd", strerror(errno));
	}
}

/* clone3(CLONE_INTO_CGROUP) of a child into the prober's own cgroup
 * (no change: it is there already). */
static int probe_into_cgroup(void *arg)
{
	const struct check *c = arg;
	char path[1024];
	struct clone_args ca = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	int fd;
	long pid;

	snprintf(path, sizeof(path), "%s%s", c->v2_mount, c->own_cgroup);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	ca.cgroup = (unsigned)fd;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno == EACCES || errno == EPERM ? 2 : 3;
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

static void check_into_cgroup(struct check *c)
{
	int r;

	if (!*c->v2_mount) {
		add(c, "clone_into_cgroup", FACT_MISSING, "a cgroup2 hierarchy (Linux >= 5.7)",
		    "no cgroup2 hierarchy: skiff attaches the init by pid");
		return;
	}
	r = probe_child(probe_into_cgroup, c);
	if (r == 0)
		add(c, "clone_into_cgroup", FACT_OK, NULL, "clone3(CLONE_INTO_CGROUP) works");
	else
		add(c, "clone_into_cgroup", FACT_MISSING,
		    r == 2 ? "a delegated cgroup (see cgroup.delegation)" : "Linux >= 5.7",
		    "clone3(CLONE_INTO_CGROUP) %s: skiff attaches the init by pid",
		    r == 2 ? "is not permitted in the caller's cgroup" : "failed");
}

/* An id-mapped mount (detached, never attached) of / with a user
 * namespace made by a grandchild. */
static int probe_idmap(void *arg)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	int go[2], ready[2], tree, nsfd = -1, r = 0;
	char path[64], b = 0;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		b = unshare(CLONE_NEWUSER) < 0;
		if (write(ready[1], &b, 1) < 0 || b)
			_exit(1);
		while (read(go[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &b, 1) != 1 || b)
		r = 1;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (!r && (nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		r = 2;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (!r && sk_write_all(open(path, O_WRONLY | O_CLOEXEC), "0 100000 65536\n", 15) < 0)
		r = 2;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	if (!r && sk_write_all(open(path, O_WRONLY | O_CLOEXEC), "0 100000 65536\n", 15) < 0)
		r = 2;
	close(go[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (r)
		return r;
	tree = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return 3;
	attr.userns_fd = (unsigned)nsfd;
	return mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 ?
	       (errno == EINVAL ? 4 : 5) : 0;
}

static void check_idmap(struct check *c)
{
	struct statfs s;
	int r;

	if (c->rootless) {
		add(c, "idmapped_mounts", FACT_MISSING, "run as root",
		    "not probed: id-mapped mounts of host directories need root");
		return;
	}
	r = probe_child(probe_idmap, NULL);
	statfs("/", &s);
	if (r == 0)
		add(c, "idmapped_mounts", FACT_OK, NULL, "supported (probed on /, filesystem 0x%lx)",
		    (unsigned long)s.f_type);
	else
		add(c, "idmapped_mounts", FACT_MISSING,
		    "Linux >= 5.12 and a filesystem that supports them (ext4, xfs, btrfs; tmpfs >= 6.3)",
		    "not supported: %s (filesystem of / 0x%lx)",
		    r == 4 ? "the filesystem refuses them" : r == 3 ? "open_tree failed" :
		    "the user namespace could not be made", (unsigned long)s.f_type);
}

static void check_seccomp(struct check *c)
{
	__u32 action = SECCOMP_RET_USER_NOTIF;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
		add(c, "seccomp", FACT_MISSING, "a kernel with CONFIG_SECCOMP_FILTER=y",
		    "the kernel has no seccomp: configs with linux.seccomp are refused");
		add(c, "seccomp.notify", FACT_MISSING, "Linux >= 5.0 with CONFIG_SECCOMP_FILTER=y",
		    "no seccomp");
		return;
	}
	add(c, "seccomp", FACT_OK, NULL, "filters available");
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
		add(c, "seccomp.notify", FACT_OK, NULL, "SECCOMP_RET_USER_NOTIF available");
	else
		add(c, "seccomp.notify", FACT_MISSING, "Linux >= 5.0",
		    "SECCOMP_RET_USER_NOTIF not available: SCMP_ACT_NOTIFY rules are refused");
}

static void check_timens(struct check *c)
{
	if (access("/proc/self/ns/time", F_OK) == 0)
		add(c, "timens", FACT_OK, NULL, "time namespaces available");
	else
		add(c, "timens", FACT_MISSING, "Linux >= 5.6 with CONFIG_TIME_NS=y",
		    "no time namespaces: configs with a time namespace are refused");
}

/* The basic namespaces of a default container (in a user namespace when
 * rootless, as `skiff spec --rootless` has it). */
static int probe_namespaces(void *arg)
{
	const struct check *c = arg;
	int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;

	if (c->rootless)
		flags |= CLONE_NEWUSER;
	else
		flags |= CLONE_NEWNET;
	return unshare(flags) < 0 ? (errno & 0xff) : 0;
}

static void check_namespaces(struct check *c)
{
	int r = probe_child(probe_namespaces, c);

	if (r == 0)
		add(c, "namespaces", FACT_OK, NULL, "mount, pid, ipc, uts%s can be made",
		    c->rootless ? " (in a user namespace)" : ", network");
	else
		add(c, "namespaces", FACT_BLOCKED, c->rootless ? "see userns" :
		    "run skiff on the host or in a container with CAP_SYS_ADMIN",
		    "cannot make the namespaces of a default container: %s",
		    r > 0 ? strerror(r) : "the probe did not finish");
}

/* CRIU: installed, and `criu check` (bounded). */
struct criu_probe { const char *path; int out; };

static int run_criu_check(void *arg)
{
	const struct criu_probe *p = arg;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	dup2(null, 0);
	dup2(p->out, 1);
	dup2(p->out, 2);
	execl(p->path, "criu", "check", (char *)NULL);
	return 127;
}

static void check_criu(struct check *c)
{
	char path[512], out[4096], *line;
	struct criu_probe cp = { .path = path };
	int r, p[2];
	ssize_t n;

	if (!find_exe("criu", path, sizeof(path))) {
		add(c, "criu", FACT_MISSING, "apt-get install criu",
		    "criu not found (checkpoint and restore need it)");
		return;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		p[0] = p[1] = -1;
	cp.out = p[1];
	r = probe_child(run_criu_check, &cp);
	close(p[1]);
	/* its first error line says why (a pipe holds more than it writes) */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	out[n > 0 ? n : 0] = '\0';
	line = strstr(out, "Error") ? strstr(out, "Error") : out;
	line[strcspn(line, "\n")] = '\0';
	if (r == 0)
		add(c, "criu", FACT_OK, NULL, "%s: criu check passed (checkpoint and restore can be used)", path);
	else
		add(c, "criu", FACT_MISSING, "run criu check and follow what it says",
		    "%s: criu check %s%s%s", path, r < 0 ? "did not finish in time" : "failed",
		    *line ? ": " : "", line);
}

/* ---- output ---- */

static void kstr(yajl_gen g, const char *k, const char *v)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
	if (v)
		yajl_gen_string(g, (const unsigned char *)v, strlen(v));
	else
		yajl_gen_null(g);
}

static void print_json(const struct check *c, bool ok)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	_cleanup_free_ char *out = NULL;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)"ok", 2);
	yajl_gen_bool(g, ok);
	yajl_gen_string(g, (const unsigned char *)"rootless", 8);
	yajl_gen_bool(g, c->rootless);
	kstr(g, "user", c->user);
	yajl_gen_string(g, (const unsigned char *)"checks", 6);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < c->n; i++) {
		const struct fact *f = &c->facts[i];

		yajl_gen_map_open(g);
		kstr(g, "name", f->name);
		kstr(g, "status", status_names[f->status]);
		kstr(g, "value", f->value);
		kstr(g, "fix", *f->fix ? f->fix : NULL);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	out = sk_json_finish(g, true);
	fputs(out, stdout);
}

static void print_text(const struct check *c, bool ok)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct fact *f = &c->facts[i];

		printf("%-8s %-20s %s\n", status_names[f->status], f->name, f->value);
		if (*f->fix)
			printf("%-8s %-20s fix: %s\n", "", "", f->fix);
	}
	printf("%s\n", ok ? "skiff can run a default container here" :
	       "skiff cannot run a default container here: see \"blocked\" above");
}

int sk_cmd_check(int argc, char **argv)
{
	bool json = false;
	const struct sk_opt opts[] = {
		{ "json", 0, SK_OPT_FLAG, &json },
		{ NULL, 0, 0, NULL },
	};
	struct sk_error err = { 0 };
	struct check *c = sk_xcalloc(1, sizeof(*c));
	struct utsname u;
	bool ok = true;
	char *pos[1];

	if (sk_parse_opts(argc, argv, opts, pos, 0, &err) < 0) {
		sk_log_error("%s", err.msg);
		free(c);
		return 1;
	}
	fflush(stdout);
	c->uid = geteuid();
	c->rootless = c->uid != 0;
	snprintf(c->user, sizeof(c->user), "%u", (unsigned)c->uid);
	{
		_cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
		char line[512], num[16];

		snprintf(num, sizeof(num), ":%u:", (unsigned)c->uid);
		while (f && fgets(line, sizeof(line), f)) {
			char *p = strchr(line, ':');

			if (p && (p = strchr(p + 1, ':')) && sk_str_has_prefix(p, num)) {
				snprintf(c->user, sizeof(c->user), "%.*s", (int)strcspn(line, ":"), line);
				break;
			}
		}
	}
	uname(&u);
	add(c, "kernel", FACT_OK, NULL, "Linux %s %s (%s)", u.release, u.machine,
	    c->rootless ? "rootless" : "root");
	check_cgroup(c);
	check_systemd(c);
	check_namespaces(c);
	check_userns(c);
	check_idmap_helpers(c);
	check_subids(c);
	check_syscalls(c);
	check_into_cgroup(c);
	check_idmap(c);
	check_seccomp(c);
	check_timens(c);
	check_criu(c);
	for (size_t i = 0; i < c->n; i++)
		if (c->facts[i].status == FACT_BLOCKED)
			ok = false;
	if (json)
		print_json(c, ok);
	else
		print_text(c, ok);
	free(c);
	return ok ? 0 : 1;
}
