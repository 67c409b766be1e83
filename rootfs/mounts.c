/* sk_rootfs_prepare: propagation, the rootfs bind, the config mounts (in
 * order), then devices.  Every target is resolved inside the rootfs and
 * mounted through /proc/self/fd/N of the resolved O_PATH fd (the host
 * /proc is still visible at this point). */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/magic.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/linux_api.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "mountopts.h"

/* The flags a bind mount gets with a remount (mount(2) ignores them on
 * the first MS_BIND). */
#define BIND_REMOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | \
			    MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
			    MS_STRICTATIME | MS_NOSYMFOLLOW)

struct mnt {
	const struct sk_rootfs *r;
	const struct sk_mount *m;
	int rootfd;
	const char *dest;          /* as written in config.json */
	const char *what;          /* source, or type when there is none */
	struct sk_mount_opts o;
};

/* ---- mountinfo ---------------------------------------------------- */

void sk_unescape_octal(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* Mount point of the mount containing `path` (longest prefix in mountinfo). */
static char *mount_point_of(const char *path, struct sk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL, *best = NULL;
	size_t best_len = 0;

	if (sk_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &buf, NULL, 0, err) < 0)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f = line, *mp;
		size_t n;
		int i;

		for (i = 0; i < 4 && f; i++) {
			f = strchr(f, ' ');
			if (f)
				f++;
		}
		if (!f)
			continue;
		mp = f;
		f = strchr(mp, ' ');
		if (f)
			*f = '\0';
		sk_unescape_octal(mp);
		n = strlen(mp);
		if (!strcmp(mp, "/"))
			n = 0;
		else if (strncmp(path, mp, n) || (path[n] != '/' && path[n] != '\0'))
			continue;
		if (n >= best_len) {
			free(best);
			best = sk_xstrdup(n ? mp : "/");
			best_len = n;
		}
	}
	if (!best)
		sk_error(err, ENOENT, "no mount contains \"%s\"", path);
	return best;
}

/* ---- helpers -------------------------------------------------------- */

static unsigned long statvfs_to_ms(unsigned long f)
{
	unsigned long ms = 0;

	if (f & ST_RDONLY) ms |= MS_RDONLY;
	if (f & ST_NOSUID) ms |= MS_NOSUID;
	if (f & ST_NODEV) ms |= MS_NODEV;
	if (f & ST_NOEXEC) ms |= MS_NOEXEC;
	if (f & ST_NOATIME) ms |= MS_NOATIME;
	if (f & ST_NODIRATIME) ms |= MS_NODIRATIME;
	if (f & ST_RELATIME) ms |= MS_RELATIME;
	return ms;
}

static int mnt_err(struct mnt *x, struct sk_error *err, const char *step)
{
	return sk_error_sys(err, "mount \"%s\" on \"%s\": %s", x->what, x->dest, step);
}

/* A mount lands on procfs only where runc allows it (lxcfs-style files):
 * an image symlink must not turn a volume into an overmount of
 * /proc/sys/... or /proc/self/attr/... (CVE-2025-52881's class). */
static int check_proc_target(struct mnt *x, int fd, struct sk_error *err)
{
	static const char *const allowed[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
		"/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
		"/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
	};
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return mnt_err(x, err, "statfs target");
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return 0;
	for (size_t i = 0; i < SK_ARRAY_SIZE(allowed); i++)
		if (!strcmp(x->dest, allowed[i]))
			return 0;
	return sk_error(err, EPERM, "mount \"%s\" on \"%s\": the target is inside procfs (refused)",
			x->what, x->dest);
}

/* procfs and sysfs go exactly where config.json says, onto a directory:
 * a symlink there (the image's /proc -> elsewhere) is refused, never
 * followed, as runc refuses it.  Missing, the directory is made. */
static int open_special_target(struct mnt *x, const char *fstype, struct sk_error *err)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int dir = -1;
	struct stat st;
	int fd;

	dir = sk_open_parent_in_root(x->rootfd, x->dest, true, &name, err);
	if (dir < 0)
		return sk_error_ctx(err, "mount \"%s\" on \"%s\"", x->what, x->dest);
	if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
		return mnt_err(x, err, "mkdir");
	fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mnt_err(x, err, "open");
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return sk_error(err, ENOTDIR, "mount \"%s\" on \"%s\": filesystem \"%s\" must be "
				"mounted on ordinary directory (it is %s in the rootfs)", x->what,
				x->dest, fstype, S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
	}
	return fd;
}

