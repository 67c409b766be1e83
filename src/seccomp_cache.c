/* A cache of compiled seccomp filters, so that a second container with the
 * same linux.seccomp skips libseccomp (a 300-rule profile costs it
 * milliseconds; a cache hit is one small read).
 *
 * Key: SHA-256 of every field of the seccomp object that shapes the BPF,
 * in a fixed order and length-prefixed (listenerPath and listenerMetadata
 * are left out), of skiff's build id (the GNU build-id note, a hash of
 * the linked program: another build of skiff, e.g. one that compiles a
 * field differently, never reads this one's entries; without a build id
 * the cache is not used), of the libseccomp version skiff runs with, of
 * the native architecture and of the entry format.  Entry:
 * <root>/.seccomp-cache/<hex key>.bpf, mode 0600 in a 0700 directory,
 * written to a unique temporary name and renamed into place:
 *
 *   struct entry_header (magic, format, libseccomp version, key, filter
 *   flags, notify, instruction count, SHA-256 of the instructions)
 *   struct sock_filter[count]
 *
 * An entry is used only if every header field matches what this process
 * expects and the checksum of the instructions is right; the file and its
 * directory must be ours (owner = euid) and not writable by group/others,
 * and are opened without following symlinks.  Anything else (a truncated,
 * corrupt, foreign or tampered entry) is ignored and replaced by a fresh
 * compilation.  The cache never turns an error into success: a profile
 * that fails to compile is never cached, and cache I/O errors only cost
 * the compilation.
 *
 * Pruning: the directory keeps at most SK_SECCOMP_CACHE_MAX entries, least
 * recently used out first.  "Used" is the mtime: a hit sets it to now with
 * futimens() on the fd it read (only when it is a minute old or more, so a
 * busy entry is not rewritten at every start; no atime, which noatime and
 * relatime mounts do not keep), and a new entry gets it from its write.
 * Only a miss that writes an entry scans the directory (a hit never does):
 * when it holds more than the limit, the oldest go, never the one just
 * written.  Only our entries count and are removed: regular files named
 * <64 hex digits>.bpf owned by the euid, looked at with fstatat(...,
 * AT_SYMLINK_NOFOLLOW); anything else in the directory is left alone.
 * Concurrent skiff processes may prune at once: an entry already gone is
 * fine, and one removed under a reader stays readable through its fd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

#define CACHE_DIR ".seccomp-cache"
#define ENTRY_MAGIC "SKSECBPF"
#define ENTRY_FORMAT 4         /* 3: programs carry the -ENOSYS stub; 4: binary tree */
/* a hit refreshes an entry's mtime (its last use) when older than this */
#define TOUCH_AFTER_S 60

/* ---- key ---- */

/* The key hashes every field of the object that shapes the BPF, in a fixed
 * order and without ambiguity: each string length-prefixed (or marked
 * absent), each optional number with its presence, each list with its
 * count.  listenerPath and listenerMetadata are left out. */
static void put(struct sk_sha256 *h, const void *p, size_t n)
{
	sk_sha256_update(h, p, n);
}

