#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "skiff/error.h"

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
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
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
