/* sk_rootfs_pivot: make the rootfs "/".  pivot_root the runc way (no
 * put_old directory needed): pivot_root(".", ".") stacks the old root on
 * top of the new one, which is then made rslave (so the unmount does not
 * reach the host) and lazily unmounted.  With no_pivot (runc --no-pivot,
 * for a rootfs on ramfs) the rootfs is moved onto "/" and chroot'ed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The mount points of the whole procfs and sysfs mounts (root "/") out
 * of the rootfs, from mountinfo, newline-separated in *out. */
static int outer_procfs_mounts(const char *rootfs, char **out, struct sk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t rl = strlen(rootfs), len = 0;
	char *line, *save = NULL;

	*out = sk_xstrdup("");
	if (sk_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &buf, NULL, 0, err) < 0)
		return sk_error_ctx(err, "--no-pivot");
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *s = line, *sep = strstr(line, " - ");
		int n = 0;

		if (!sep || (!sk_str_has_prefix(sep + 3, "proc ") &&
			     !sk_str_has_prefix(sep + 3, "sysfs ")))
			continue;
		while (n < 5 && s) {
			f[n++] = s;
			s = strchr(s, ' ');
			if (s)
				*s++ = '\0';
		}
		if (n < 5 || strcmp(f[3], "/"))
			continue;
		sk_unescape_octal(f[4]);
		if (!strncmp(f[4], rootfs, rl) && (f[4][rl] == '/' || !f[4][rl]))
			continue;
		*out = sk_xrealloc(*out, len + strlen(f[4]) + 2);
		len += (size_t)sprintf(*out + len, "%s\n", f[4]);
	}
	return 0;
}

/* With chroot the mount namespace keeps the host's /proc and /sys below
 * the container's root: a whole procfs or sysfs there lets a nested user
 * namespace mount a fresh, unmasked one (the kernel allows it when a
 * fully visible one exists in the namespace).  As runc does, unmount them
 * first (in the container's namespace only: made rslave), or cover them
 * with a tmpfs when they cannot be unmounted. */
static int hide_outer_procfs(const struct sk_rootfs *r, struct sk_error *err)
{
	_cleanup_free_ char *list = NULL;
	char *mp, *save = NULL;

	if (outer_procfs_mounts(r->rootfs, &list, err) < 0)
		return -1;
	for (mp = strtok_r(list, "\n", &save); mp; mp = strtok_r(NULL, "\n", &save)) {
		if (mount(NULL, mp, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT || errno == EINVAL)
				continue;   /* gone with an outer one already */
			return sk_error_sys(err, "--no-pivot: make \"%s\" rslave", mp);
		}
		if (umount2(mp, MNT_DETACH) == 0)
			continue;
		if ((errno != EINVAL && errno != EPERM) ||
		    mount("tmpfs", mp, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			return sk_error_sys(err, "--no-pivot: hide the host's \"%s\"", mp);
	}
	return 0;
}

/* With no_pivot the rootfs is moved onto "/" first; with no mount
 * namespace of the container's own (shared_mntns) nothing is moved. */
static int do_chroot(const struct sk_rootfs *r, struct sk_error *err)
{
	if (r->no_pivot && hide_outer_procfs(r, err) < 0)
		return -1;
	if (chdir(r->rootfs) < 0)
		return sk_error_sys(err, "chdir to rootfs \"%s\"", r->rootfs);
	if (r->no_pivot && mount(r->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
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
	return r->no_pivot || r->shared_mntns ? do_chroot(r, err) : do_pivot(r, err);
}
