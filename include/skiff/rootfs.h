/* Building the container's root filesystem.  Everything here runs in the
 * container's init process, inside its new mount namespace, as the steps
 * of src/ call them:
 *   sk_rootfs_prepare   -> propagation, rootfs bind, config mounts, devices
 *   (createContainer hooks run here)
 *   sk_rootfs_pivot     -> pivot_root (or chroot with --no-pivot)
 *   sk_rootfs_finish    -> maskedPaths, readonlyPaths, root.readonly,
 *                          linux.rootfsPropagation
 * Every mount target is resolved inside the rootfs (openat2 RESOLVE_IN_ROOT,
 * with a component-by-component fallback) and mounted through its fd, so a
 * symlink in the rootfs can never make a mount land outside it. */
#ifndef SKIFF_ROOTFS_H
#define SKIFF_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

struct sk_error;
struct sk_config;

struct sk_rootfs {
	const struct sk_config *config;
	const char *rootfs;      /* absolute path of root.path */
	const char *bundle;      /* absolute bundle dir: relative mount sources are relative to it */
	bool no_pivot;
	bool shared_mntns;       /* no mount namespace of its own: only chroot */
	bool userns;             /* in a new user namespace: bind devices instead of mknod */
	const int *idmap_fds;    /* per config mount: detached id-mapped tree, or -1 */
	const int *src_fds;      /* per config mount: O_PATH fd of the bind source, or -1 */
	/* When set, called before a sysfs mount (sysfs shows the network
	 * namespace of who mounts it): the init joins its network namespace
	 * only there, made meanwhile by skiff.  It must be idempotent. */
	int (*enter_netns)(void *arg, struct sk_error *err);
	void *netns_arg;
};

int sk_rootfs_prepare(const struct sk_rootfs *r, struct sk_error *err);
int sk_rootfs_pivot(const struct sk_rootfs *r, struct sk_error *err);
int sk_rootfs_finish(const struct sk_rootfs *r, struct sk_error *err);

/* Open `path` inside the root `rootfd` (absolute or relative, ".." and
 * symlinks never escape).  With `create` set to S_IFDIR or S_IFREG the
 * missing last component (and missing parent directories) is created.
 * `flags` are open flags (O_PATH, O_DIRECTORY ...; the fd is always
 * O_CLOEXEC, a fifo or socket is only opened with O_PATH).  Returns an fd
 * or -1. */
int sk_open_in_root(int rootfd, const char *path, int flags, mode_t create,
		    struct sk_error *err);
/* Tests (SKIFF_RESOLVE_WALK): resolve with the component walk even when
 * openat2 exists. */
void sk_resolve_force_walk(bool on);

/* "/proc/self/fd/N" for mounting through an fd. */
#define SK_FD_PATH_MAX 32
void sk_fd_path(int fd, char buf[SK_FD_PATH_MAX]);

/* Id-mapped mounts (rootfs/idmap.c), in skiff before clone3: refuse
 * what cannot work (check, with the config), then build one detached
 * id-mapped tree per such mount (fds[i], -1 for the others; n_mounts
 * entries) for the init to attach. */
struct sk_mount;
bool sk_mount_is_idmapped(const struct sk_mount *m);
int sk_idmap_check(const struct sk_config *c, struct sk_error *err);
int sk_idmap_open_mounts(const struct sk_config *c, const char *bundle, int *fds,
			 struct sk_error *err);
void sk_idmap_close_mounts(int *fds, size_t n);

/* In a new user namespace the init cannot reach what only the host's
 * root can (a source below a 0700 directory): skiff opens those bind
 * sources for it, in its mount namespace, before the id maps are written
 * (as runc does).  Which mounts: binds, not id-mapped, with a source out
 * of the rootfs. */
bool sk_mount_source_opened_ahead(const struct sk_config *c, const char *rootfs, size_t i);

/* The mount option names skiff understands (for `skiff features`). */
const char *const *sk_mount_option_names(size_t *n);

/* The path of the i-th default device (/dev/null ...), NULL past the
 * last (checkpoint: criu is told they may be bind mounts). */
const char *sk_rootfs_default_device(size_t i);

#endif
