/* sk_rootfs_finish, after the pivot: linux.maskedPaths,
 * linux.readonlyPaths, root.readonly.  Paths are resolved inside the new
 * root like the mount targets; bind mounts use the new mount API
 * (open_tree/move_mount) on fds, so nothing here goes through a path the
 * image could have replaced. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/linux_api.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "mountopts.h"

/* Open `path` for masking; 1 when it does not exist (skipped). */
static int open_existing(int rootfd, const char *path, int *out, struct sk_error *err)
{
	*out = sk_open_in_root(rootfd, path, O_PATH, 0, err);
	if (*out >= 0)
		return 0;
	return err->errnum == ENOENT ? 1 : -1;
}

/* The /dev/null to bind over masked files, checked to be the real char
 * device 1:3: the image (or a malicious container sharing the mount)
 * could have replaced it with a symlink or a file (CVE-2025-31133). */
static int open_dev_null(int rootfd, struct sk_error *err)
{
	_cleanup_close_ int fd = sk_open_in_root(rootfd, "/dev/null", O_PATH, 0, err);
	struct stat st;
	int ret;

	if (fd < 0)
		return sk_error_ctx(err, "maskedPaths");
	if (fstat(fd, &st) < 0)
		return sk_error_sys(err, "maskedPaths: stat \"/dev/null\"");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		return sk_error(err, EPERM, "maskedPaths: \"/dev/null\" is not the null device (1:3)");
	ret = fd;
	fd = -1;
	return ret;
}

static int mask_path(int rootfd, int *devnull, const char *path, struct sk_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r = open_existing(rootfd, path, &fd, err);

	if (r != 0)
		return r > 0 ? 0 : sk_error_ctx(err, "maskedPaths");
	if (fstat(fd, &st) < 0)
		return sk_error_sys(err, "maskedPaths: stat \"%s\"", path);
	if (S_ISDIR(st.st_mode)) {
		char p[SK_FD_PATH_MAX];
		_cleanup_close_ int fs = -1, mnt = -1;

		/* an empty read-only tmpfs over the directory */
		fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
		if (fs >= 0) {
			if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
				return sk_error_sys(err, "maskedPaths: \"%s\": create tmpfs", path);
			mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
			if (mnt < 0)
				return sk_error_sys(err, "maskedPaths: \"%s\": fsmount", path);
			if (move_mount(mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
				       MOVE_MOUNT_T_EMPTY_PATH) < 0)
				return sk_error_sys(err, "maskedPaths: \"%s\": move_mount", path);
			return 0;
		}
		if (errno != ENOSYS)
			return sk_error_sys(err, "maskedPaths: \"%s\": fsopen tmpfs", path);
		sk_fd_path(fd, p);
		if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			return sk_error_sys(err, "maskedPaths: mount tmpfs on \"%s\"", path);
		return 0;
	}
	if (*devnull < 0) {
		*devnull = open_dev_null(rootfd, err);
		if (*devnull < 0)
			return -1;
	}
	if (sk_bind_fd(*devnull, fd, false) < 0)
		return sk_error_sys(err, "maskedPaths: bind \"/dev/null\" on \"%s\"", path);
	return 0;
}

static int readonly_path(int rootfd, const char *path, struct sk_error *err)
{
	struct mount_attr a = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC,
	};
	_cleanup_close_ int fd = -1, tree = -1;
	int r = open_existing(rootfd, path, &fd, err);

	if (r != 0)
		return r > 0 ? 0 : sk_error_ctx(err, "readonlyPaths");
	/* a recursive clone of the path, made read-only as a whole, put
	 * back over it (bind on itself + remount ro, recursively) */
	tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0) {
		char p[SK_FD_PATH_MAX];
		_cleanup_close_ int nfd = -1;

		if (errno != ENOSYS)
			return sk_error_sys(err, "readonlyPaths: \"%s\": open_tree", path);
		sk_fd_path(fd, p);
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
			return sk_error_sys(err, "readonlyPaths: bind \"%s\"", path);
		nfd = sk_open_in_root(rootfd, path, O_PATH, 0, err);
		if (nfd < 0)
			return sk_error_ctx(err, "readonlyPaths");
		sk_fd_path(nfd, p);
		if (mount(NULL, p, NULL, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
			  MS_BIND | MS_REC | MS_REMOUNT, NULL) < 0)
			return sk_error_sys(err, "readonlyPaths: remount \"%s\" read-only", path);
		return 0;
	}
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return sk_error_sys(err, "readonlyPaths: \"%s\": mount_setattr", path);
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return sk_error_sys(err, "readonlyPaths: \"%s\": move_mount", path);
	return 0;
}

