/* Mount options of config.json (mounts[].options) parsed into what the
 * mount syscalls want, and the helpers the files of rootfs/ share.  This
 * header is private to rootfs/ (and its unit test). */
#ifndef SKIFF_ROOTFS_MOUNTOPTS_H
#define SKIFF_ROOTFS_MOUNTOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sk_error;
struct sk_rootfs;

#define SK_MAX_PROPAGATION 8

struct sk_mount_opts {
	unsigned long flags;       /* MS_* to set, with MS_BIND|MS_REC for rbind */
	unsigned long clear;       /* MS_* explicitly cleared (rw, suid, dev ...) */
	unsigned long prop[SK_MAX_PROPAGATION]; /* MS_SHARED|MS_REC ..., in order */
	size_t n_prop;
	uint64_t attr_set;         /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) */
	uint64_t attr_clr;
	bool tmpcopyup;
	bool idmap;                /* idmap or ridmap */
	bool ridmap;
	char *data;                /* filesystem options "mode=755,size=65536k", or NULL */
};

/* Parse `options`; unknown names go to o->data.  Returns 0 or -1. */
int sk_mount_opts_parse(char *const *options, size_t n, struct sk_mount_opts *o,
			struct sk_error *err);
void sk_mount_opts_free(struct sk_mount_opts *o);

/* "shared", "rslave" ... -> MS_* (r-prefixed with MS_REC).  -1 if unknown. */
int sk_propagation_flags(const char *name, unsigned long *out);

/* Internal helpers shared by the files of rootfs/ */

/* Open the parent directory of `path` inside the root (creating missing
 * directories when `create`), and return the last component in *name
 * (heap).  "/" or a path ending in ".." is refused. */
int sk_open_parent_in_root(int rootfd, const char *path, bool create,
			   char **name, struct sk_error *err);
/* mountinfo's \040-style escapes, decoded in place. */
void sk_unescape_octal(char *s);
/* "//dev/./" -> "/dev" (lexical, for comparisons; ".." kept). */
char *sk_clean_path(const char *path);
/* Default devices, /dev symlinks (when `setup_dev`), then linux.devices. */
int sk_rootfs_devices(const struct sk_rootfs *r, int rootfd, bool setup_dev,
		      struct sk_error *err);
/* Bind mount the object of fd `src` onto fd `dst` (new mount API, falling
 * back to /proc/self/fd paths).  `recursive`: the whole tree. */
int sk_bind_fd(int src, int dst, bool recursive);

/* A detached clone of `path` (the whole tree with `rec`), id-mapped as
 * user namespace `userns` maps (its submounts too with `ridmap`); -1
 * with errno. */
int sk_idmap_tree(int dirfd, const char *path, bool rec, bool ridmap, int userns);

#endif
