/* Kernel interfaces skiff calls that not every C library wraps: the mount
 * API (open_tree, move_mount, fsopen, fsconfig, fsmount, mount_setattr)
 * and statx.  glibc >= 2.36 declares them in <sys/mount.h> and
 * <sys/stat.h>; musl 1.2.3 (the static build, configure --with-musl) has
 * neither, so they are declared here over syscall(2), with the constants
 * and structures from the kernel's own headers.  Include this instead of
 * <sys/mount.h>. */
#ifndef SKIFF_LINUX_API_H
#define SKIFF_LINUX_API_H

#include <sys/mount.h>
#include <sys/stat.h>

#ifndef HAVE_OPEN_TREE
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int open_tree(int dfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static inline int move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
			     unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static inline int fsopen(const char *fsname, unsigned int flags)
{
	return (int)syscall(SYS_fsopen, fsname, flags);
}

static inline int fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int fsmount(int fd, unsigned int flags, unsigned int attr_flags)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr_flags);
}

static inline int mount_setattr(int dfd, const char *path, unsigned int flags,
				struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}
#endif /* !HAVE_OPEN_TREE */

#ifndef HAVE_STATX
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int statx(int dfd, const char *path, int flags, unsigned int mask, struct statx *buf)
{
	return (int)syscall(SYS_statx, dfd, path, flags, mask, buf);
}
#endif /* !HAVE_STATX */

#endif
