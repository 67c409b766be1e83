/* skiff sandbox [options] [--] COMMAND [ARG...]: COMMAND in a throwaway
 * container, no bundle to write: the config is built in memory
 * (sandbox_config.c) and run through `run`'s path (sk_run).
 *
 * Nothing is left behind on any exit: the container is run's, deleted
 * when the command ends; if skiff itself is killed (even with SIGKILL),
 * a guard process (forked first, PR_SET_PDEATHSIG) runs `skiff delete
 * --force` on it and removes the sandbox's root directory. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exit_cause.h"
#include "lifecycle.h"
#include "sandbox.h"
#include "skiff/util.h"

struct sandbox {
	struct sk_sandbox_opts o;
	const char *report, *timeout;
	bool summary, no_limits, read_only;
	/* measured once the command ended */
	struct timespec t0;
	double wall, user, sys;
	long long mem_peak, pids_peak, io_read, io_write;   /* -1: not known */
	struct sk_exit_cause cause;
	bool stopped;
};

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "skiff: sandbox: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
}

/* "64M", "1G", "512k", "1048576" (bytes, binary units) */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end == 'i' && shift)
		end++;
	if ((*end == 'B' || *end == 'b') && shift)
		end++;
	if (*end || v == 0 || v > (~0ULL >> (shift + 1)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	long long v;

	if (sk_parse_long(s, &v) < 0 || v < (long long)min || (uint64_t)v > max)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int parse_bind(struct sandbox *sb, const char *spec)
{
	_cleanup_free_ char *dup = sk_xstrdup(spec);
	char *src = dup, *dst = strchr(dup, ':'), *mode = NULL, *real;
	struct sk_sandbox_bind *b;

	if (dst) {
		*dst++ = '\0';
		mode = strchr(dst, ':');
		if (mode)
			*mode++ = '\0';
	}
	if (mode && strcmp(mode, "ro") && strcmp(mode, "rw")) {
		usage_error("--bind %s: the mode is ro or rw", spec);
		return -1;
	}
	real = realpath(src, NULL);
	if (!real) {
		fprintf(stderr, "skiff: sandbox: --bind %s: %s: %s\n", spec, src, strerror(errno));
		return -1;
	}
	if (dst && *dst && dst[0] != '/') {
		free(real);
		usage_error("--bind %s: the destination must be an absolute path", spec);
		return -1;
	}
	sb->o.binds = sk_xrealloc(sb->o.binds, (sb->o.n_binds + 1) * sizeof(*b));
	b = &sb->o.binds[sb->o.n_binds++];
	b->src = real;
	b->dst = sk_xstrdup(dst && *dst ? dst : real);
	b->ro = mode && !strcmp(mode, "ro");
	return 0;
}

/* Options, then the command: the index of COMMAND in argv, or -1. */
static int parse_args(struct sandbox *sb, int argc, char **argv)
{
	static const char *const with_value[] = {
		"rootfs", "bind", "env", "workdir", "net", "memory", "cpus", "pids", "timeout",
		"io-weight", "report",
	};
	int i;

	for (i = 1; i < argc; i++) {
		char *a = argv[i], *val = NULL, *eq;
		const char *name;
		bool takes = false;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] != '-' || !a[2])
			break;
		name = a + 2;
		eq = strchr(a, '=');
		if (eq)
			*eq = '\0', val = eq + 1;
		for (size_t k = 0; k < SK_ARRAY_SIZE(with_value); k++)
			takes |= !strcmp(name, with_value[k]);
		if (!strcmp(name, "summary") || !strcmp(name, "no-limits") || !strcmp(name, "read-only")) {
			if (val) {
				usage_error("--%s takes no value", name);
				return -1;
			}
			*(!strcmp(name, "summary") ? &sb->summary : !strcmp(name, "read-only") ?
			  &sb->read_only : &sb->no_limits) = true;
			continue;
		}
		if (!takes) {
			usage_error("unknown option --%s", name);
			return -1;
		}
		if (!val) {
			if (i + 1 >= argc) {
				usage_error("option --%s needs a value", name);
				return -1;
			}
			val = argv[++i];
		}
		if (!strcmp(name, "rootfs")) {
			sb->o.rootfs = realpath(val, NULL);
			if (!sb->o.rootfs) {
				fprintf(stderr, "skiff: sandbox: --rootfs %s: %s\n", val, strerror(errno));
				return -1;
			}
		} else if (!strcmp(name, "bind")) {
			if (parse_bind(sb, val) < 0)
				return -1;
		} else if (!strcmp(name, "env")) {
			if (!*val || *val == '=') {
				usage_error("--env \"%s\": expected KEY=VALUE or KEY", val);
				return -1;
			}
			sb->o.env = sk_xrealloc(sb->o.env, (sb->o.n_env + 1) * sizeof(char *));
			sb->o.env[sb->o.n_env++] = val;
		} else if (!strcmp(name, "workdir")) {
			if (val[0] != '/') {
				usage_error("--workdir %s: must be an absolute path", val);
				return -1;
			}
			sb->o.workdir = val;
		} else if (!strcmp(name, "net")) {
			if (strcmp(val, "host") && strcmp(val, "none")) {
				usage_error("--net %s: expected host or none", val);
				return -1;
			}
			sb->o.net_host = !strcmp(val, "host");
		} else if (!strcmp(name, "memory")) {
			if (parse_size(val, &sb->o.memory) < 0) {
				usage_error("--memory %s: expected a size such as 512M or 2G", val);
				return -1;
			}
		} else if (!strcmp(name, "cpus")) {
			char *end;
			double v = strtod(val, &end);

			if (end == val || *end || !(v >= 0.01 && v <= 4096)) {
				usage_error("--cpus %s: expected a number of CPUs such as 0.5 or 2", val);
				return -1;
			}
			sb->o.cpu_quota = (uint64_t)(v * 100000 + 0.5);
		} else if (!strcmp(name, "pids")) {
			if (parse_uint(val, 1, 1u << 22, &sb->o.pids) < 0) {
				usage_error("--pids %s: expected a number of processes >= 1", val);
				return -1;
			}
		} else if (!strcmp(name, "io-weight")) {
			if (parse_uint(val, 10, 1000, &sb->o.io_weight) < 0) {
				usage_error("--io-weight %s: expected a weight from 10 to 1000", val);
				return -1;
			}
		} else if (!strcmp(name, "timeout")) {
			char *end;
			double v = strtod(val, &end);

			if (end == val || (*end && strcmp(end, "s")) || !(v > 0 && v <= 2000000)) {
				usage_error("--timeout %s: expected seconds such as 30 or 1.5", val);
				return -1;
			}
			sb->timeout = val;
		} else if (!strcmp(name, "report")) {
			sb->report = val;
		}
	}
	if (i >= argc) {
		usage_error("%s", "a command to run is required: skiff sandbox [options] [--] COMMAND [ARG...]");
		return -1;
	}
	return i;
}

