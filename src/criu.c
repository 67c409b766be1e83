/* Talking to CRIU.  skiff runs the `criu` program with its command line
 * (dump, pre-dump, restore) rather than the RPC service (`criu swrk`,
 * protobuf over a socketpair, as runc) or libcriu (crun; Debian 12 ships
 * no libcriu-dev): the options skiff needs all exist on the command line,
 * the same criu binary is used either way, nothing is linked in, and
 * criu's own log (dump.log, restore.log in the work directory) says what
 * went wrong, which skiff quotes in its one-line error. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"

void sk_argv_add(struct sk_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = sk_xrealloc(a->v, a->cap * sizeof(char *));
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void sk_argv_free(struct sk_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

char *sk_criu_find(struct sk_error *err)
{
	const char *want = sk_g.criu ? sk_g.criu : "criu";
	const char *path = getenv("PATH");
	char *dup, *save = NULL;

	if (strchr(want, '/')) {
		if (access(want, X_OK) == 0)
			return realpath(want, NULL);
		sk_error_sys(err, "checkpoint/restore needs CRIU: --criu %s", want);
		return NULL;
	}
	dup = sk_xstrdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *d = strtok_r(dup, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = sk_xasprintf("%s/%s", d, want);

		if (access(p, X_OK) == 0) {
			free(dup);
			return realpath(p, NULL);
		}
	}
	free(dup);
	sk_error(err, ENOENT, "checkpoint/restore needs CRIU: no \"%s\" in PATH (install criu)", want);
	return NULL;
}

/* Run criu with args, its stdout+stderr in *out (heap, NUL-terminated).
 * Returns the exit status (128+signal), or -1 with err set. */
static int run_capture(char *const *args, char **out, struct sk_error *err)
{
	_cleanup_free_ char *criu = sk_criu_find(err);
	char buf[4096];
	size_t len = 0;
	int p[2], st;
	ssize_t n;
	pid_t pid;

	*out = NULL;
	if (!criu)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return sk_error_sys(err, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return sk_error_sys(err, "fork");
	}
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(criu, args);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			len += (size_t)n;
	close(p[0]);
	buf[len] = '\0';
	*out = sk_xstrdup(buf);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return sk_error_sys(err, "wait for criu");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

char *sk_criu_version(struct sk_error *err)
{
	char *const args[] = { "criu", "--version", NULL };
	_cleanup_free_ char *out = NULL;
	char *v, *end;
	int r = run_capture(args, &out, err);

	if (r < 0)
		return NULL;
	v = out ? strstr(out, "Version: ") : NULL;
	if (r != 0 || !v) {
		sk_error(err, EINVAL, "checkpoint/restore needs CRIU: `criu --version` failed");
		return NULL;
	}
	v += strlen("Version: ");
	end = v + strcspn(v, "\n");
	*end = '\0';
	return sk_xstrdup(v);
}

/* The first line of `text` that holds "Error" (else the last non-empty
 * line), trimmed, in buf. */
static void first_error(const char *text, char *buf, size_t size)
{
	const char *line = NULL, *last = NULL, *hint;

	buf[0] = '\0';
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n) {
			/* criu goes on after its tun probe fails (no /dev/net/tun) */
			if (!line && memmem(p, n, "Error", 5) && !memmem(p, n, "criu/tun.c", 10))
				line = p;
			last = p;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!line)
		line = last;
	if (line)
		snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"), line);
	/* criu's advice, when it gives one ("... Consider using --ext-unix-sk") */
	hint = text ? strstr(text, "Consider using") : NULL;
	if (hint && line && hint > line + strcspn(line, "\n")) {
		size_t n = strlen(buf);

		snprintf(buf + n, size - n, "; %.*s", (int)strcspn(hint, "\n"), hint);
	}
}

int sk_criu_check_feature(const char *feature, struct sk_error *err)
{
	char *const args[] = { "criu", "check", "--feature", (char *)feature, NULL };
	_cleanup_free_ char *out = NULL;
	char line[512];
	int r = run_capture(args, &out, err);

	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	first_error(out, line, sizeof(line));
	return sk_error(err, ENOTSUP, "criu check --feature %s: %s", feature,
			*line ? line : "not supported");
}

