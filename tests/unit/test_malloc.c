/* Unit tests for the allocator the test links: base/malloc.c in the musl
 * build (configure --with-musl), glibc's otherwise.  What any malloc must
 * do is checked in both; what base/malloc.c promises beyond that (classes,
 * reuse instead of unmapping, the free-time check) only in the musl build.
 *
 * Output: "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static bool filled(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return false;
	return true;
}

/* every size from 0 to a few pages, then across the 64 KB limit: aligned
 * to 16, writable over its whole length, not overlapping its neighbours */
static void sizes(void)
{
	static const size_t big[] = { 65535, 65536, 65537, 100000, 1 << 20, 3 << 20 };
	unsigned char *prev = NULL;
	size_t prev_n = 0;
	bool ok = true;
	char why[128] = "";

	for (size_t n = 0; n < 3 * 4096 + 40 && ok; n += (n < 300 ? 1 : 97)) {
		unsigned char *p = malloc(n);

		if (!p || ((uintptr_t)p & 15)) {
			snprintf(why, sizeof(why), "malloc(%zu) = %p", n, (void *)p);
			ok = false;
			break;
		}
		memset(p, 0xa5, n);
		if (prev && !filled(prev, prev_n, 0x5a)) {
			snprintf(why, sizeof(why), "writing %zu bytes changed the previous block", n);
			ok = false;
		}
		free(prev);
		memset(p, 0x5a, n);
		prev = p;
		prev_n = n;
	}
	free(prev);
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]) && ok; i++) {
		unsigned char *p = malloc(big[i]);

		ok = p && !((uintptr_t)p & 15) && malloc_usable_size(p) >= big[i];
		if (ok) {
			memset(p, 1, big[i]);
			ok = filled(p, big[i], 1);
		}
		if (!ok)
			snprintf(why, sizeof(why), "malloc(%zu)", big[i]);
		free(p);
	}
	tap(ok, "malloc: every size aligned, writable, apart from its neighbour", "%s", why);
}

static void zeroing(void)
{
	unsigned char *p = malloc(200), *q;
	bool ok;

	memset(p, 0xff, 200);
	free(p);
	q = calloc(50, 4); /* the same class: may be the chunk just freed */
	ok = q && filled(q, 200, 0);
	free(q);
	q = calloc(1, 200000);
	ok = ok && q && filled(q, 200000, 0);
	free(q);
	volatile size_t half = SIZE_MAX / 2; /* the compiler must not see the overflow */

	errno = 0;
	q = calloc(half, 4);
	tap(ok && !q && errno == ENOMEM, "calloc: zeroed (a reused chunk too); overflow is ENOMEM",
	    "ok %d, overflow gave %p errno %d", ok, (void *)q, errno);
}

static void reallocs(void)
{
	unsigned char *p = NULL;
	bool ok = true;
	size_t n, last = 0;

	/* grow a byte pattern from 1 byte to 1 MB, shrink it again: contents kept */
	for (n = 1; n <= (1u << 20) && ok; n = n * 3 / 2 + 1) {
		p = realloc(p, n);
		ok = p && (last == 0 || p[last - 1] == (unsigned char)(last - 1));
		for (size_t i = last; ok && i < n; i++)
			p[i] = (unsigned char)i;
		last = n;
	}
	for (size_t i = 0; ok && i < last; i++)
		ok = p[i] == (unsigned char)i;
	p = realloc(p, 10);
	ok = ok && p && p[9] == 9;
	free(p);
	tap(ok, "realloc: contents kept growing to 1 MB and shrinking back", "failed at size %zu", n);
}

static void aligned(void)
{
	bool ok = true;

	for (size_t a = 16; a <= 2048 && ok; a *= 2) {
		void *p = aligned_alloc(a, 100), *q = NULL;

		ok = p && !((uintptr_t)p & (a - 1)) && posix_memalign(&q, a, 5000) == 0 &&
		     q && !((uintptr_t)q & (a - 1));
		if (ok) {
			memset(p, 1, 100);
			memset(q, 2, 5000);
		}
		free(p);
		free(q);
	}
	tap(ok, "aligned_alloc, posix_memalign: 16 to 2048", "failed");
}

#ifdef SKIFF_MUSL
/* base/malloc.c: a freed chunk is reused by the next request of its class */
static void reuse(void)
{
	void *p = malloc(100), *q;
	uintptr_t was = (uintptr_t)p; /* compared after the free, as a number */

	free(p);
	q = malloc(110);
	tap((uintptr_t)q == was && malloc_usable_size(q) == 128, "base/malloc.c: a freed chunk is reused by its class",
	    "%#lx then %p, usable %zu", (unsigned long)was, q, malloc_usable_size(q));
	free(q);
}

/* base/malloc.c: a double free, or freeing what malloc did not give, aborts
 * with a message */
static void (*volatile release)(void *) = free; /* the compiler must not see what is freed */

static void double_free(void)
{
	char *p = malloc(64);

	release(p);
	release(p);
}

static void stray_free(void)
{
	static char buf[64] __attribute__((aligned(16)));

	release(buf + 16);
}
#endif

int main(void)
{
	sizes();
	zeroing();
	reallocs();
	aligned();
#ifdef SKIFF_MUSL
	reuse();
	tap_aborts("base/malloc.c: a double free aborts", double_free);
	tap_aborts("base/malloc.c: freeing a pointer it did not give aborts", stray_free);
#endif
	return tap_done();
}
