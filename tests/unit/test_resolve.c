/* Unit tests of rootfs/: path resolution inside a root (openat2 and the
 * component walk), a mount through a resolved fd, the mount option parser.
 * Runs as root; mounts only in a private mount namespace of its own and
 * removes its temporary directory. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "skiff/error.h"
#include "skiff/linux_api.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "../../rootfs/mountopts.h"
#include "tap.h"

static char tmpdir[] = "/tmp/skiff-test-resolve-XXXXXX";
static char root[256];
static int rootfd = -1;

/* Is `fd` the same file as root/rel? */
static bool same_as(int fd, const char *rel)
{
	char p[512];
	struct stat a, b;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return fd >= 0 && fstat(fd, &a) == 0 && lstat(p, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void rel_symlink(const char *target, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p) < 0)
		perror(p);
}

static void test_resolve(const char *mode)
{
	struct sk_error err = { 0 };
	char name[128], path[128], want[128], *longpath;
	struct stat st;
	int fd;

#define T(s) (snprintf(name, sizeof(name), "%s: %s", mode, s), name)
	snprintf(path, sizeof(path), "up/etc-up-%s", mode);
	fd = sk_open_in_root(rootfd, path, O_PATH, S_IFDIR, &err);
	tap(same_as(fd, path + 3), T("symlink to ../../.. stays inside"), "%s", fd < 0 ? err.msg : "outside");
	if (fd >= 0) close(fd);

	snprintf(path, sizeof(path), "slash/etc-slash-%s", mode);
	fd = sk_open_in_root(rootfd, path, O_PATH, S_IFDIR, &err);
	tap(same_as(fd, path + 6) && access(path + 5, F_OK) < 0,
	   T("symlink to / stays inside"), "%s", fd < 0 ? err.msg : "outside");
	if (fd >= 0) close(fd);

	snprintf(path, sizeof(path), "/../../../../etc-dots-%s", mode);
	fd = sk_open_in_root(rootfd, path, O_PATH, S_IFDIR, &err);
	tap(same_as(fd, path + 13), T(".. above the root stays at the root"), "%s",
	   fd < 0 ? err.msg : "outside");
	if (fd >= 0) close(fd);

	snprintf(path, sizeof(path), "abs/c-%s", mode);
	snprintf(want, sizeof(want), "a/b/c-%s", mode);
	fd = sk_open_in_root(rootfd, path, O_PATH, S_IFDIR, &err);
	tap(same_as(fd, want), T("absolute symlink resolves inside"), "%s",
	   fd < 0 ? err.msg : "wrong target");
	if (fd >= 0) close(fd);

	snprintf(name, sizeof(name), "%s-d1/d2/d3", mode);
	fd = sk_open_in_root(rootfd, name, O_PATH | O_DIRECTORY, S_IFDIR, &err);
	tap(fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755,
	   T("missing directories created 0755"), "%s", fd < 0 ? err.msg : "not a 0755 dir");
	if (fd >= 0) close(fd);

	snprintf(name, sizeof(name), "%s-f1/f2/file", mode);
	fd = sk_open_in_root(rootfd, name, O_PATH, S_IFREG, &err);
	tap(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
	   (st.st_mode & 0777) == 0644, T("empty file created for S_IFREG"), "%s",
	   fd < 0 ? err.msg : "not an empty 0644 file");
	if (fd >= 0) close(fd);

	snprintf(path, sizeof(path), "dl-%s", mode);
	snprintf(want, sizeof(want), "/dangling-%s/sub", mode);
	rel_symlink(want, path);
	snprintf(path, sizeof(path), "dl-%s/file", mode);
	snprintf(want, sizeof(want), "dangling-%s/sub/file", mode);
	fd = sk_open_in_root(rootfd, path, O_PATH, S_IFREG, &err);
	tap(same_as(fd, want), T("dangling symlink created inside"), "%s",
	   fd < 0 ? err.msg : "wrong target");
	if (fd >= 0) close(fd);

	fd = sk_open_in_root(rootfd, "fifo", O_PATH | O_DIRECTORY, S_IFDIR, &err);
	tap(fd < 0 && err.errnum == ENOTDIR, T("fifo refused when a directory is wanted"),
	   "fd %d errnum %d", fd, err.errnum);
	if (fd >= 0) close(fd);

	fd = sk_open_in_root(rootfd, "fifo", O_RDONLY, 0, &err);
	tap(fd < 0 && err.errnum == ENXIO, T("fifo refused for reading (no hang)"),
	   "fd %d errnum %d", fd, err.errnum);
	if (fd >= 0) close(fd);

	fd = sk_open_in_root(rootfd, "linktofifo/x", O_PATH, S_IFDIR, &err);
	tap(fd < 0 && err.errnum == ENOTDIR, T("fifo as a parent refused"), "fd %d errnum %d",
	   fd, err.errnum);
	if (fd >= 0) close(fd);

	fd = sk_open_in_root(rootfd, "chardev", O_PATH, S_IFDIR, &err);
	tap(fd < 0 && err.errnum == ENOTDIR, T("device refused when a directory is wanted"),
	   "fd %d errnum %d", fd, err.errnum);
	if (fd >= 0) close(fd);

	longpath = sk_xmalloc(5000 * 2 + 1);
	for (int i = 0; i < 5000; i++)
		memcpy(longpath + 2 * i, "a/", 2);
	longpath[10000] = '\0';
	fd = sk_open_in_root(rootfd, longpath, O_PATH, S_IFDIR, &err);
	tap(fd < 0 && err.errnum == ENAMETOOLONG, T("5,000-component path refused"),
	   "fd %d errnum %d", fd, err.errnum);
	if (fd >= 0) close(fd);
	free(longpath);

	fd = sk_open_in_root(rootfd, "loop1/x", O_PATH, S_IFDIR, &err);
	tap(fd < 0 && err.errnum == ELOOP, T("symlink loop refused"), "fd %d errnum %d",
	   fd, err.errnum);
	if (fd >= 0) close(fd);

	fd = sk_open_in_root(rootfd, "reg/x", O_PATH, S_IFDIR, &err);
	tap(fd < 0 && err.errnum == ENOTDIR, T("file as a parent refused"), "fd %d errnum %d",
	   fd, err.errnum);
	if (fd >= 0) close(fd);

	fd = sk_open_in_root(rootfd, "reg", O_RDONLY, 0, &err);
	tap(fd >= 0 && fcntl(fd, F_GETFL) >= 0 && read(fd, name, 1) == 0,
	   T("regular file opened for reading"), "%s", fd < 0 ? err.msg : "read");
	if (fd >= 0) close(fd);
#undef T
}

