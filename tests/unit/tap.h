/* tests/unit/tap.h: the reporting the unit tests share.  tap() prints
 * "ok - NAME" or "not ok - NAME: REASON" (REASON from FMT) and counts it;
 * tap_done() prints "N passed, N failed" and gives main's exit status. */
#ifndef SKIFF_TESTS_TAP_H
#define SKIFF_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int passed, failed;

__attribute__((format(printf, 3, 4), unused))
static void tap(bool good, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (good) {
		printf("ok - %s\n", name);
		passed++;
		return;
	}
	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed++;
}

__attribute__((unused))
static int tap_done(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
