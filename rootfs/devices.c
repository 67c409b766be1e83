/* /dev inside the rootfs: the default devices of config-linux.md, the
 * /dev symlinks of runtime-linux.md, then linux.devices.  Nodes are made
 * with mknodat on the fd of their parent directory, resolved inside the
 * rootfs; in a user namespace the host's nodes are bind-mounted instead. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/linux_api.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "mountopts.h"

struct dev {
	const char *path;
	mode_t type;
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct dev default_devices[] = {
	{ "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0 },
	{ "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0 },
	{ "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0 },
	{ "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0 },
	{ "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0 },
	{ "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0 },
};

static const struct { const char *target, *name; } dev_symlinks[] = {
	{ "/proc/self/fd", "fd" },
	{ "/proc/self/fd/0", "stdin" },
	{ "/proc/self/fd/1", "stdout" },
	{ "/proc/self/fd/2", "stderr" },
};

int sk_bind_fd(int src, int dst, bool recursive)
{
	_cleanup_close_ int tree = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					     AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
	char s[SK_FD_PATH_MAX], d[SK_FD_PATH_MAX];

	if (tree >= 0)
		return move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH |
				  MOVE_MOUNT_T_EMPTY_PATH);
	if (errno != ENOSYS)
		return -1;
	sk_fd_path(src, s);
	sk_fd_path(dst, d);
	return mount(s, d, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL);
}

/* Remove what is at dirfd/name unless it is a directory. */
static int remove_existing(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	/* an earlier bind (userns) may cover it */
	{
		_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		char p[SK_FD_PATH_MAX];

		if (fd >= 0) {
			sk_fd_path(fd, p);
			umount2(p, MNT_DETACH);
		}
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* The node `name` in `dirfd` (d->path names it in messages).  The caller
 * has set the umask to 0, so that mknod gives the exact mode, and a node
 * made by its final owner needs no chown. */
static int make_node(const struct sk_rootfs *r, int dirfd, const char *name, const struct dev *d,
		     uid_t euid, gid_t egid, struct sk_error *err)
{
	if (remove_existing(dirfd, name) < 0)
		return sk_error_sys(err, "device \"%s\": remove existing", d->path);
	if (r->userns && d->type != S_IFIFO) {
		/* mknod is not allowed: bind the host's node over a file */
		_cleanup_close_ int src = -1, dst = -1;
		int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);

		if (fd < 0)
			return sk_error_sys(err, "device \"%s\": create", d->path);
		close(fd);
		src = open(d->path, O_PATH | O_CLOEXEC);
		if (src < 0)
			return sk_error_sys(err, "device \"%s\": open host device", d->path);
		dst = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (dst < 0)
			return sk_error_sys(err, "device \"%s\": open", d->path);
		if (sk_bind_fd(src, dst, false) < 0)
			return sk_error_sys(err, "device \"%s\": bind mount", d->path);
		return 0;
	}
	if (mknodat(dirfd, name, d->type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
		return sk_error_sys(err, "device \"%s\": mknod", d->path);
	if ((d->uid != euid || d->gid != egid) &&
	    fchownat(dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return sk_error_sys(err, "device \"%s\": chown", d->path);
	return 0;
}

/* A device of linux.devices: its parent directory resolved in the rootfs. */
static int create_device(const struct sk_rootfs *r, int rootfd, const struct dev *d,
			 uid_t euid, gid_t egid, struct sk_error *err)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int dirfd = sk_open_parent_in_root(rootfd, d->path, true, &name, err);

	if (dirfd < 0)
		return sk_error_ctx(err, "device \"%s\"", d->path);
	return make_node(r, dirfd, name, d, euid, egid, err);
}

static int config_device(const struct sk_device *cd, struct dev *d, struct sk_error *err)
{
	memset(d, 0, sizeof(*d));
	d->path = cd->path;
	if (!cd->path || cd->path[0] != '/')
		return sk_error(err, EINVAL, "device \"%s\": path must be absolute",
				cd->path ? cd->path : "");
	switch (cd->type) {
	case SK_DEV_CHAR:
	case SK_DEV_UNBUF:
		d->type = S_IFCHR;
		break;
	case SK_DEV_BLOCK:
		d->type = S_IFBLK;
		break;
	case SK_DEV_FIFO:
		d->type = S_IFIFO;
		break;
	default:
		return sk_error(err, EINVAL, "device \"%s\": no type", cd->path);
	}
	if (d->type != S_IFIFO) {
		if (!cd->has_major || !cd->has_minor)
			return sk_error(err, EINVAL, "device \"%s\": major and minor are required",
					cd->path);
		if (cd->major < 0 || cd->major > 0xfff || cd->minor < 0 || cd->minor > 0xfffff)
			return sk_error(err, EINVAL, "device \"%s\": major/minor out of range",
					cd->path);
		d->major = (unsigned)cd->major;
		d->minor = (unsigned)cd->minor;
	}
	d->mode = cd->has_file_mode ? (mode_t)(cd->file_mode & 07777) : 0666;
	d->uid = cd->has_uid ? cd->uid : 0;
	d->gid = cd->has_gid ? cd->gid : 0;
	return 0;
}

static int make_symlink(int devfd, const char *target, const char *name, bool replace,
			struct sk_error *err)
{
	if (replace && remove_existing(devfd, name) < 0)
		return sk_error_sys(err, "symlink \"/dev/%s\": remove existing", name);
	if (symlinkat(target, devfd, name) < 0 && errno != EEXIST)
		return sk_error_sys(err, "symlink \"/dev/%s\" -> \"%s\"", name, target);
	return 0;
}

static int setup_dev_links(int devfd, struct sk_error *err)
{
	for (size_t i = 0; i < SK_ARRAY_SIZE(dev_symlinks); i++)
		if (make_symlink(devfd, dev_symlinks[i].target, dev_symlinks[i].name, false, err) < 0)
			return -1;
	if (make_symlink(devfd, "pts/ptmx", "ptmx", true, err) < 0)
		return -1;
	if (access("/proc/kcore", F_OK) == 0 &&
	    make_symlink(devfd, "/proc/kcore", "core", false, err) < 0)
		return -1;
	return 0;
}

const char *sk_rootfs_default_device(size_t i)
{
	return i < SK_ARRAY_SIZE(default_devices) ? default_devices[i].path : NULL;
}

/* The default devices and symlinks, each directly in /dev: /dev opened
 * once. */
static int default_dev(const struct sk_rootfs *r, int rootfd, uid_t euid, gid_t egid,
			      struct sk_error *err)
{
	const struct sk_config *c = r->config;
	_cleanup_close_ int devfd = sk_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY,
						    S_IFDIR, err);

	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < SK_ARRAY_SIZE(default_devices); i++) {
		const struct dev *d = &default_devices[i];
		bool in_config = false;

		/* one from linux.devices replaces it below */
		for (size_t j = 0; j < c->linux.n_devices; j++) {
			_cleanup_free_ char *p = c->linux.devices[j].path ?
				sk_clean_path(c->linux.devices[j].path) : NULL;

			if (p && !strcmp(p, d->path))
				in_config = true;
		}
		if (!in_config && make_node(r, devfd, d->path + strlen("/dev/"), d, euid, egid, err) < 0)
			return -1;
	}
	return setup_dev_links(devfd, err);
}

int sk_rootfs_devices(const struct sk_rootfs *r, int rootfd, bool setup_dev,
		      struct sk_error *err)
{
	const struct sk_config *c = r->config;
	uid_t euid = geteuid();
	gid_t egid = getegid();
	mode_t old_umask = umask(0);
	int ret = -1;

	if (setup_dev && default_dev(r, rootfd, euid, egid, err) < 0)
		goto out;
	for (size_t i = 0; i < c->linux.n_devices; i++) {
		struct dev d;

		if (config_device(&c->linux.devices[i], &d, err) < 0 ||
		    create_device(r, rootfd, &d, euid, egid, err) < 0)
			goto out;
	}
	ret = 0;
out:
	umask(old_umask);
	return ret;
}
