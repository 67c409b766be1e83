/* sk_rootfs_pivot: make the rootfs "/".  pivot_root the runc way (no
 * put_old directory needed): pivot_root(".", ".") stacks the old root on
 * top of the new one, which is then made rslave (so the unmount does not
 * reach the host) and lazily unmounted.  With no_pivot (runc --no-pivot,
 * for a rootfs on ramfs) the rootfs is moved onto "/" and chroot'ed. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "skiff/error.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "mountopts.h"

static int do_pivot(const struct sk_rootfs *r, struct sk_error *err)
{
	_cleanup_close_ int oldroot = -1, newroot = -1;

	oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return sk_error_sys(err, "pivot_root: open \"/\"");
	newroot = open(r->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (newroot < 0)
		return sk_error_sys(err, "pivot_root: open rootfs \"%s\"", r->rootfs);
	if (fchdir(newroot) < 0)
		return sk_error_sys(err, "pivot_root: chdir to rootfs \"%s\"", r->rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return sk_error_sys(err, "pivot_root \"%s\"", r->rootfs);
	/* "." is now the old root, stacked over the new one */
	if (fchdir(oldroot) < 0)
		return sk_error_sys(err, "pivot_root: chdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return sk_error_sys(err, "pivot_root: make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return sk_error_sys(err, "pivot_root: unmount the old root");
	if (chdir("/") < 0)
		return sk_error_sys(err, "pivot_root: chdir \"/\"");
	return 0;
}

static int do_chroot(const struct sk_rootfs *r, struct sk_error *err)
{
	if (chdir(r->rootfs) < 0)
		return sk_error_sys(err, "chdir to rootfs \"%s\"", r->rootfs);
	if (mount(r->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return sk_error_sys(err, "move rootfs \"%s\" to \"/\"", r->rootfs);
	if (chroot(".") < 0)
		return sk_error_sys(err, "chroot to rootfs \"%s\"", r->rootfs);
	if (chdir("/") < 0)
		return sk_error_sys(err, "chdir \"/\"");
	return 0;
}

int sk_rootfs_pivot(const struct sk_rootfs *r, struct sk_error *err)
{
	/* linux.rootfsPropagation is applied at the end of sk_rootfs_finish:
	 * an unbindable tree could not be bound from (masked paths) */
	return r->no_pivot ? do_chroot(r, err) : do_pivot(r, err);
}
