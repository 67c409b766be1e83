/* Logging (base/log.c): errors and warnings on stderr as "skiff: msg"
 * and, with --log, in the log file in runc's formats; debug lines with
 * --debug.  Every folder may log. */
#ifndef SKIFF_LOG_H
#define SKIFF_LOG_H

#include <stdbool.h>

/* --log PATH (NULL: none), --log-format json, --debug: once, before
 * anything logs. */
void sk_log_open(const char *path, bool json, bool debug);
/* Print "skiff: msg" on stderr and, with --log, a line in the log file. */
void sk_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
