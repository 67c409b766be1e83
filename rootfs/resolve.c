/* Safe path resolution inside the rootfs.
 *
 * openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) when the kernel has it and
 * nothing needs creating; otherwise a component-by-component walk: each
 * component is opened with O_PATH|O_NOFOLLOW relative to the fd of its
 * parent, ".." pops a stack of directory fds (never above the root, never
 * through the kernel's ".."), and symlinks are read and spliced into the
 * rest of the path (absolute ones restart at the root), at most
 * SK_MAXSYMLINKS times.  Missing components are created on the way. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "skiff/error.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "mountopts.h"

#define SK_MAXSYMLINKS 40

static bool have_openat2 = true;

void sk_resolve_force_walk(bool on)
{
	have_openat2 = !on;
}

void sk_fd_path(int fd, char buf[SK_FD_PATH_MAX])
{
	snprintf(buf, SK_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

static int sys_openat2(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

struct walk {
	int *fds;        /* fds[0] is the root (not owned), fds[1..n-1] owned */
	size_t n, cap;
};

static void walk_push(struct walk *w, int fd)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->fds = sk_xrealloc(w->fds, w->cap * sizeof(int));
	}
	w->fds[w->n++] = fd;
}

static void walk_pop_to(struct walk *w, size_t n)
{
	while (w->n > n) {
		w->n--;
		if (w->n > 0)
			close(w->fds[w->n]);
	}
}

static void walk_free(struct walk *w)
{
	walk_pop_to(w, 0);
	free(w->fds);
}

/* Create the missing component `name` in `dirfd`: a directory, or with
 * S_IFREG as the last component an empty file.  EEXIST is fine (a race, or
 * a dangling symlink which the walk then follows). */
static int create_component(int dirfd, const char *name, bool last, mode_t create)
{
	if (last && create == S_IFREG) {
		int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return errno == EEXIST ? 0 : -1;
		close(fd);
		return 0;
	}
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* The walk.  Returns an O_PATH fd of the target, or -1 with errno set.
 * A dangling symlink is followed and its target created (inside the root);
 * symlink loops end with ELOOP after SK_MAXSYMLINKS links. */
static int walk_in_root(int rootfd, const char *path, mode_t create)
{
	struct walk w = { 0 };
	char *rest = sk_xstrdup(path);
	int links = 0, ret = -1, saved;

	walk_push(&w, rootfd);
	for (;;) {
		char *p = rest, *comp, *next, *target;
		struct stat st;
		bool last;
		int fd;

		while (*p == '/')
			p++;
		if (!*p) {
			/* done: the top of the stack */
			ret = fcntl(w.fds[w.n - 1], F_DUPFD_CLOEXEC, 0);
			break;
		}
		comp = p;
		next = strchr(p, '/');
		if (next)
			*next++ = '\0';
		else
			next = p + strlen(p);
		while (*next == '/')
			next++;
		last = !*next;

		if (!strcmp(comp, ".")) {
			memmove(rest, next, strlen(next) + 1);
			continue;
		}
		if (!strcmp(comp, "..")) {
			if (w.n > 1)
				walk_pop_to(&w, w.n - 1);
			memmove(rest, next, strlen(next) + 1);
			continue;
		}
		fd = openat(w.fds[w.n - 1], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			if (create_component(w.fds[w.n - 1], comp, last, create) < 0)
				break;
			fd = openat(w.fds[w.n - 1], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0)
			break;
		if (fstat(fd, &st) < 0) {
			close(fd);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char buf[PATH_MAX];
			ssize_t len;
			size_t need;

			if (++links > SK_MAXSYMLINKS) {
				close(fd);
				errno = ELOOP;
				break;
			}
			len = readlinkat(fd, "", buf, sizeof(buf) - 1);
			close(fd);
			if (len < 0)
				break;
			buf[len] = '\0';
			need = (size_t)len + 1 + strlen(next) + 1;
			if (need > PATH_MAX) {
				errno = ENAMETOOLONG;
				break;
			}
			if (buf[0] == '/')
				walk_pop_to(&w, 1);
			target = sk_xasprintf("%s/%s", buf, next);
			free(rest);
			rest = target;
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode)) {
			close(fd);
			errno = ENOTDIR;
			break;
		}
		walk_push(&w, fd);
		memmove(rest, next, strlen(next) + 1);
	}
	saved = errno;
	walk_free(&w);
	free(rest);
	errno = saved;
	return ret;
}

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFIFO: return "a fifo";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symlink";
	case S_IFDIR: return "a directory";
	default: return "not a directory";
	}
}

