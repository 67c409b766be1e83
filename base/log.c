/* Errors go to stderr as "skiff: msg" and, with --log, to the log file in
 * runc's formats (json: {"level":"error","msg":"...","time":"..."}, text:
 * time="..." level=error msg="...").  With --debug, debug lines go in the
 * same formats to the log file, or to stderr when there is none (runc). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "skiff/log.h"

static int log_fd = -1, debug_fd = -1;
static bool log_json;

void sk_log_open(const char *path, bool json, bool debug)
{
	if (path)
		log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (debug)
		debug_fd = path ? log_fd : 2;
	log_json = json;
}

static void json_escape(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20) {
			n += (size_t)snprintf(out + n, size - n, "\\u%04x", ch);
		} else {
			out[n++] = (char)ch;
		}
	}
	out[n] = '\0';
}

static void log_line(int fd, const char *level, const char *msg)
{
	char when[64], line[3072], esc[2200];
	struct timespec ts;
	struct tm tm;
	int n;

	if (fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - (size_t)n, ".%09ldZ", ts.tv_nsec);
	json_escape(esc, sizeof(esc), msg);
	if (log_json)
		n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
			     level, esc, when);
	else
		n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", when, level, esc);
	if (n > 0)
		(void)!write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void vlog(const char *level, bool to_stderr, int fd, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (to_stderr)
		fprintf(stderr, "skiff: %s\n", msg);
	log_line(fd, level, msg);
}

void sk_log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error", true, log_fd, fmt, ap);
	va_end(ap);
}

void sk_log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", true, log_fd, fmt, ap);
	va_end(ap);
}

void sk_log_debug(const char *fmt, ...)
{
	va_list ap;

	if (debug_fd < 0)
		return;
	va_start(ap, fmt);
	vlog("debug", false, debug_fd, fmt, ap);
	va_end(ap);
}