static int mkdir_opt(const char *opt, const char *dir, mode_t mode, struct sk_error *err)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : sk_error(err, ENOTDIR, "--%s %s: not a directory", opt, dir);
	if (errno != ENOENT || !mode)
		return sk_error_sys(err, "--%s %s", opt, dir);
	if (sk_mkdir_p(dir, 0700) < 0 || chmod(dir, mode) < 0)
		return sk_error_sys(err, "--%s %s: create", opt, dir);
	return 0;
}

int sk_criu_opts_prepare(struct sk_criu_opts *o, const char *what, mode_t image_mode,
			 struct sk_error *err)
{
	static const char *const modes[] = { "soft", "full", "strict", "ignore" };
	bool ok = !o->manage_cgroups_mode;

	for (size_t i = 0; !ok && i < SK_ARRAY_SIZE(modes); i++)
		ok = !strcmp(o->manage_cgroups_mode, modes[i]);
	if (!ok)
		return sk_error(err, EINVAL, "%s: --manage-cgroups-mode \"%s\": soft, full, strict or ignore",
				what, o->manage_cgroups_mode);
	if (o->empty_ns && strcmp(o->empty_ns, "network") && strcmp(o->empty_ns, "net"))
		return sk_error(err, EINVAL, "%s: --empty-ns \"%s\": only \"network\" is supported",
				what, o->empty_ns);
	if (o->image_path && !*o->image_path)
		return sk_error(err, EINVAL, "%s: --image-path must not be empty", what);
	if (!o->image_path)
		o->image_path = "checkpoint";
	if (!o->work_path)
		o->work_path = o->image_path;
	if (mkdir_opt("image-path", o->image_path, image_mode, err) < 0 ||
	    mkdir_opt("work-path", o->work_path, 0700, err) < 0)
		return sk_error_ctx(err, "%s", what);
	return 0;
}

void sk_criu_common_args(struct sk_argv *a, const struct sk_criu_opts *o, const char *log)
{
	_cleanup_free_ char *img = realpath(o->image_path, NULL);
	_cleanup_free_ char *work = realpath(o->work_path, NULL);

	sk_argv_add(a, "--images-dir=%s", img ? img : o->image_path);
	sk_argv_add(a, "--work-dir=%s", work ? work : o->work_path);
	sk_argv_add(a, "--log-file=%s", log);
	sk_argv_add(a, "-v4");
	sk_argv_add(a, "--manage-cgroups=%s", o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft");
	if (o->tcp_established)
		sk_argv_add(a, "--tcp-established");
	if (o->ext_unix_sk)
		sk_argv_add(a, "--ext-unix-sk");
	if (o->shell_job)
		sk_argv_add(a, "--shell-job");
	if (o->file_locks)
		sk_argv_add(a, "--file-locks");
	if (o->auto_dedup)
		sk_argv_add(a, "--auto-dedup");
	if (o->lazy_pages)
		sk_argv_add(a, "--lazy-pages");
	if (o->empty_ns)
		sk_argv_add(a, "--empty-ns=net");
}

static bool is_bind(const struct sk_mount *m)
{
	if (m->type && !strcmp(m->type, "bind"))
		return true;
	for (size_t i = 0; i < m->n_options; i++)
		if (!strcmp(m->options[i], "bind") || !strcmp(m->options[i], "rbind"))
			return true;
	return false;
}

/* The host's hierarchy that a sysfs or cgroup mount is a bind of (as
 * rootfs/mounts.c does when the kernel refuses a fresh one): in a user
 * namespace, sysfs without a network namespace of the container's own,
 * cgroup without a cgroup namespace.  NULL: a mount of its own. */
static const char *bound_from_host(const struct sk_config *c, const struct sk_mount *m)
{
	const struct sk_namespace *net = sk_config_ns(c, SK_NS_NET);

	if (!m->type || !sk_config_ns(c, SK_NS_USER))
		return NULL;
	if (!strcmp(m->type, "sysfs") && (!net || net->path))
		return "/sys";
	if (!strcmp(m->type, "cgroup") && !sk_config_ns(c, SK_NS_CGROUP))
		return "/sys/fs/cgroup";
	return NULL;
}

void sk_criu_ext_mounts(struct sk_argv *a, const struct sk_config *c, const char *proc_root,
			bool restore)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sk_mount *m = &c->mounts[i];
		const char *host = bound_from_host(c, m);

		if (!host && (!is_bind(m) || !m->source))
			continue;
		/* dump: mountpoint -> key; restore: key -> host source */
		sk_argv_add(a, "--ext-mount-map=%s:%s", m->destination,
			    !restore ? m->destination : host ? host : m->source);
	}
	/* the devices are bind mounts of the host's in a user namespace
	 * (runc tells criu so always): keyed by their path, from the same
	 * path of the host; /dev/null is also the masked files' source */
	for (size_t i = 0; sk_rootfs_default_device(i); i++)
		sk_argv_add(a, "--ext-mount-map=%s:%s", sk_rootfs_default_device(i),
			    sk_rootfs_default_device(i));
	for (size_t i = 0; i < c->linux.n_devices; i++) {
		const char *p = c->linux.devices[i].path;
		bool dflt = false;

		for (size_t j = 0; p && sk_rootfs_default_device(j); j++)
			dflt |= !strcmp(p, sk_rootfs_default_device(j));
		if (p && !dflt)
			sk_argv_add(a, "--ext-mount-map=%s:%s", p, p);
	}
	for (size_t i = 0; i < c->linux.n_masked_paths; i++) {
		const char *p = c->linux.masked_paths[i];
		struct stat st;

		if (restore)
			break;
		{
			_cleanup_free_ char *in = sk_xasprintf("%s%s", proc_root, p);

			/* masked directories are tmpfs mounts, criu dumps those */
			if (stat(in, &st) < 0 || S_ISDIR(st.st_mode))
				continue;
		}
		sk_argv_add(a, "--ext-mount-map=%s:/dev/null", p);
	}
}

