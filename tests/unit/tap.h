/* tests/unit/tap.h: the reporting the unit tests share.  tap() prints
 * "ok - NAME" or "not ok - NAME: REASON" (REASON from FMT) and counts it;
 * tap_aborts() checks that a function ends in SIGABRT (in a child);
 * tap_done() prints "N passed, N failed" and gives main's exit status. */
#ifndef SKIFF_TESTS_TAP_H
#define SKIFF_TESTS_TAP_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* fn run in a child with stderr closed: ok when it ends in SIGABRT */
__attribute__((unused))
static void tap_aborts(const char *name, void (*fn)(void))
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		close(STDERR_FILENO);
		fn();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	tap(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, name, "status 0x%x", st);
}

__attribute__((unused))
static int tap_done(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