static int open_target_again(struct mnt *x, struct sk_error *err)
{
	int fd = sk_open_in_root(x->rootfd, x->dest, O_PATH, 0, err);

	if (fd < 0)
		sk_error_ctx(err, "mount \"%s\" on \"%s\"", x->what, x->dest);
	return fd;
}

/* Remount a bind mount with its flags.  Flags the kernel locked (a mount
 * from a more privileged user namespace) are kept on EPERM, unless asked
 * to be cleared or, for the atime ones, asked otherwise (refused). */
#define LOCKABLE (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)
#define ATIME (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

static int bind_remount(struct mnt *x, int fd, unsigned long flags, struct sk_error *err)
{
	char p[SK_FD_PATH_MAX];
	struct statvfs sv;
	unsigned long src;

	sk_fd_path(fd, p);
	if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | flags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return mnt_err(x, err, "remount");
	if (statvfs(p, &sv) < 0)
		return mnt_err(x, err, "statvfs");
	src = statvfs_to_ms(sv.f_flag);
	/* as runc: what was asked must not silently differ from the mount */
	if (x->o.clear & src & LOCKABLE)
		return sk_error(err, EPERM, "mount \"%s\" on \"%s\": cannot clear locked flags "
				"of the source mount (nosuid, nodev, noexec, ro)", x->what, x->dest);
	if ((flags & ATIME) && (flags & ATIME) != (src & ATIME))
		return sk_error(err, EPERM, "mount \"%s\" on \"%s\": cannot change locked atime "
				"flags of the source mount", x->what, x->dest);
	flags |= src & (LOCKABLE | ATIME);
	if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return mnt_err(x, err, "remount");
	return 0;
}

/* ---- tmpcopyup ------------------------------------------------------ */