static void put_u64(struct sk_sha256 *h, bool has, uint64_t v)
{
	unsigned char b[9] = { has };

	for (int i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(v >> (8 * i));
	put(h, b, sizeof(b));
}

static void put_str(struct sk_sha256 *h, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_u64(h, s != NULL, n);
	put(h, s, n);
}

static void put_strv(struct sk_sha256 *h, char **v, size_t n)
{
	put_u64(h, true, n);
	for (size_t i = 0; i < n; i++)
		put_str(h, v[i] ? v[i] : "");
}

/* ---- entries ---- */

struct entry_header {
	char magic[8];
	uint32_t format;
	uint32_t scmp_version;         /* major << 16 | minor << 8 | micro */
	unsigned char key[32];
	uint32_t flags;
	uint32_t notify;
	uint64_t count;                /* struct sock_filter instructions */
	unsigned char sum[32];         /* SHA-256 of the instructions */
};

static uint32_t scmp_version(void)
{
	const struct scmp_version *v = seccomp_version();

	return (uint32_t)v->major << 16 | (uint32_t)v->minor << 8 | v->micro;
}

void sk_seccomp_cache_key(const struct sk_seccomp *s, const unsigned char *build_id, size_t n,
			  unsigned char key[32])
{
	struct sk_sha256 h = { .generic = false };

	sk_sha256_init(&h);
	put_str(&h, "skiff seccomp cache");
	put_u64(&h, true, ENTRY_FORMAT);
	put_u64(&h, true, n);
	put(&h, build_id, n);
	put_u64(&h, true, scmp_version());
	put_u64(&h, true, seccomp_arch_native());
	put_u64(&h, true, s->default_action);
	put_u64(&h, s->has_default_errno_ret, s->default_errno_ret);
	put_u64(&h, true, s->n_architectures);
	for (size_t i = 0; i < s->n_architectures; i++)
		put_u64(&h, true, s->architectures[i]);
	put_u64(&h, true, s->flags);
	put_u64(&h, true, s->n_syscalls);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct sk_seccomp_syscall *sc = &s->syscalls[i];

		put_strv(&h, sc->names, sc->n_names);
		put_u64(&h, true, sc->action);
		put_u64(&h, sc->has_errno_ret, sc->errno_ret);
		put_u64(&h, true, sc->n_args);
		for (size_t k = 0; k < sc->n_args; k++) {
			const struct sk_seccomp_arg *a = &sc->args[k];

			put_u64(&h, true, a->index);
			put_u64(&h, true, a->value);
			put_u64(&h, a->has_value_two, a->value_two);
			put_u64(&h, true, a->op);
		}
	}
	sk_sha256_final(&h, key);
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static bool safe_owner(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Open (and with `create` make) <root>/.seccomp-cache; -1 when unusable. */
static int open_dir(bool create)
{
	_cleanup_close_ int root = open(sk_g.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int fd;

	if (root < 0)
		return -1;
	if (create && mkdirat(root, CACHE_DIR, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = openat(root, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !safe_owner(&st)) {
		sk_log_debug("seccomp cache: %s/%s is not ours alone: not used", sk_g.root, CACHE_DIR);
		close(fd);
		return -1;
	}
	return fd;
}

/* 0 and `out` filled on a valid entry, -1 otherwise (nothing allocated). */
static int read_entry(int dirfd, const char *name, const unsigned char key[32],
		      struct sk_seccomp_prog *out)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct entry_header h;
	unsigned char sum[32];
	struct stat st;
	size_t bytes;
	void *buf;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !safe_owner(&st) ||
	    st.st_size < (off_t)sizeof(h))
		goto bad;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		goto bad;
	if (memcmp(h.magic, ENTRY_MAGIC, 8) || h.format != ENTRY_FORMAT ||
	    h.scmp_version != scmp_version() || memcmp(h.key, key, 32) ||
	    h.count == 0 || h.count > BPF_MAXINSNS || h.notify > 1)
		goto bad;
	bytes = h.count * sizeof(struct sock_filter);
	if ((uint64_t)st.st_size != sizeof(h) + bytes)
		goto bad;
	buf = sk_xmalloc(bytes);
	if (pread(fd, buf, bytes, sizeof(h)) != (ssize_t)bytes) {
		free(buf);
		goto bad;
	}
	sk_sha256(buf, bytes, sum);
	if (memcmp(sum, h.sum, 32)) {
		free(buf);
		goto bad;
	}
	out->filter = buf;
	out->len = h.count;
	out->flags = h.flags;
	out->notify = h.notify;
	/* a use: what pruning goes by (failure only costs LRU accuracy) */
	if (time(NULL) - st.st_mtime >= TOUCH_AFTER_S)
		futimens(fd, NULL);
	return 0;
bad:
	sk_log_debug("seccomp cache: entry %s is invalid: rebuilt", name);
	return -1;
}

/* <64 lowercase hex digits>.bpf: the names write_entry() gives. */
static bool entry_name(const char *name)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return !strcmp(name + 64, ".bpf");
}

struct cached {
	char name[2 * 32 + 5];
	struct timespec mtime;
};

static int by_mtime(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Keep at most SK_SECCOMP_CACHE_MAX entries: remove the least recently
 * used ones, never `keep` (the entry just written). */
static void prune(int dirfd, const char *keep)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct cached *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = dup(dirfd);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!entry_name(de->d_name) || !strcmp(de->d_name, keep))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : SK_SECCOMP_CACHE_MAX + 8;
			v = sk_xrealloc(v, cap * sizeof(*v));
		}
		memcpy(v[n].name, de->d_name, sizeof(v[n].name));
		v[n].mtime = st.st_mtim;
		n++;
	}
	/* n others + the one kept */
	if (n + 1 > SK_SECCOMP_CACHE_MAX) {
		qsort(v, n, sizeof(*v), by_mtime);
		for (size_t i = 0; i < n + 1 - SK_SECCOMP_CACHE_MAX; i++) {
			if (unlinkat(dirfd, v[i].name, 0) < 0 && errno != ENOENT)
				sk_log_debug("seccomp cache: cannot remove %s: %s", v[i].name,
					     sk_strerror(errno));
			else
				sk_log_debug("seccomp cache: pruned %s", v[i].name);
		}
	}
	free(v);
}