static bool mountinfo_has(const char *mp)
{
	_cleanup_free_ char *buf = NULL;
	struct sk_error err;
	char pat[600];

	if (sk_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &buf, NULL, 0, &err) < 0)
		return false;
	snprintf(pat, sizeof(pat), " %s ", mp);
	return strstr(buf, pat) != NULL;
}

static void test_mount_through_fd(const char *mode)
{
	struct sk_error err = { 0 };
	char p[SK_FD_PATH_MAX], want[512], name[96];
	int fd;

	snprintf(name, sizeof(name), "%s: mount through a symlinked target lands inside", mode);

	fd = sk_open_in_root(rootfd, "escape/skiff-test-mnt", O_PATH, S_IFDIR, &err);
	if (fd < 0) {
		tap(false, name, "%s", err.msg);
		return;
	}
	sk_fd_path(fd, p);
	if (mount("tmpfs", p, "tmpfs", 0, "size=16k") < 0) {
		tap(false, name, "mount: %s", strerror(errno));
		close(fd);
		return;
	}
	snprintf(want, sizeof(want), "%s/skiff-test-mnt", root);
	tap(mountinfo_has(want) && !mountinfo_has("/skiff-test-mnt"),
	   name, "no mount at %s", want);
	umount2(want, MNT_DETACH);
	close(fd);
}

struct opt_case {
	const char *name;
	char *opts[6];
	unsigned long flags, clear;
	unsigned long prop0;
	uint64_t attr_set, attr_clr;
	const char *data;
	bool tmpcopyup, idmap, ridmap;
};

