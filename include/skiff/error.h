/* Errors: functions return 0 or -1 and fill a struct sk_error that carries
 * the message and the errno.  Callers add context with sk_error_ctx(); the
 * CLI prints one line: "skiff: <context>: <cause>". */
#ifndef SKIFF_ERROR_H
#define SKIFF_ERROR_H

#include <stddef.h>

struct sk_error {
	int errnum;          /* errno of the cause, 0 when none */
	char msg[1024];
};

/* Set the message; returns -1 so callers can `return sk_error(...)`. */
int sk_error(struct sk_error *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* errnum's text as Go (and so runc) prints it: "no such file or directory". */
const char *sk_strerror(int errnum);
/* Same, appending ": sk_strerror(errno)" using the current errno. */
int sk_error_sys(struct sk_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefix context: "ctx: old message".  Returns -1. */
int sk_error_ctx(struct sk_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