static void write_entry(int dirfd, const char *name, const unsigned char key[32],
			const struct sk_seccomp_prog *p)
{
	size_t bytes = p->len * sizeof(struct sock_filter);
	struct entry_header h = { .format = ENTRY_FORMAT, .scmp_version = scmp_version(),
				  .flags = p->flags, .notify = p->notify, .count = p->len };
	_cleanup_free_ char *tmp = sk_xasprintf(".%s.%d.tmp", name, (int)getpid());
	_cleanup_close_ int fd = -1;

	memcpy(h.magic, ENTRY_MAGIC, 8);
	memcpy(h.key, key, 32);
	sk_sha256(p->filter, bytes, h.sum);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (sk_write_all(fd, &h, sizeof(h)) < 0 || sk_write_all(fd, p->filter, bytes) < 0 ||
	    renameat(dirfd, tmp, dirfd, name) < 0) {
		sk_log_debug("seccomp cache: cannot write %s: %s", name, sk_strerror(errno));
		unlinkat(dirfd, tmp, 0);
		return;
	}
	prune(dirfd, name);
}

/* A filter with notify rules needs an agent to hand the listener to
 * (runc: "seccomp listenerPath is not set"). */
static int check_listener(const struct sk_seccomp *s, struct sk_seccomp_prog *out,
			  struct sk_error *err)
{
	if (!out->notify || (s->listener_path && *s->listener_path))
		return 0;
	sk_seccomp_prog_free(out);
	return sk_error(err, EINVAL, "linux.seccomp.listenerPath: seccomp listenerPath is not set "
			"(SCMP_ACT_NOTIFY needs an agent to hand the listener to)");
}

int sk_seccomp_compile_cached_for(const struct sk_seccomp *s, const unsigned char *build_id,
				  size_t id_len, struct sk_seccomp_prog *out, struct sk_error *err)
{
	unsigned char key[32];
	char name[2 * 32 + 5];
	_cleanup_close_ int dirfd = -1;

	memset(out, 0, sizeof(*out));
	if (!s || !s->present || getenv("SKIFF_SECCOMP_NO_CACHE"))
		return sk_seccomp_compile(s, out, err) < 0 ? -1 : s ? check_listener(s, out, err) : 0;
	if (!build_id) {
		sk_log_debug("seccomp cache: skiff has no build id: not used");
		return sk_seccomp_compile(s, out, err) < 0 ? -1 : check_listener(s, out, err);
	}
	sk_seccomp_cache_key(s, build_id, id_len, key);
	hex(key, 32, name);
	strcpy(name + 64, ".bpf");
	dirfd = open_dir(false);
	if (dirfd >= 0 && read_entry(dirfd, name, key, out) == 0) {
		sk_log_debug("seccomp cache: hit %s", name);
		return check_listener(s, out, err);
	}
	if (sk_seccomp_compile(s, out, err) < 0 || check_listener(s, out, err) < 0)
		return -1;
	if (out->len == 0)
		return 0;
	if (dirfd < 0)
		dirfd = open_dir(true);
	if (dirfd >= 0)
		write_entry(dirfd, name, key, out);
	return 0;
}

int sk_seccomp_compile_cached(const struct sk_seccomp *s, struct sk_seccomp_prog *out,
			      struct sk_error *err)
{
	size_t n;
	const unsigned char *id = sk_build_id(&n);

	return sk_seccomp_compile_cached_for(s, id, n, out, err);
}