static void test_mountopts(void)
{
	static const struct opt_case cases[] = {
		{ "runc /dev", { "nosuid", "strictatime", "mode=755", "size=65536k" },
		  MS_NOSUID | MS_STRICTATIME, 0, 0, 0, 0, "mode=755,size=65536k", false, false, false },
		{ "ro nodev noexec", { "ro", "nodev", "noexec", "relatime" },
		  MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_RELATIME, 0, 0, 0, 0, NULL, false, false, false },
		{ "later wins", { "ro", "rw", "nosuid", "suid" }, 0, MS_RDONLY | MS_NOSUID, 0, 0, 0,
		  NULL, false, false, false },
		{ "rbind rprivate", { "rbind", "rprivate" }, MS_BIND | MS_REC, 0, MS_PRIVATE | MS_REC,
		  0, 0, NULL, false, false, false },
		{ "bind slave", { "bind", "slave" }, MS_BIND, 0, MS_SLAVE, 0, 0, NULL, false, false, false },
		{ "shared", { "rshared" }, 0, 0, MS_SHARED | MS_REC, 0, 0, NULL, false, false, false },
		{ "runbindable", { "runbindable" }, 0, 0, MS_UNBINDABLE | MS_REC, 0, 0, NULL, false, false, false },
		{ "recursive attrs", { "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow" }, 0, 0, 0,
		  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
		  MOUNT_ATTR_NOSYMFOLLOW, 0, NULL, false, false, false },
		{ "recursive clears", { "rrw", "rsuid", "rdev", "rexec", "rsymfollow", "rdiratime" }, 0, 0, 0, 0,
		  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
		  MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODIRATIME, NULL, false, false, false },
		{ "rnoatime", { "rnoatime" }, 0, 0, 0, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME, NULL,
		  false, false, false },
		{ "rstrictatime", { "rnoatime", "rstrictatime" }, 0, 0, 0, MOUNT_ATTR_STRICTATIME,
		  MOUNT_ATTR__ATIME, NULL, false, false, false },
		{ "rrelatime", { "rrelatime", "rnodiratime" }, 0, 0, 0, MOUNT_ATTR_NODIRATIME,
		  MOUNT_ATTR__ATIME, NULL, false, false, false },
		{ "tmpcopyup", { "tmpcopyup", "mode=1777" }, 0, 0, 0, 0, 0, "mode=1777", true, false, false },
		{ "idmap", { "idmap" }, 0, 0, 0, 0, 0, NULL, false, true, false },
		{ "ridmap", { "rbind", "ridmap" }, MS_BIND | MS_REC, 0, 0, 0, 0, NULL, false, true, true },
		{ "misc flags", { "sync", "dirsync", "mand", "iversion", "lazytime", "silent" },
		  MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_I_VERSION | MS_LAZYTIME | MS_SILENT,
		  0, 0, 0, 0, NULL, false, false, false },
		{ "misc clears", { "async", "nomand", "noiversion", "nolazytime", "loud", "symfollow" },
		  0, MS_SYNCHRONOUS | MS_MANDLOCK | MS_I_VERSION | MS_LAZYTIME | MS_SILENT | MS_NOSYMFOLLOW,
		  0, 0, 0, NULL, false, false, false },
		{ "defaults remount", { "defaults", "remount", "nosymfollow", "noatime", "nodiratime" },
		  MS_REMOUNT | MS_NOSYMFOLLOW | MS_NOATIME | MS_NODIRATIME, 0, 0, 0, 0, NULL, false, false, false },
		{ "cgroup data", { "nsdelegate", "memory_recursiveprot" }, 0, 0, 0, 0, 0,
		  "nsdelegate,memory_recursiveprot", false, false, false },
	};
	static const char *spec_names[] = {
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
		"iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec",
		"noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
		"nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime", "relatime",
		"remount", "rexec", "rnoatime", "rnodiratime", "rnoexec", "rnorelatime",
		"rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro",
		"rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable",
		"rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync",
		"tmpcopyup", "unbindable", "idmap", "ridmap",
	};
	const char *const *names;
	size_t n, missing = 0;
	unsigned long prop;

	for (size_t i = 0; i < SK_ARRAY_SIZE(cases); i++) {
		const struct opt_case *c = &cases[i];
		struct sk_mount_opts o;
		struct sk_error err;
		size_t k = 0;
		char name[96];

		while (k < 6 && c->opts[k])
			k++;
		snprintf(name, sizeof(name), "mount options: %s", c->name);
		if (sk_mount_opts_parse(c->opts, k, &o, &err) < 0) {
			tap(false, name, "%s", err.msg);
			continue;
		}
		tap(o.flags == c->flags && (o.clear & c->clear) == c->clear &&
		   (c->prop0 ? o.n_prop == 1 && o.prop[0] == c->prop0 : o.n_prop == 0) &&
		   o.attr_set == c->attr_set && (o.attr_clr & c->attr_clr) == c->attr_clr &&
		   (!c->attr_clr || o.attr_clr == c->attr_clr) &&
		   ((!c->data && !o.data) || (c->data && o.data && !strcmp(c->data, o.data))) &&
		   o.tmpcopyup == c->tmpcopyup && o.idmap == c->idmap && o.ridmap == c->ridmap,
		   name, "flags %#lx clear %#lx nprop %zu attr_set %#llx attr_clr %#llx data %s",
		   o.flags, o.clear, o.n_prop, (unsigned long long)o.attr_set,
		   (unsigned long long)o.attr_clr, o.data ? o.data : "(null)");
		sk_mount_opts_free(&o);
	}
	names = sk_mount_option_names(&n);
	for (size_t i = 0; i < SK_ARRAY_SIZE(spec_names); i++) {
		bool found = false;

		for (size_t j = 0; j < n; j++)
			found |= !strcmp(names[j], spec_names[i]);
		if (!found) {
			printf("# missing option %s\n", spec_names[i]);
			missing++;
		}
	}
	/* and rnodev, which the table of config.md forgets */
	tap(missing == 0 && n == SK_ARRAY_SIZE(spec_names) + 1, "sk_mount_option_names covers config.md",
	   "%zu missing, %zu names", missing, n);
	tap(sk_propagation_flags("rslave", &prop) == 0 && prop == (MS_SLAVE | MS_REC) &&
	   sk_propagation_flags("nosuid", &prop) < 0, "rootfsPropagation names", "wrong");
}