static int copy_tree(int from, int to, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int dfd = dup(from);

	if (dfd < 0)
		return -1;
	if (depth > 64) {
		close(dfd);
		errno = ELOOP;
		return -1;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	while ((errno = 0, de = readdir(d))) {
		const char *n = de->d_name;
		struct stat st;

		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(from, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int s = -1, t = -1;

			if (mkdirat(to, n, st.st_mode & 07777) < 0 && errno != EEXIST)
				return -1;
			s = openat(from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			t = openat(to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s < 0 || t < 0 || copy_tree(s, t, depth + 1) < 0)
				return -1;
		} else if (S_ISREG(st.st_mode)) {
			_cleanup_close_ int s = -1, t = -1;
			char buf[65536];
			ssize_t r;

			s = openat(from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			t = openat(to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				   st.st_mode & 07777);
			if (s < 0 || t < 0)
				return -1;
			while ((r = read(s, buf, sizeof(buf))) > 0)
				if (sk_write_all(t, buf, (size_t)r) < 0)
					return -1;
			if (r < 0)
				return -1;
		} else if (S_ISLNK(st.st_mode)) {
			char buf[4096];
			ssize_t len = readlinkat(from, n, buf, sizeof(buf) - 1);

			if (len < 0)
				return -1;
			buf[len] = '\0';
			if (symlinkat(buf, to, n) < 0)
				return -1;
		} else {
			if (mknodat(to, n, st.st_mode, st.st_rdev) < 0)
				return -1;
		}
		if (fchownat(to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		if (!S_ISLNK(st.st_mode) && fchmodat(to, n, st.st_mode & 07777, 0) < 0)
			return -1;
	}
	return errno ? -1 : 0;
}

/* ---- one mount ------------------------------------------------------ */

/* "key=" among the comma-separated filesystem options `data`. */
static bool has_data_opt(const char *data, const char *key)
{
	size_t n = strlen(key);

	for (const char *d = data; d && *d; d = strchr(d, ',') ? strchr(d, ',') + 1 : NULL)
		if (!strncmp(d, key, n) && d[n] == '=')
			return true;
	return false;
}

/* For a bind of the host's /sys or cgroup tree: its submounts get the
 * restrictions of the options too. */
static uint64_t recursive_attrs(unsigned long flags)
{
	uint64_t a = 0;

	if (flags & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV) a |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
	return a;
}

static bool own_netns(const struct sk_config *c)
{
	return sk_config_ns(c, SK_NS_NET) != NULL;
}

static bool host_cgroup2(void)
{
	struct statfs sf;

	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static int finish_mount(struct mnt *x, int fd, bool bind, unsigned long flags,
			struct sk_error *err)
{
	char p[SK_FD_PATH_MAX];

	sk_fd_path(fd, p);
	/* (an explicit "suid", "rw" ... too: it may be refused) */
	if (bind && ((flags & BIND_REMOUNT_FLAGS) || (x->o.clear & (LOCKABLE | ATIME))) &&
	    !(flags & MS_REMOUNT) &&
	    bind_remount(x, fd, flags & BIND_REMOUNT_FLAGS, err) < 0)
		return -1;
	for (size_t i = 0; i < x->o.n_prop; i++)
		if (mount(NULL, p, NULL, x->o.prop[i], NULL) < 0)
			return mnt_err(x, err, "set propagation");
	if (x->o.attr_set || x->o.attr_clr) {
		struct mount_attr a = { .attr_set = x->o.attr_set, .attr_clr = x->o.attr_clr };

		if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
			return mnt_err(x, err, "mount_setattr");
	}
	return 0;
}

static int mount_bind(struct mnt *x, const char *source, unsigned long flags,
		      struct sk_error *err)
{
	_cleanup_free_ char *src = NULL;
	_cleanup_close_ int fd = -1, nfd = -1;
	char p[SK_FD_PATH_MAX];
	struct stat st;

	int ahead = x->r->src_fds && source == x->m->source ? x->r->src_fds[x->m - x->r->config->mounts] : -1;

	if (!source || !*source)
		return sk_error(err, EINVAL, "mount on \"%s\": bind mount without a source", x->dest);
	if (ahead >= 0)
		src = sk_xasprintf("/proc/self/fd/%d", ahead);   /* opened by skiff */
	else
		src = source[0] == '/' ? sk_xstrdup(source) : sk_xasprintf("%s/%s", x->r->bundle, source);
	if (stat(src, &st) < 0)
		return mnt_err(x, err, "stat source");
	fd = sk_open_in_root(x->rootfd, x->dest, O_PATH,
			     S_ISDIR(st.st_mode) ? S_IFDIR : S_IFREG, err);
	if (fd < 0)
		return sk_error_ctx(err, "mount \"%s\" on \"%s\"", x->what, x->dest);
	if (check_proc_target(x, fd, err) < 0)
		return -1;
	sk_fd_path(fd, p);
	if (mount(src, p, NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
		return mnt_err(x, err, "mount");
	nfd = open_target_again(x, err);
	if (nfd < 0)
		return -1;
	return finish_mount(x, nfd, true, flags, err);
}

/* Attach the id-mapped tree skiff made (rootfs/idmap.c) at the target,
 * created to match it (file or directory), then apply the flags. */
static int mount_idmapped(struct mnt *x, int tree, unsigned long flags, struct sk_error *err)
{
	_cleanup_close_ int fd = -1, nfd = -1, own = -1;
	struct stat st;

	if (ioctl(tree, NS_GET_NSTYPE) == CLONE_NEWUSER) {
		/* a user namespace: the source is made by an earlier mount
		 * (rootfs/idmap.c), map it now */
		_cleanup_free_ char *src = x->m->source[0] == '/' ? sk_xstrdup(x->m->source) :
					   sk_xasprintf("%s/%s", x->r->bundle, x->m->source);

		tree = own = sk_idmap_tree(AT_FDCWD, src, x->o.flags & MS_REC, x->o.ridmap, tree);
		if (tree < 0)
			return mnt_err(x, err, "id-mapped tree");
	}
	if (fstat(tree, &st) < 0)
		return mnt_err(x, err, "stat id-mapped tree");
	fd = sk_open_in_root(x->rootfd, x->dest, O_PATH,
			     S_ISDIR(st.st_mode) ? S_IFDIR : S_IFREG, err);
	if (fd < 0)
		return sk_error_ctx(err, "mount \"%s\" on \"%s\"", x->what, x->dest);
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mnt_err(x, err, "move_mount id-mapped tree");
	nfd = open_target_again(x, err);
	if (nfd < 0)
		return -1;
	return finish_mount(x, nfd, true, flags, err);
}

/* The data of a fresh mount of the hierarchy whose mountinfo super
 * options are `super` ("rw,cpu,cpuacct", "rw,xattr,name=systemd"): its
 * controllers and name, without rw/ro and release_agent (refused outside
 * the initial cgroup namespace). */
static char *cgroup_data(const char *super)
{
	_cleanup_free_ char *copy = sk_xasprintf("%.*s", (int)strcspn(super, " \n"), super);
	char *t, *save = NULL, *out = sk_xstrdup("");

	for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *n;

		if (!strcmp(t, "rw") || !strcmp(t, "ro") || sk_str_has_prefix(t, "release_agent="))
			continue;
		n = sk_xasprintf("%s%s%s", out, *out ? "," : "", t);
		free(out);
		out = n;
	}
	return out;
}

/* With a cgroup namespace: the hierarchy mounted afresh at `p` (the init
 * has unshared it), so that its root is the namespace's root, the
 * container's own cgroup, as runc does; a bind of the host's mount would
 * show the host's tree from its top.  Returns 0, or -1 with errno (a user
 * namespace may not mount v1 hierarchies: the caller binds then). */
static int mount_cgroup_fresh(const char *p, bool v2, const char *fields, unsigned long flags)
{
	unsigned long mflags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (flags & MS_RDONLY);
	const char *super = fields;
	_cleanup_free_ char *data = NULL;

	if (v2)
		return mount("cgroup2", p, "cgroup2", mflags, NULL);
	/* fields: "cgroup <source> <super options>" */
	for (int i = 0; i < 2 && super; i++) {
		super = strchr(super, ' ');
		if (super)
			super++;
	}
	if (!super)
		return errno = EINVAL, -1;
	data = cgroup_data(super);
	return mount("cgroup", p, "cgroup", mflags, data);
}

/* cgroup v1 or hybrid host: a tmpfs with each v1 hierarchy (the part of it
 * this process is in) bound under it, read-only when asked; with a cgroup
 * namespace each hierarchy mounted afresh instead (mount_cgroup_fresh). */
static int mount_cgroup_v1(struct mnt *x, int fd, unsigned long flags, struct sk_error *err)
{
	_cleanup_free_ char *info = NULL, *self = NULL;
	_cleanup_close_ int dir = -1;
	char p[SK_FD_PATH_MAX], *line, *save = NULL;
	bool cgroupns = sk_config_ns(x->r->config, SK_NS_CGROUP) != NULL;

	sk_fd_path(fd, p);
	if (mount("tmpfs", p, "tmpfs", flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC), "mode=755") < 0)
		return mnt_err(x, err, "mount tmpfs");
	dir = open_target_again(x, err);
	if (dir < 0)
		return -1;
	if (sk_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &info, NULL, 0, err) < 0 ||
	    sk_read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, 0, err) < 0)
		return sk_error_ctx(err, "mount \"%s\" on \"%s\"", x->what, x->dest);
	for (line = strtok_r(info, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *src = NULL;
		_cleanup_close_ int t = -1;
		char *f[5], *s = line, *name, *sep = strstr(line, " - ");
		bool v2;
		int n = 0;

		if (!sep || (!sk_str_has_prefix(sep + 3, "cgroup ") &&
			     !sk_str_has_prefix(sep + 3, "cgroup2 ")))
			continue;
		v2 = sep[9] == '2';
		while (n < 5 && s) {
			f[n++] = s;
			s = strchr(s, ' ');
			if (s)
				*s++ = '\0';
		}
		if (n < 5 || !sk_str_has_prefix(f[4], "/sys/fs/cgroup/"))
			continue;
		sk_unescape_octal(f[4]);
		name = f[4] + strlen("/sys/fs/cgroup/");
		if (!*name || strchr(name, '/'))
			continue;
		/* the path of this hierarchy in /proc/self/cgroup */
		for (char *c = self; c && *c; c = strchr(c, '\n') ? strchr(c, '\n') + 1 : NULL) {
			char *col = strchr(c, ':'), *col2 = col ? strchr(col + 1, ':') : NULL;
			size_t nl = col2 ? (size_t)(col2 - col - 1) : 0;

			if (col2 && v2 && nl == 0 && !strncmp(c, "0:", 2)) {
				size_t pl = strcspn(col2 + 1, "\n");

				src = sk_xasprintf("%s%.*s", f[4], (int)pl, col2 + 1);
				break;
			}
			if (col2 && !v2 && ((nl == strlen(name) && !strncmp(col + 1, name, nl)) ||
				     (nl > 5 && !strncmp(col + 1, "name=", 5) &&
				      nl - 5 == strlen(name) && !strncmp(col + 6, name, nl - 5)))) {
				size_t pl = strcspn(col2 + 1, "\n");

				src = sk_xasprintf("%s%.*s", f[4], (int)pl, col2 + 1);
				break;
			}
		}
		if (!src || access(src, F_OK) < 0) {
			free(src);
			src = sk_xstrdup(f[4]);
		}
		if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
			return mnt_err(x, err, "mkdir cgroup hierarchy");
		t = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (t < 0)
			return mnt_err(x, err, "open cgroup hierarchy");
		sk_fd_path(t, p);
		if (cgroupns && mount_cgroup_fresh(p, v2, sep + 3, flags) == 0)
			goto links;
		if (cgroupns && errno != EPERM)
			return mnt_err(x, err, "mount cgroup hierarchy");
		if (mount(src, p, NULL, MS_BIND | MS_REC, NULL) < 0)
			return mnt_err(x, err, "bind cgroup hierarchy");
		close(t);
		t = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (t < 0)
			return mnt_err(x, err, "open cgroup hierarchy");
		sk_fd_path(t, p);
		if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV |
			  MS_NOEXEC | (flags & MS_RDONLY), NULL) < 0)
			return mnt_err(x, err, "remount cgroup hierarchy");
links:
		/* "cpu,cpuacct" -> symlinks "cpu" and "cpuacct" */
		if (strchr(name, ',')) {
			_cleanup_free_ char *names = sk_xstrdup(name);
			char *sv = NULL;

			for (char *c = strtok_r(names, ",", &sv); c; c = strtok_r(NULL, ",", &sv))
				if (symlinkat(name, dir, c) < 0 && errno != EEXIST)
					return mnt_err(x, err, "symlink cgroup hierarchy");
		}
	}
	if (flags & MS_RDONLY) {
		sk_fd_path(dir, p);
		if (mount(NULL, p, NULL, MS_REMOUNT | MS_RDONLY | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)),
			  "mode=755") < 0)
			return mnt_err(x, err, "remount read-only");
	}
	return finish_mount(x, dir, false, 0, err);
}

/* linux.mountLabel: the SELinux context of the filesystems mounted for
 * the container (as runc: not proc, sysfs, cgroup, binds).  Without
 * SELinux on the host there is nothing to label. */
static void label_mount(const struct sk_config *c, const char *type, char **data)
{
	static const char *const skip[] = { "proc", "sysfs", "cgroup", "cgroup2", "mqueue" };
	char *d;

	if (!c->linux.mount_label || !*c->linux.mount_label ||
	    access("/sys/fs/selinux/enforce", F_OK) < 0)
		return;
	for (size_t i = 0; i < SK_ARRAY_SIZE(skip); i++)
		if (!strcmp(type, skip[i]))
			return;
	d = *data ? sk_xasprintf("%s,context=\"%s\"", *data, c->linux.mount_label)
		  : sk_xasprintf("context=\"%s\"", c->linux.mount_label);
	free(*data);
	*data = d;
}

static int mount_one(const struct sk_rootfs *r, int rootfd, const struct sk_mount *m,
		     struct sk_error *err)
{
	struct mnt x = { .r = r, .m = m, .rootfd = rootfd, .dest = m->destination };
	_cleanup_close_ int fd = -1, nfd = -1, old = -1;
	const char *type = m->type, *source = m->source;
	unsigned long flags;
	char p[SK_FD_PATH_MAX];
	bool special, tmpfs, keep_mode = false;
	mode_t mode = 0;
	int ret = -1;

	x.what = source && *source ? source : (type ? type : "none");
	if (!x.dest || !*x.dest)
		return sk_error(err, EINVAL, "mount \"%s\": no destination", x.what);
	if (sk_mount_opts_parse(m->options, m->n_options, &x.o, err) < 0)
		return sk_error_ctx(err, "mount \"%s\" on \"%s\"", x.what, x.dest);
	flags = x.o.flags;
	if (sk_mount_is_idmapped(m)) {
		int tree = r->idmap_fds ? r->idmap_fds[m - r->config->mounts] : -1;

		if (tree < 0) {
			sk_error(err, EINVAL, "mount \"%s\" on \"%s\": id-mapped tree not prepared",
				 x.what, x.dest);
			goto out;
		}
		ret = mount_idmapped(&x, tree, flags, err);
		goto out;
	}
	special = type && (!strcmp(type, "proc") || !strcmp(type, "sysfs")) && !(flags & MS_REMOUNT);
	if (special) {
		/* (refused before sysfs may turn into a bind of the host's) */
		fd = open_special_target(&x, type, err);
		if (fd < 0)
			goto out;
	}
	if (type && !strcmp(type, "sysfs") && !(flags & MS_REMOUNT) && !own_netns(r->config)) {
		/* sysfs belongs to the network namespace: without one of its
		 * own the container gets the host's /sys, bound */
		source = "/sys";
		type = "bind";
		flags |= MS_BIND | MS_REC;
		x.o.attr_set |= recursive_attrs(flags);
	}
	if (flags & MS_REMOUNT) {
		/* change the flags of what is mounted there already */
		fd = sk_open_in_root(rootfd, x.dest, O_PATH, 0, err);
		if (fd < 0) {
			sk_error_ctx(err, "mount \"%s\" on \"%s\"", x.what, x.dest);
			goto out;
		}
		sk_fd_path(fd, p);
		if (mount(NULL, p, NULL, flags & ~MS_REC, x.o.data) < 0) {
			mnt_err(&x, err, "remount");
			goto out;
		}
		ret = finish_mount(&x, fd, false, flags, err);
		goto out;
	}
	if ((flags & MS_BIND) || (type && !strcmp(type, "bind"))) {
		ret = mount_bind(&x, source, flags, err);
		goto out;
	}
	if (!type || !*type) {
		sk_error(err, EINVAL, "mount \"%s\" on \"%s\": no type", x.what, x.dest);
		goto out;
	}
	tmpfs = !strcmp(type, "tmpfs");
	if (fd < 0 && tmpfs && !has_data_opt(x.o.data, "mode")) {
		/* over a directory, the tmpfs keeps its mode (set-id bits and
		 * all), as runc does; a new one stays at tmpfs's 1777 */
		struct stat st;

		fd = sk_open_in_root(rootfd, x.dest, O_PATH, 0, err);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			keep_mode = true;
			mode = st.st_mode & 07777;
		}
	}
	if (fd < 0)
		fd = sk_open_in_root(rootfd, x.dest, O_PATH, S_IFDIR, err);
	if (fd < 0) {
		sk_error_ctx(err, "mount \"%s\" on \"%s\"", x.what, x.dest);
		goto out;
	}
	if (check_proc_target(&x, fd, err) < 0)
		goto out;
	sk_fd_path(fd, p);
	if (!strcmp(type, "cgroup") && !host_cgroup2()) {
		ret = mount_cgroup_v1(&x, fd, flags, err);
		goto out;
	}
	if (!strcmp(type, "cgroup"))
		type = "cgroup2";
	label_mount(r->config, type, &x.o.data);
	if (x.o.tmpcopyup && tmpfs) {
		old = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (old < 0) {
			mnt_err(&x, err, "tmpcopyup: open");
			goto out;
		}
	}
	/* a read-only tmpfs is made read-only last (sk_rootfs_finish):
	 * there are mount points, devices or its mode to set up in it */
	if (mount(source && *source ? source : type, p, type,
		  flags & ~(MS_REC | (tmpfs ? MS_RDONLY : 0)), x.o.data) < 0) {
		int e = errno;

		if ((e == EPERM || e == EBUSY) &&
		    (!strcmp(type, "sysfs") || !strcmp(type, "cgroup2"))) {
			/* not allowed here (a shared netns or no cgroupns):
			 * bind the host's instead, as runc does */
			x.o.attr_set |= recursive_attrs(flags);
			ret = mount_bind(&x, !strcmp(type, "sysfs") ? "/sys" : "/sys/fs/cgroup",
					 flags | MS_BIND | MS_REC, err);
			goto out;
		}
		errno = e;
		mnt_err(&x, err, "mount");
		goto out;
	}
	/* the new mount, for what finish_mount and tmpcopyup do to it */
	if (!x.o.n_prop && !x.o.attr_set && !x.o.attr_clr && old < 0 && !keep_mode) {
		ret = 0;
		goto out;
	}
	nfd = open_target_again(&x, err);
	if (nfd < 0)
		goto out;
	if (old >= 0 || keep_mode) {
		_cleanup_close_ int to = openat(nfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;

		if (to < 0 || (keep_mode && fchmod(to, mode) < 0)) {
			mnt_err(&x, err, "set the mode of the tmpfs");
			goto out;
		}
		/* tmpcopyup: the owner of the directory, and its contents */
		if (old >= 0 && (fstat(old, &st) < 0 || fchown(to, st.st_uid, st.st_gid) < 0 ||
				 copy_tree(old, to, 0) < 0)) {
			mnt_err(&x, err, "tmpcopyup");
			goto out;
		}
	}
	ret = finish_mount(&x, nfd, false, flags, err);
out:
	sk_mount_opts_free(&x.o);
	return ret;
}

/* ---- prepare -------------------------------------------------------- */

static bool needs_setup_dev(const struct sk_config *c)
{
	bool setup = true;

	for (size_t i = 0; i < c->n_mounts; i++) {
		_cleanup_free_ char *d = NULL;
		struct sk_mount_opts o;
		struct sk_error e;

		if (!c->mounts[i].destination)
			continue;
		d = sk_clean_path(c->mounts[i].destination);
		if (strcmp(d, "/dev"))
			continue;
		setup = true;
		if (c->mounts[i].type && !strcmp(c->mounts[i].type, "bind"))
			setup = false;
		if (sk_mount_opts_parse(c->mounts[i].options, c->mounts[i].n_options, &o, &e) == 0) {
			if (o.flags & MS_BIND)
				setup = false;
			sk_mount_opts_free(&o);
		}
	}
	return setup;
}

int sk_rootfs_prepare(const struct sk_rootfs *r, struct sk_error *err)
{
	const struct sk_config *c = r->config;
	_cleanup_free_ char *parent = NULL, *real = NULL;
	_cleanup_close_ int rootfd = -1;
	unsigned long prop = c->linux.rootfs_propagation;

	if (r->shared_mntns)
		return 0;   /* skiff's own mounts are not the container's to change */
	/* Nothing done below may propagate to the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return sk_error_sys(err, "make \"/\" rslave");
	if ((prop & (MS_SHARED | MS_PRIVATE)) && mount(NULL, "/", NULL, prop | MS_REC, NULL) < 0)
		return sk_error_sys(err, "set propagation of \"/\" to \"%s\"",
				    sk_enum_name(&sk_enum_propagation, prop));
	/* pivot_root wants the mount holding the rootfs not shared, and a
	 * bind of the rootfs on a shared mount would propagate to the host:
	 * as runc does, make that mount private.  After the rslave above it
	 * can only be shared when rootfsPropagation asked for it. */
	if (prop & MS_SHARED) {
		real = realpath(r->rootfs, NULL);
		if (!real)
			return sk_error_sys(err, "rootfs \"%s\"", r->rootfs);
		parent = mount_point_of(real, err);
		if (!parent)
			return -1;
		if (mount(NULL, parent, NULL, MS_PRIVATE, NULL) < 0)
			return sk_error_sys(err, "make \"%s\" private", parent);
	}
	if (mount(r->rootfs, r->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return sk_error_sys(err, "bind mount rootfs \"%s\"", r->rootfs);
	rootfd = open(r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return sk_error_sys(err, "open rootfs \"%s\"", r->rootfs);
	for (size_t i = 0; i < c->n_mounts; i++) {
		const char *type = c->mounts[i].type;

		if (r->enter_netns && type && !strcmp(type, "sysfs") &&
		    r->enter_netns(r->netns_arg, err) < 0)
			return -1;
		if (mount_one(r, rootfd, &c->mounts[i], err) < 0)
			return -1;
	}
	return sk_rootfs_devices(r, rootfd, needs_setup_dev(c), err);
}
