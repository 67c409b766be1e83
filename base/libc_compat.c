/* glibc's _FORTIFY_SOURCE entry points, for the musl build (configure
 * --with-musl).  Debian's static libseccomp.a, libcap.a and libyajl_s.a are
 * compiled against glibc with -D_FORTIFY_SOURCE=2, so they call these
 * checked variants, which musl does not have.  Each does what glibc's does:
 * the same checks against the object size the compiler passed, abort() on
 * an overflow, otherwise the plain function. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHK_MSG "*** buffer overflow detected ***: terminated\n"

static _Noreturn void chk_fail(void)
{
	(void)!write(STDERR_FILENO, CHK_MSG, sizeof(CHK_MSG) - 1);
	abort();
}

void *__memcpy_chk(void *dest, const void *src, size_t len, size_t destlen);
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...);
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...);
int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...);
int __asprintf_chk(char **strp, int flag, const char *fmt, ...);

void *__memcpy_chk(void *dest, const void *src, size_t len, size_t destlen)
{
	if (len > destlen)
		chk_fail();
	return memcpy(dest, src, len);
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	if (slen == 0)
		chk_fail();
	va_start(ap, fmt);
	r = vsnprintf(s, slen, fmt, ap);
	va_end(ap);
	if (r >= 0 && (size_t)r >= slen)
		chk_fail();
	return r;
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	if (maxlen > slen)
		chk_fail();
	va_start(ap, fmt);
	r = vsnprintf(s, maxlen, fmt, ap);
	va_end(ap);
	return r;
}

int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vfprintf(fp, fmt, ap);
	va_end(ap);
	return r;
}

int __asprintf_chk(char **strp, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vasprintf(strp, fmt, ap);
	va_end(ap);
	return r;
}