static int readonly_root(struct sk_error *err)
{
	unsigned long flags = MS_RDONLY | MS_BIND | MS_REMOUNT;
	struct statvfs sv;

	if (statvfs("/", &sv) < 0)
		return sk_error_sys(err, "root.readonly: statvfs \"/\"");
	/* keep what the mount has (and what a user namespace locked) */
	if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME) flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME) flags |= MS_RELATIME;
	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return sk_error_sys(err, "root.readonly: remount \"/\" read-only");
	return 0;
}

/* A tmpfs asked read-only was mounted read-write (rootfs/mounts.c), for
 * what is made in it: the devices in /dev, mount points, the mode of its
 * root.  Read-only now, as runc does it (finalizeRootfs); the topmost
 * mount at the destination, in the new root. */
static int readonly_tmpfs(const struct sk_config *c, int rootfd, struct sk_error *err)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sk_mount *m = &c->mounts[i];
		_cleanup_close_ int fd = -1;
		struct sk_mount_opts o;
		char p[SK_FD_PATH_MAX];
		unsigned long flags;

		if (!m->type || strcmp(m->type, "tmpfs") || !m->destination)
			continue;
		if (sk_mount_opts_parse(m->options, m->n_options, &o, err) < 0)
			return -1;
		flags = o.idmap ? 0 : o.flags;
		sk_mount_opts_free(&o);
		if (!(flags & MS_RDONLY) || (flags & (MS_REMOUNT | MS_BIND)))
			continue;
		fd = sk_open_in_root(rootfd, m->destination, O_PATH, 0, err);
		if (fd < 0)
			return sk_error_ctx(err, "mount \"tmpfs\" on \"%s\": read-only", m->destination);
		sk_fd_path(fd, p);
		flags &= MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
			 MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW;
		if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL) < 0)
			return sk_error_sys(err, "mount \"tmpfs\" on \"%s\": remount read-only",
					    m->destination);
	}
	return 0;
}

int sk_rootfs_finish(const struct sk_rootfs *r, struct sk_error *err)
{
	const struct sk_config *c = r->config;
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int devnull = -1;

	if (rootfd < 0)
		return sk_error_sys(err, "open \"/\"");
	if (r->shared_mntns)
		return 0;   /* (nothing of this was allowed: src/checks.c) */
	if (readonly_tmpfs(c, rootfd, err) < 0)
		return -1;
	for (size_t i = 0; i < c->linux.n_masked_paths; i++)
		if (mask_path(rootfd, &devnull, c->linux.masked_paths[i], err) < 0)
			return -1;
	for (size_t i = 0; i < c->linux.n_readonly_paths; i++)
		if (readonly_path(rootfd, c->linux.readonly_paths[i], err) < 0)
			return -1;
	if (c->root_readonly && readonly_root(err) < 0)
		return -1;
	/* linux.rootfsPropagation for the container's own tree, last: e.g.
	 * "shared" makes it a new peer group (prepare made its mount
	 * private, so it is not the host's), "unbindable" forbids binds. */
	if (c->linux.rootfs_propagation &&
	    mount(NULL, "/", NULL, c->linux.rootfs_propagation | MS_REC, NULL) < 0)
		return sk_error_sys(err, "set propagation of \"/\" to \"%s\"",
				    sk_enum_name(&sk_enum_propagation, c->linux.rootfs_propagation));
	return 0;
}