/* Namespaces joined by path, as runc: network and pid ones are criu's
 * external namespaces (dump: --external TYPE[INODE]:KEY; restore: an fd
 * of the namespace, --inherit-fd fd[N]:KEY), ipc, uts, user and time ones
 * are joined again on restore (--join-ns); criu can do neither for mount
 * and cgroup namespaces. */
static const char *const ns_criu[SK_NS_TYPES] = {
	[SK_NS_PID] = "pid", [SK_NS_NET] = "net", [SK_NS_IPC] = "ipc", [SK_NS_UTS] = "uts",
	[SK_NS_USER] = "user", [SK_NS_TIME] = "time",
};

static const char *ns_key(enum sk_ns_type t)
{
	return t == SK_NS_NET ? "extRootNetNS" : "extRootPidNS";
}

int sk_criu_joined_ns(struct sk_argv *a, const struct sk_config *c, bool restore, int *fds,
		      const char *what, struct sk_error *err)
{
	for (size_t i = 0; i < c->linux.n_namespaces; i++) {
		const struct sk_namespace *ns = &c->linux.namespaces[i];
		struct stat st;
		int fd;

		if (!ns->path)
			continue;
		if (!ns_criu[ns->type])
			return sk_error(err, ENOTSUP, "%s: linux.namespaces: a %s namespace joined by path "
					"(%s): criu cannot restore one", what,
					ns->type == SK_NS_MOUNT ? "mount" : "cgroup", ns->path);
		if (ns->type != SK_NS_NET && ns->type != SK_NS_PID) {
			if (restore)
				sk_argv_add(a, "--join-ns=%s:%s", ns_criu[ns->type], ns->path);
			continue;
		}
		if (!restore) {
			if (stat(ns->path, &st) < 0)
				return sk_error_sys(err, "%s: linux.namespaces: %s", what, ns->path);
			sk_argv_add(a, "--external=%s[%llu]:%s", ns_criu[ns->type],
				    (unsigned long long)st.st_ino, ns_key(ns->type));
			continue;
		}
		/* inherited by criu: no O_CLOEXEC (the caller closes it) */
		fd = open(ns->path, O_RDONLY);
		if (fd < 0)
			return sk_error_sys(err, "%s: linux.namespaces: %s", what, ns->path);
		fds[ns->type] = fd;
		sk_argv_add(a, "--inherit-fd=fd[%d]:%s", fd, ns_key(ns->type));
	}
	return 0;
}

/* process.terminal: the container's pty slave is criu's external tty
 * "tty[RDEV:DEV]" (its master is outside, with the console socket's
 * holder); the key is kept in <image>/terminal for restore, which gives
 * criu a new slave under it (criu makes it the controlling terminal
 * again).  The slave: the first pty slave among the init's fds. */