static void test_clean_path(void)
{
	static const char *cases[][2] = {
		{ "//dev/./", "/dev" }, { "/", "/" }, { "dev//pts", "dev/pts" }, { ".", "." },
		{ "/a/../b", "/a/../b" },
	};
	bool good = true;

	for (size_t i = 0; i < SK_ARRAY_SIZE(cases); i++) {
		char *c = sk_clean_path(cases[i][0]);

		if (strcmp(c, cases[i][1])) {
			printf("# clean %s -> %s\n", cases[i][0], c);
			good = false;
		}
		free(c);
	}
	tap(good, "sk_clean_path", "mismatch");
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p) < 0 ? -1 : 0;
}

static int setup(void)
{
	char p[512];

	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	if (mkdir(root, 0755) < 0)
		return -1;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	rel_symlink("../../..", "up");
	rel_symlink("/", "slash");
	rel_symlink("/a/b", "abs");
	rel_symlink("../../../../..", "escape");
	rel_symlink("loop2", "loop1");
	rel_symlink("/loop1", "loop2");
	rel_symlink("fifo", "linktofifo");
	snprintf(p, sizeof(p), "%s/a/b", root);
	if (sk_mkdir_p(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/fifo", root);
	if (mkfifo(p, 0644) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/chardev", root);
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/reg", root);
	return sk_write_file_atomic(AT_FDCWD, p, "", 0, 0644, &(struct sk_error){ 0 });
}

int main(void)
{
	if (geteuid() != 0) {
		printf("# needs root\n0 passed, 0 failed\n");
		return 77;
	}
	umask(022);
	/* our own mount namespace, nothing propagates to the host */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("not ok - unshare mount namespace: %s\n0 passed, 1 failed\n", strerror(errno));
		return 1;
	}
	if (setup() < 0) {
		printf("not ok - setup %s: %s\n", tmpdir, strerror(errno));
		failed++;
	} else {
		test_resolve("openat2");
		/* again with the component walk (the ENOSYS fallback) */
		sk_resolve_force_walk(true);
		test_resolve("walk");
		test_mount_through_fd("walk");
		sk_resolve_force_walk(false);
		test_mount_through_fd("openat2");
	}
	test_mountopts();
	test_clean_path();
	if (rootfd >= 0)
		close(rootfd);
	if (nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		printf("# cleanup of %s failed: %s\n", tmpdir, strerror(errno));
	return tap_done();
}
