#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"

static void oom(void)
{
	static const char msg[] = "skiff: out of memory\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	abort();
}

void *sk_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *sk_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *sk_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *sk_xstrdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *sk_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

char **sk_strv_copy(char *const *v, size_t n, size_t extra)
{
	char **out = sk_xcalloc(n + extra + 1, sizeof(char *));

	if (n)
		memcpy(out, v, n * sizeof(char *));
	return out;
}

int sk_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int read_fd(int fd, const char *path, char **out, size_t *len, size_t max,
		   struct sk_error *err)
{
	size_t cap = 4096, n = 0;
	char *buf;

	buf = sk_xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap *= 2;
			buf = sk_xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return sk_error_sys(err, "read %s", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (max && n > max) {
			free(buf);
			return sk_error(err, EFBIG, "%s: larger than %zu bytes", path, max);
		}
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int sk_read_file_at(int dirfd, const char *path, char **out, size_t *len,
		    size_t max, struct sk_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return sk_error_sys(err, "open %s", path);
	return read_fd(fd, path, out, len, max, err);
}

/* O_NONBLOCK: opening a FIFO with no writer must not wait; a FIFO, a
 * device or a socket would block the read or never end. */
int sk_read_regular_file_at(int dirfd, const char *path, char **out, size_t *len,
			    size_t max, struct sk_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return sk_error_sys(err, "open %s", path);
	if (fstat(fd, &st) < 0)
		return sk_error_sys(err, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return sk_error(err, EINVAL, "%s: not a regular file", path);
	return read_fd(fd, path, out, len, max, err);
}

int sk_write_file_at(int dirfd, const char *path, const char *data, size_t len,
		     struct sk_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return sk_error_sys(err, "open %s", path);
	if (sk_write_all(fd, data, len) < 0)
		return sk_error_sys(err, "write %s", path);
	return 0;
}

int sk_write_file_new(int dirfd, const char *path, const char *data, size_t len,
		      mode_t mode, struct sk_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return sk_error_sys(err, "create %s", path);
	if (sk_write_all(fd, data, len) < 0)
		return sk_error_sys(err, "write %s", path);
	return 0;
}

int sk_write_file_atomic(int dirfd, const char *path, const char *data,
			 size_t len, mode_t mode, struct sk_error *err)
{
	_cleanup_free_ char *tmp = sk_xasprintf("%s.tmp", path);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return sk_error_sys(err, "create %s", tmp);
	if (sk_write_all(fd, data, len) < 0) {
		sk_error_sys(err, "write %s", tmp);
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		sk_error_sys(err, "rename %s", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int sk_rm_rf_at(int dfd, const char *path)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (unlinkat(dfd, path, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	fd = openat(dfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (sk_rm_rf_at(dirfd(d), de->d_name) < 0)
			return -1;
	}
	return unlinkat(dfd, path, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1 : 0;
}

int sk_mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = sk_xstrdup(path);
	char *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

bool sk_copy_chunk(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	return sk_write_all(to, buf, (size_t)n) == 0;
}

int sk_write_id_map(pid_t pid, const char *file, const struct sk_idmap *m, size_t n,
		    struct sk_error *err)
{
	char path[64], buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
					m[i].container_id, m[i].host_id, m[i].size);
	if (len >= sizeof(buf))
		return sk_error(err, E2BIG, "%s: too many mappings", file);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (sk_write_file_at(AT_FDCWD, path, buf, len, err) < 0)
		return sk_error_ctx(err, "write %s", file);
	return 0;
}

bool sk_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int sk_parse_long(const char *s, long long *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	return 0;
}

/* Computed by hand: glibc's gmtime_r and strftime read /etc/localtime on
 * first use.  The civil date of a day count is Howard Hinnant's
 * civil_from_days (proleptic Gregorian, any year). */
char *sk_format_utc(long long sec, long nsec)
{
	long long days = sec / 86400, secs = sec % 86400, z, era, doe, yoe, doy, mp, y;
	char frac[12] = "";
	unsigned d, m;
	int n;

	if (secs < 0)
		secs += 86400, days--;
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (m <= 2);
	/* Go's RFC3339Nano, as runc writes "created": no trailing zeros in
	 * the fraction, no fraction when it is 0 */
	if (nsec) {
		n = snprintf(frac, sizeof(frac), ".%09ld", nsec);
		while (frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	return sk_xasprintf("%04lld-%02u-%02uT%02lld:%02lld:%02lld%sZ", y, m, d, secs / 3600,
			    secs / 60 % 60, secs % 60, frac);
}

int sk_write_pid_file(const char *path, pid_t pid, struct sk_error *err)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	/* runc writes the pid without a newline, atomically. */
	if (sk_write_file_atomic(AT_FDCWD, path, buf, (size_t)n, 0644, err) < 0)
		return sk_error_ctx(err, "--pid-file");
	return 0;
}

/* Well-formed UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF), as yajl's parser checks it. */
bool sk_utf8_valid(const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	while (*p) {
		unsigned c = *p++, n, min, cp;

		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		for (; n; n--, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

/* Fault injection for tests/integration/crash.bats: SKIFF_FAULT=<point>
 * makes skiff SIGKILL itself at the named point (docs/state.md lists
 * them).  One getenv, read once; no syscall unless the point is hit. */
void sk_fault(const char *point)
{
	static const char *want = (const char *)1;

	if (want == (const char *)1)
		want = getenv("SKIFF_FAULT");
	if (want && !strcmp(want, point))
		kill(getpid(), SIGKILL);
}