#define TERMINAL_KEY "terminal"

int sk_criu_terminal_dump(struct sk_argv *a, pid_t pid, const char *image_path,
			  struct sk_error *err)
{
	_cleanup_free_ char *fds = sk_xasprintf("/proc/%d/fd", (int)pid), *key = NULL;
	_cleanup_closedir_ DIR *d = opendir(fds);
	_cleanup_close_ int dfd = -1;
	struct dirent *de;

	if (!d)
		return sk_error_sys(err, "checkpoint: %s", fds);
	while (!key && (de = readdir(d))) {
		struct stat st;

		/* unix98 pty slaves: majors 136-143 */
		if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143)
			key = sk_xasprintf("tty[%llx:%llx]", (unsigned long long)st.st_rdev,
					   (unsigned long long)st.st_dev);
	}
	if (!key)
		return 0;
	sk_argv_add(a, "--external=%s", key);
	dfd = open(image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || sk_write_file_atomic(dfd, TERMINAL_KEY, key, strlen(key), 0600, err) < 0)
		return dfd < 0 ? sk_error_sys(err, "checkpoint: %s", image_path) :
				 sk_error_ctx(err, "checkpoint: %s", image_path);
	return 0;
}

int sk_criu_terminal_restore(struct sk_argv *a, const char *image_path, int slave,
			     struct sk_error *err)
{
	_cleanup_free_ char *path = sk_xasprintf("%s/%s", image_path, TERMINAL_KEY), *key = NULL;

	if (sk_read_file_at(AT_FDCWD, path, &key, NULL, 256, err) < 0)
		return sk_error_ctx(err, "restore: process.terminal: the image's pty");
	if (strncmp(key, "tty[", 4) || strcspn(key, " \n,") != strlen(key))
		return sk_error(err, EINVAL, "restore: process.terminal: %s holds \"%s\"", path, key);
	sk_argv_add(a, "--inherit-fd=fd[%d]:%s", slave, key);
	return 0;
}

/* runc's descriptors.json in the image directory: where the init's fds
 * 0, 1 and 2 led at dump time ("pipe:[123]", "/dev/null"), a JSON array
 * of three strings.  Engines (conmon, containerd's shim) give the init
 * pipes; restore hands skiff's own stdio to criu for them. */
int sk_criu_save_descriptors(pid_t pid, const char *image_path, struct sk_error *err)
{
	_cleanup_free_ char *json = sk_xstrdup("["), *file = NULL;

	for (int fd = 0; fd < 3; fd++) {
		char link[64], target[4096], *t;
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		for (char *c = target; *c; c++)
			if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
				*c = '_';
		t = sk_xasprintf("%s%s\"%s\"", json, fd ? "," : "", target);
		free(json);
		json = t;
	}
	file = sk_xasprintf("%s]\n", json);
	{
		_cleanup_close_ int dfd = open(image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0 || sk_write_file_atomic(dfd, "descriptors.json", file, strlen(file), 0600, err) < 0)
			return dfd < 0 ? sk_error_sys(err, "%s", image_path) : -1;
	}
	return 0;
}

void sk_criu_inherit_fds(struct sk_argv *a, const char *image_path)
{
	_cleanup_free_ char *path = sk_xasprintf("%s/descriptors.json", image_path), *text = NULL;
	struct sk_error e = { 0 };
	char *p;
	int fd = 0;

	if (sk_read_file_at(AT_FDCWD, path, &text, NULL, 1 << 16, &e) < 0)
		return;
	for (p = strchr(text, '"'); p && fd < 3; fd++) {
		char *end = strchr(p + 1, '"');

		if (!end)
			break;
		*end = '\0';
		if (!strncmp(p + 1, "pipe:", 5))
			sk_argv_add(a, "--inherit-fd=fd[%d]:%s", fd, p + 1);
		p = strchr(end + 1, '"');
	}
}

/* The child: its own mount namespace with the bind, the
 * cgroup (and tell criu where it is), exec. */