int sk_open_in_root(int rootfd, const char *path, int flags, mode_t create,
		    struct sk_error *err)
{
	_cleanup_close_ int fd = -1;
	bool want_dir = create == S_IFDIR || (flags & O_DIRECTORY);
	struct stat st;
	int ret;

	if (!path)
		return sk_error(err, EINVAL, "open in rootfs: no path");
	if (strlen(path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return sk_error_sys(err, "open \"%.64s...\" in rootfs", path);
	}
	/* First an O_PATH fd to check what the target is (opening a fifo
	 * for reading would block). */
	if (have_openat2) {
		/* EAGAIN: a rename raced with a ".." lookup; try again */
		for (int i = 0; i < 16; i++) {
			fd = sys_openat2(rootfd, path, O_PATH);
			if (fd >= 0 || errno != EAGAIN)
				break;
		}
		if (fd < 0 && errno == ENOSYS)
			have_openat2 = false;
	}
	if (!have_openat2 || (fd < 0 && errno == ENOENT && create))
		fd = walk_in_root(rootfd, path, create);
	if (fd < 0)
		return sk_error_sys(err, "open \"%s\" in rootfs", path);
	if ((flags & O_PATH) && !want_dir && !create) {
		/* nothing to check: the caller gets the O_PATH fd as it is */
		ret = fd;
		fd = -1;
		return ret;
	}
	if (fstat(fd, &st) < 0)
		return sk_error_sys(err, "stat \"%s\" in rootfs", path);
	if (want_dir && !S_ISDIR(st.st_mode))
		return sk_error(err, ENOTDIR, "open \"%s\" in rootfs: is %s, want a directory",
				path, type_name(st.st_mode));
	if (create == S_IFREG && S_ISDIR(st.st_mode))
		return sk_error(err, EISDIR, "open \"%s\" in rootfs: is a directory, want a file",
				path);
	if (flags & O_PATH) {
		ret = fd;
		fd = -1;
		return ret;
	}
	flags &= ~(O_CREAT | O_EXCL);
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return sk_error(err, ENXIO, "open \"%s\" in rootfs: is %s", path,
				type_name(st.st_mode));
	/* Reopen for I/O.  Through openat2 again when we have it, else
	 * through the fd (a magic link of our own process). */
	if (have_openat2) {
		ret = sys_openat2(rootfd, path, flags | O_NOCTTY);
	} else {
		char p[SK_FD_PATH_MAX];

		sk_fd_path(fd, p);
		ret = open(p, flags | O_NOCTTY | O_CLOEXEC);
	}
	if (ret < 0)
		return sk_error_sys(err, "open \"%s\" in rootfs", path);
	return ret;
}

/* Split "a/b/c" into the parent "a/b" (opened, created if asked) and "c". */
int sk_open_parent_in_root(int rootfd, const char *path, bool create,
			   char **name, struct sk_error *err)
{
	_cleanup_free_ char *clean = sk_clean_path(path);
	char *slash = strrchr(clean, '/');
	const char *base = slash ? slash + 1 : clean;
	int fd;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return sk_error(err, EINVAL, "\"%s\": not a path to a file", path);
	if (slash)
		*slash = '\0';
	fd = sk_open_in_root(rootfd, slash ? (*clean ? clean : "/") : ".",
			     O_PATH | O_DIRECTORY, create ? S_IFDIR : 0, err);
	if (fd < 0)
		return -1;
	*name = sk_xstrdup(base);
	return fd;
}

char *sk_clean_path(const char *path)
{
	size_t len = strlen(path);
	char *out = sk_xmalloc(len + 2), *o = out;
	const char *p = path;

	if (*p == '/')
		*o++ = '/';
	while (*p) {
		const char *e;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (!(n == 1 && *p == '.')) {
			if (o > out && o[-1] != '/')
				*o++ = '/';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	if (o == out)
		*o++ = '.';
	*o = '\0';
	return out;
}
