#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "skiff/error.h"

/* Error texts as Go's syscall package prints them, which is what runc
 * prints and what engines match: Docker maps a start error holding
 * "permission denied" to exit 126 and "no such file or directory" to 127,
 * case-sensitively.  These are glibc's texts with a lowercase first
 * letter; musl's differ for some, hence the table. */
static const struct { int errnum; const char *text; } go_errors[] = {
	{ EPERM, "operation not permitted" }, { ENOENT, "no such file or directory" },
	{ ESRCH, "no such process" }, { EINTR, "interrupted system call" },
	{ EIO, "input/output error" }, { ENXIO, "no such device or address" },
	{ E2BIG, "argument list too long" }, { ENOEXEC, "exec format error" },
	{ EBADF, "bad file descriptor" }, { ECHILD, "no child processes" },
	{ EAGAIN, "resource temporarily unavailable" }, { ENOMEM, "cannot allocate memory" },
	{ EACCES, "permission denied" }, { EFAULT, "bad address" },
	{ EBUSY, "device or resource busy" }, { EEXIST, "file exists" },
	{ EXDEV, "invalid cross-device link" }, { ENODEV, "no such device" },
	{ ENOTDIR, "not a directory" }, { EISDIR, "is a directory" },
	{ EINVAL, "invalid argument" }, { ENFILE, "too many open files in system" },
	{ EMFILE, "too many open files" }, { ENOTTY, "inappropriate ioctl for device" },
	{ ETXTBSY, "text file busy" }, { EFBIG, "file too large" },
	{ ENOSPC, "no space left on device" }, { ESPIPE, "illegal seek" },
	{ EROFS, "read-only file system" }, { EMLINK, "too many links" },
	{ EPIPE, "broken pipe" }, { ERANGE, "numerical result out of range" },
	{ EDEADLK, "resource deadlock avoided" }, { ENAMETOOLONG, "file name too long" },
	{ ENOSYS, "function not implemented" }, { ENOTEMPTY, "directory not empty" },
	{ ELOOP, "too many levels of symbolic links" }, { ENOTSUP, "operation not supported" },
	{ EOVERFLOW, "value too large for defined data type" },
	{ ELIBBAD, "accessing a corrupted shared library" },
	{ ENOTSOCK, "socket operation on non-socket" }, { EADDRINUSE, "address already in use" },
	{ ECONNREFUSED, "connection refused" }, { ETIMEDOUT, "connection timed out" },
	{ ENOMEDIUM, "no medium found" },
};

const char *sk_strerror(int errnum)
{
	static char buf[128];   /* errnos outside the table: rare */
	const char *s;

	for (size_t i = 0; i < sizeof(go_errors) / sizeof(go_errors[0]); i++)
		if (go_errors[i].errnum == errnum)
			return go_errors[i].text;
	s = strerror(errnum);
	snprintf(buf, sizeof(buf), "%s", s);
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

int sk_error(struct sk_error *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->errnum = errnum;
	return -1;
}

int sk_error_sys(struct sk_error *e, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", sk_strerror(saved));
	e->errnum = saved;
	errno = saved;
	return -1;
}

int sk_error_ctx(struct sk_error *e, const char *fmt, ...)
{
	char ctx[512];
	size_t n, old;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx) - 2, fmt, ap);
	va_end(ap);
	strcat(ctx, ": ");
	n = strlen(ctx);
	old = strnlen(e->msg, sizeof(e->msg) - 1);
	if (n + old >= sizeof(e->msg))
		old = sizeof(e->msg) - 1 - n;
	memmove(e->msg + n, e->msg, old);
	memcpy(e->msg, ctx, n);
	e->msg[n + old] = '\0';
	return -1;
}