/* Not root: limits need a cgroup of the caller's own (a delegated cgroup2
 * one), checked before anything is made; skiff may have to move into a
 * leaf of it to enable the controllers (sandbox_cgroup.c). */
static int rootless_limits(const struct sandbox *sb, struct sk_sandbox_cgroup *cg)
{
	unsigned want = (sb->o.memory ? SK_SANDBOX_CG_MEMORY : 0) | (sb->o.cpu_quota ? SK_SANDBOX_CG_CPU : 0) |
			(sb->o.pids ? SK_SANDBOX_CG_PIDS : 0) | (sb->o.io_weight ? SK_SANDBOX_CG_IO : 0);
	struct sk_error err;

	cg->own = sk_sandbox_own_cgroup();
	if (!cg->own || access(cg->own, W_OK) < 0) {
		sk_log_error("sandbox: --memory, --cpus, --pids and --io-weight need a cgroup uid %u "
			     "can write (a delegated cgroup2 one: systemd-run --user --scope -p Delegate=yes "
			     "skiff sandbox ...); or run without them: --no-limits", (unsigned)sb->o.uid);
		return -1;
	}
	if (sk_sandbox_cgroup_prepare(cg, want, &err) < 0) {
		sk_log_error("%s", err.msg);
		return -1;
	}
	return 0;
}

