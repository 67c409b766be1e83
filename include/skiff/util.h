/* Small helpers shared by every folder: cleanup attributes, allocation,
 * file I/O, strings. */
#ifndef SKIFF_UTIL_H
#define SKIFF_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

struct sk_error;
struct sk_idmap;

static inline void sk_freep(void *p) { free(*(void **)p); }
static inline void sk_closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void sk_fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void sk_closedirp(DIR **d) { if (*d) closedir(*d); }

#define _cleanup_free_     __attribute__((cleanup(sk_freep)))
#define _cleanup_close_    __attribute__((cleanup(sk_closep)))
#define _cleanup_fclose_   __attribute__((cleanup(sk_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(sk_closedirp)))

#define SK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts on failure (out of memory is not recoverable). */
void *sk_xmalloc(size_t n);
void *sk_xcalloc(size_t n, size_t size);
void *sk_xrealloc(void *p, size_t n);
char *sk_xstrdup(const char *s);
char *sk_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A NULL-terminated copy of the pointers v[0..n) with room for `extra`
 * more (execve's vectors from the model's counted arrays). */
char **sk_strv_copy(char *const *v, size_t n, size_t extra);
/* "YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ" (RFC 3339, UTC) of a Unix time. */
char *sk_format_utc(long long sec, long nsec);

/* Read a whole file (at dirfd/path; AT_FDCWD for plain paths) into a
 * NUL-terminated heap buffer.  `max` bounds the size (0: no bound). */
int sk_read_file_at(int dirfd, const char *path, char **out, size_t *len,
		    size_t max, struct sk_error *err);
/* The same for a file that must be a regular one (else EINVAL, and
 * never blocks on a FIFO). */
int sk_read_regular_file_at(int dirfd, const char *path, char **out, size_t *len,
			    size_t max, struct sk_error *err);
/* Write `len` bytes to an existing file (O_WRONLY|O_TRUNC, no create). */
int sk_write_file_at(int dirfd, const char *path, const char *data, size_t len,
		     struct sk_error *err);
/* Create or replace a file atomically (tmp + rename) with mode. */
int sk_write_file_atomic(int dirfd, const char *path, const char *data,
			 size_t len, mode_t mode, struct sk_error *err);
/* --pid-file: the pid, without a newline, written atomically (as runc). */
int sk_write_pid_file(const char *path, pid_t pid, struct sk_error *err);
/* Create a new file (O_EXCL) and write it: for files of a state directory
 * that nobody reads before its lock is released. */
int sk_write_file_new(int dirfd, const char *path, const char *data, size_t len,
		      mode_t mode, struct sk_error *err);
/* write() all of buf, retrying on EINTR and short writes. */
int sk_write_all(int fd, const void *buf, size_t len);
/* Well-formed UTF-8 (what yajl's parser accepts, or stricter). */
bool sk_utf8_valid(const char *s);
/* Tests: SIGKILL skiff itself when SKIFF_FAULT names `point` (docs/state.md). */
void sk_fault(const char *point);
/* Remove a directory tree below dirfd (no symlink following). */
int sk_rm_rf_at(int dirfd, const char *path);
/* mkdir -p with mode (plain host paths only, never inside a rootfs). */
int sk_mkdir_p(const char *path, mode_t mode);

/* Copy one read()'s worth from `from` to `to` (terminal proxies); false at
 * EOF or on an error. */
bool sk_copy_chunk(int from, int to);
/* Write id mappings to /proc/<pid>/<file> (uid_map, gid_map) directly. */
int sk_write_id_map(pid_t pid, const char *file, const struct sk_idmap *m, size_t n,
		    struct sk_error *err);

bool sk_str_has_prefix(const char *s, const char *prefix);
/* Parse a decimal integer strictly (whole string). */
int sk_parse_long(const char *s, long long *out);

#endif