static void child_exec(const char *criu, struct sk_argv *a, const struct sk_criu_child *ch,
		       int errfd)
{
	struct sk_error e = { 0 };

	if (ch && ch->bind_src &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	     mount(ch->bind_src, ch->bind_dst, NULL, MS_BIND | MS_REC, NULL) < 0)) {
		dprintf(errfd, "bind %s on %s in a mount namespace of criu's: %s", ch->bind_src,
			ch->bind_dst, strerror(errno));
		_exit(127);
	}
	if (ch && ch->cgroup) {
		_cleanup_free_ char *self = NULL;
		char *save = NULL;

		if (sk_cgroup_attach(ch->cgroup, getpid(), &e) < 0 ||
		    sk_read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, 1 << 16, &e) < 0) {
			dprintf(errfd, "%s", e.msg);
			_exit(127);
		}
		/* "N:ctrls:/path": v2 ("0::") is the default root */
		for (char *l = strtok_r(self, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *ctrl = strchr(l, ':'), *path = ctrl ? strchr(ctrl + 1, ':') : NULL;

			if (!path)
				continue;
			*path++ = '\0';
			ctrl++;
			if (!*ctrl)
				sk_argv_add(a, "--cgroup-root=%s", path);
			else
				sk_argv_add(a, "--cgroup-root=%s:%s", ctrl, path);
		}
	}
	execv(criu, a->v);
	dprintf(errfd, "exec %s: %s", criu, strerror(errno));
	_exit(127);
}

int sk_criu_run(struct sk_argv *a, const char *work, const char *log,
		const struct sk_criu_child *ch, const char *what, struct sk_error *err)
{
	_cleanup_free_ char *criu = sk_criu_find(err), *text = NULL, *logpath = NULL;
	char msg[768], line[512];
	int p[2], st;
	ssize_t n;
	pid_t pid;

	if (!criu)
		return sk_error_ctx(err, "%s", what);
	free(a->v[0]);
	a->v[0] = sk_xstrdup(criu);
	if (sk_g.debug) {
		_cleanup_free_ char *cmd = sk_xstrdup("");

		for (size_t i = 0; i < a->n; i++) {
			char *t = sk_xasprintf("%s %s", cmd, a->v[i]);

			free(cmd);
			cmd = t;
		}
		sk_log_debug("%s:%s", what, cmd);
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return sk_error_sys(err, "%s: pipe", what);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return sk_error_sys(err, "%s: fork criu", what);
	}
	if (pid == 0) {
		close(p[0]);
		child_exec(criu, a, ch, p[1]);
	}
	close(p[1]);
	do
		n = read(p[0], msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	close(p[0]);
	msg[n > 0 ? n : 0] = '\0';
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return sk_error_sys(err, "%s: wait for criu", what);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (*msg)
		return sk_error(err, EIO, "%s: %s", what, msg);
	logpath = sk_xasprintf("%s/%s", work, log);
	if (sk_read_file_at(AT_FDCWD, logpath, &text, NULL, 0, err) < 0)
		text = NULL;
	first_error(text, line, sizeof(line));
	if (!WIFEXITED(st))
		return sk_error(err, EIO, "%s: criu killed by signal %d (log: %s)", what,
				WTERMSIG(st), logpath);
	return sk_error(err, EIO, "%s: criu failed: %s (log: %s)", what,
			*line ? line : "no error in its log", logpath);
}

/* criu's version when `criu check` passes on this kernel, else why
 * checkpoint/restore cannot work here (heap). */
static char *usable(bool *ok)
{
	char *const args[] = { "criu", "check", NULL };
	struct sk_error err = { 0 };
	_cleanup_free_ char *v = sk_criu_version(&err), *out = NULL;
	char line[512];
	int r;

	*ok = false;
	if (!v)
		return sk_xstrdup(err.msg);
	r = run_capture(args, &out, &err);
	if (r < 0)
		return sk_xstrdup(err.msg);
	if (r == 0) {
		*ok = true;
		return sk_xstrdup(v);
	}
	first_error(out, line, sizeof(line));
	return sk_xasprintf("criu %s does not work here: criu check: %s", v, line);
}

void sk_criu_print_version(void)
{
	bool ok;
	_cleanup_free_ char *note = usable(&ok);

	printf("criu: %s%s%s\n", ok ? note : "unavailable (", ok ? "" : note, ok ? "" : ")");
}

/* oci/features.c: the checkpoint annotations. */
char *sk_criu_features_note(bool *enabled)
{
	return usable(enabled);
}
