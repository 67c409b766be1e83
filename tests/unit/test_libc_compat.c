/* Unit tests for glibc's _FORTIFY_SOURCE entry points that Debian's static
 * libseccomp, libcap and yajl call: base/libc_compat.c in the musl build,
 * glibc's own otherwise; both must format like the plain function and
 * abort when the object is smaller than what is written into it.
 *
 * Output: "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* not declared by any header: the compiler emits calls to them */
void *__memcpy_chk(void *dest, const void *src, size_t len, size_t destlen);
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...);
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...);
int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...);
int __asprintf_chk(char **strp, int flag, const char *fmt, ...);

/* volatile: sizes the compiler must not see through */
static volatile size_t four = 4, eight = 8, sixteen = 16;

/* the targets of the failing calls: global, so no store to them is dead */
static char small[8];
static const char *volatile six = "abcdef";

static void memcpy_over(void)
{
	static const char src[16] = "0123456789abcde";

	__memcpy_chk(small, src, sixteen, eight);
}

static void sprintf_over(void)
{
	__sprintf_chk(small, 1, four, "%s", six);
}

static void snprintf_lie(void)
{
	/* maxlen larger than the object */
	__snprintf_chk(small, sixteen, 1, eight, "%s", "x");
}

int main(void)
{
	char buf[16], src[8] = "1234567", *s = NULL;
	int r;

	memset(buf, 0, sizeof(buf));
	tap(__memcpy_chk(buf, src, eight, sixteen) == buf && !strcmp(buf, "1234567"),
	    "__memcpy_chk copies within the object", "got \"%s\"", buf);
	r = __sprintf_chk(buf, 1, sixteen, "%d-%s", 42, "ok");
	tap(r == 5 && !strcmp(buf, "42-ok"), "__sprintf_chk formats within the object",
	    "%d \"%s\"", r, buf);
	r = __snprintf_chk(buf, eight, 1, sixteen, "%s", "truncated here");
	tap(r == 14 && !strcmp(buf, "truncat"), "__snprintf_chk truncates at maxlen",
	    "%d \"%s\"", r, buf);
	r = __asprintf_chk(&s, 1, "%s=%u", "n", 7u);
	tap(r == 3 && s && !strcmp(s, "n=7"), "__asprintf_chk allocates the result", "%d", r);
	free(s);

	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	r = f ? __fprintf_chk(f, 1, "[%5s]", "ab") : -1;
	if (f)
		fclose(f);
	tap(r == 7 && mem && !strcmp(mem, "[   ab]"), "__fprintf_chk writes to the stream",
	    "%d \"%s\"", r, mem ? mem : "");
	free(mem);

	tap_aborts("__memcpy_chk aborts past the object", memcpy_over);
	tap_aborts("__sprintf_chk aborts past the object", sprintf_over);
	tap_aborts("__snprintf_chk aborts when maxlen exceeds the object", snprintf_lie);
	return tap_done();
}