/* Remove what the sandbox made, overlayfs's work directories too (mode
 * 0, which the caller owns when rootless): no symlink is followed. */
static void rm_tree(int dfd, const char *name)
{
	int fd;
	DIR *d;
	struct dirent *e;

	if (unlinkat(dfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && fchmodat(dfd, name, 0700, 0) == 0)
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (d = fdopendir(fd))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				rm_tree(fd, e->d_name);
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* The sandbox's directory: root/, the empty root the host's top-level
 * directories are mounted on, with the host's top-level symlinks
 * (/bin -> usr/bin); upper/<name>/{u,w}, their overlays' upper and work
 * directories (unless read_only).  Removed at exit. */
static char *make_root(bool read_only, struct sk_error *err)
{
	char *dir = sk_xasprintf("%s/.sandbox-XXXXXX", sk_g.root);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int fd = -1;

	struct stat st;

	if (sk_mkdir_p(sk_g.root, 0711) < 0 || lstat(sk_g.root, &st) < 0) {
		sk_error_sys(err, "sandbox: make %s", sk_g.root);
		free(dir);
		return NULL;
	}
	/* /tmp/skiff-UID: not one another user made */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		sk_error(err, EPERM, "sandbox: %s is not a directory of uid %u (give --root)",
			 sk_g.root, (unsigned)geteuid());
		free(dir);
		return NULL;
	}
	if (!mkdtemp(dir)) {
		sk_error_sys(err, "sandbox: make a directory in %s", sk_g.root);
		free(dir);
		return NULL;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || mkdirat(fd, "root", 0755) < 0 || (!read_only && mkdirat(fd, "upper", 0700) < 0))
		goto fail;
	d = opendir("/");
	while (d && (e = readdir(d))) {
		char path[300], target[PATH_MAX];
		struct stat lst;
		ssize_t n;

		snprintf(path, sizeof(path), "/%s", e->d_name);
		if (!sk_sandbox_host_dir(e->d_name) || lstat(path, &lst) < 0)
			continue;
		if (S_ISLNK(lst.st_mode) && (n = readlink(path, target, sizeof(target) - 1)) >= 0) {
			_cleanup_free_ char *link = sk_xasprintf("root/%s", e->d_name);

			target[n] = '\0';
			if (symlinkat(target, fd, link) < 0)
				goto fail;
		} else if (S_ISDIR(lst.st_mode) && !read_only) {
			_cleanup_free_ char *u = sk_xasprintf("upper/%s", e->d_name);
			_cleanup_free_ char *uu = sk_xasprintf("upper/%s/u", e->d_name);
			_cleanup_free_ char *uw = sk_xasprintf("upper/%s/w", e->d_name);

			if (mkdirat(fd, u, 0700) < 0 || mkdirat(fd, uu, 0755) < 0 || mkdirat(fd, uw, 0700) < 0)
				goto fail;
		}
	}
	close(fd);
	return dir;
fail:
	sk_error_sys(err, "sandbox: set up %s", dir);
	if (fd >= 0)
		close(fd);
	rm_tree(AT_FDCWD, dir);
	free(dir);
	return NULL;
}

/* The guard: waits for skiff's death (PR_SET_PDEATHSIG) or its SIGTERM
 * at the normal end; at skiff's death deletes the container and the
 * root directory. */
static pid_t start_guard(const char *id, const char *root_dir, struct sk_sandbox_cgroup *cg)
{
	pid_t parent = getpid(), pid;
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pid = fork();
	if (pid != 0)
		return pid;
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_PDEATHSIG, SIGUSR1);
	setpgid(0, 0);           /* a ^C on the terminal is for the command */
	if (getppid() == parent)
		sig = 0, sigwait(&set, &sig);
	if (sig == SIGTERM)
		_exit(0);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl("/proc/self/exe", "skiff", "--root", sk_g.root, "delete", "--force", id, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (root_dir)
		rm_tree(AT_FDCWD, root_dir);
	sk_sandbox_cgroup_restore(cg);
	_exit(0);
}

/* sk_run's hook: measure before the container is deleted. */
static void measured(struct sk_container *c, struct sk_spawn *s, int wstatus, void *arg)
{
	struct sandbox *sb = arg;
	struct timespec t1;
	struct rusage ru;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	sb->stopped = true;
	sb->wall = (double)(t1.tv_sec - sb->t0.tv_sec) + (double)(t1.tv_nsec - sb->t0.tv_nsec) / 1e9;
	getrusage(RUSAGE_CHILDREN, &ru);
	sb->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	sb->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	sb->io_read = (long long)ru.ru_inblock * 512;
	sb->io_write = (long long)ru.ru_oublock * 512;
	sb->mem_peak = (long long)ru.ru_maxrss * 1024;   /* the largest process, without a cgroup */
	sb->pids_peak = -1;
	if (s->has_cgroup) {
		long long mem;

		sk_cgroup_peaks(&s->cgroup, &mem, &sb->pids_peak);
		if (mem >= 0)
			sb->mem_peak = mem;
	}
	sk_exit_cause_get(c->dirfd, s->has_cgroup ? &s->cgroup : NULL, wstatus, &sb->cause);
}

static void human(long long v, char *buf, size_t len)
{
	static const char units[] = "BKMGT";
	double d = (double)v;
	int u = 0;

	if (v < 0) {
		snprintf(buf, len, "?");
		return;
	}
	while (d >= 1024 && u < 4)
		d /= 1024, u++;
	snprintf(buf, len, u ? "%.1f%c" : "%.0f%c", d, units[u]);
}

static int write_report(const struct sandbox *sb, int status)
{
	FILE *f = fopen(sb->report, "we");
	char limit[300] = "null";

	if (!f) {
		fprintf(stderr, "skiff: sandbox: --report %s: %s\n", sb->report, strerror(errno));
		return -1;
	}
	if (sb->cause.limit) {
		/* the message has no quotes or backslashes of its own but the id's */
		snprintf(limit, sizeof(limit), "\"%s\"", sb->cause.cause);
	}
	fprintf(f, "{\n  \"exit_status\": %d,\n  \"cause\": \"%s\",\n  \"wall_seconds\": %.6f,\n"
		"  \"cpu_user_seconds\": %.6f,\n  \"cpu_system_seconds\": %.6f,\n"
		"  \"peak_memory_bytes\": %lld,\n  \"io_read_bytes\": %lld,\n  \"io_write_bytes\": %lld,\n",
		status, sb->cause.cause, sb->wall, sb->user, sb->sys, sb->mem_peak, sb->io_read, sb->io_write);
	if (sb->pids_peak >= 0)
		fprintf(f, "  \"peak_pids\": %lld,\n", sb->pids_peak);
	else
		fprintf(f, "  \"peak_pids\": null,\n");
	fprintf(f, "  \"limit_hit\": %s\n}\n", limit);
	if (fclose(f) != 0) {
		fprintf(stderr, "skiff: sandbox: --report %s: %s\n", sb->report, strerror(errno));
		return -1;
	}
	return 0;
}

static void print_summary(const struct sandbox *sb, int status)
{
	char mem[16], rd[16], wr[16], pids[40] = "";

	human(sb->mem_peak, mem, sizeof(mem));
	human(sb->io_read, rd, sizeof(rd));
	human(sb->io_write, wr, sizeof(wr));
	if (sb->pids_peak >= 0)
		snprintf(pids, sizeof(pids), ", peak pids %lld", sb->pids_peak);
	fprintf(stderr, "skiff: sandbox: exit %d, wall %.2fs, cpu %.2fs user %.2fs system, peak memory %s, "
		"io %s read %s written%s%s%s\n", status, sb->wall, sb->user, sb->sys, mem, rd, wr, pids,
		sb->cause.limit ? ", limit hit: " : "", sb->cause.limit ? sb->cause.cause : "");
}

int sk_cmd_sandbox(int argc, char **argv)
{
	struct sandbox sb = { 0 };
	struct sk_run_hooks h = { .stopped = measured, .arg = &sb };
	struct sk_create_opts co = { 0 };
	struct sk_sandbox_cgroup cg = { 0 };
	struct sk_error err = { 0 };
	_cleanup_free_ char *cwd = NULL, *json = NULL, *id = NULL, *root_dir = NULL, *rootless_root = NULL;
	_cleanup_free_ char *rootfs = NULL, *upper = NULL, *cg_path = NULL;
	bool limits;
	pid_t guard;
	int cmd, status;

	cmd = parse_args(&sb, argc, argv);
	if (cmd < 0)
		return 125;
	sb.o.args = argv + cmd;
	sb.o.n_args = argc - cmd;
	sb.o.uid = geteuid();
	sb.o.gid = getegid();
	sb.o.rootless = sb.o.uid != 0;
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		sk_log_error("sandbox: the working directory: %s", strerror(errno));
		return 125;
	}
	if (!sb.o.workdir)
		sb.o.workdir = cwd;
	if (!sb.o.n_binds && strcmp(cwd, "/")) {
		sb.o.binds = sk_xcalloc(1, sizeof(*sb.o.binds));
		sb.o.binds[0].src = sk_xstrdup(cwd);
		sb.o.binds[0].dst = sk_xstrdup(cwd);
		sb.o.n_binds = 1;
	}
	if (sb.no_limits)
		sb.o.memory = sb.o.cpu_quota = sb.o.pids = sb.o.io_weight = 0;
	limits = sb.o.memory || sb.o.cpu_quota || sb.o.pids || sb.o.io_weight;
	if (sb.o.rootless) {
		if (!strcmp(sk_g.root, "/run/skiff")) {
			const char *x = getenv("XDG_RUNTIME_DIR");

			rootless_root = x && *x ? sk_xasprintf("%s/skiff", x) :
					sk_xasprintf("/tmp/skiff-%u", (unsigned)sb.o.uid);
			sk_g.root = rootless_root;
		}
		if (limits && rootless_limits(&sb, &cg) < 0) {
			sk_sandbox_cgroup_free(&cg);
			return 125;
		}
		if (!limits)
			sk_g.cgroups_disabled = true;
	}
	if (!sb.o.rootfs) {
		root_dir = make_root(sb.read_only, &err);
		if (!root_dir) {
			sk_log_error("%s", err.msg);
			sk_sandbox_cgroup_restore(&cg);
			sk_sandbox_cgroup_free(&cg);
			return 125;
		}
		rootfs = sk_xasprintf("%s/root", root_dir);
		upper = sk_xasprintf("%s/upper", root_dir);
		sb.o.upper = sb.read_only ? NULL : upper;
	}
	id = sk_xasprintf("sandbox-%s", root_dir ? strrchr(root_dir, '-') + 1 : "");
	if (!root_dir) {
		free(id);
		id = sk_xasprintf("sandbox-%d", (int)getpid());
	}
	/* skiff moved into a leaf of its cgroup: the container's is the
	 * leaf's sibling, not below it */
	if (cg.leaf)
		sb.o.cgroups_path = cg_path = sk_xasprintf("%s/%s", cg.own + strlen("/sys/fs/cgroup"), id);
	json = sk_sandbox_config_json(&sb.o, rootfs ? rootfs : sb.o.rootfs);
	if (sb.timeout)
		h.timeout_ms = (int)(strtod(sb.timeout, NULL) * 1000 + 0.5);
	guard = start_guard(id, root_dir, &cg);
	co.bundle = rootfs ? rootfs : sb.o.rootfs;
	co.config_json = json;
	clock_gettime(CLOCK_MONOTONIC, &sb.t0);
	status = sk_run(id, &co, false, &h);
	if (guard > 0) {
		kill(guard, SIGTERM);
		while (waitpid(guard, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (root_dir)
		rm_tree(AT_FDCWD, root_dir);
	sk_sandbox_cgroup_restore(&cg);
	sk_sandbox_cgroup_free(&cg);
	if (!sb.stopped)
		return status ? (status == 1 ? 125 : status) : 125;
	if (sb.summary)
		print_summary(&sb, status);
	if (sb.report && write_report(&sb, status) < 0 && !status)
		status = 125;
	return status;
}
