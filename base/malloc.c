/* The allocator of the static musl build (configure --with-musl).
 *
 * musl's mallocng gives a group of small chunks back to the kernel as soon
 * as it is empty and maps a new one at the next allocation: compiling a
 * 300-rule seccomp profile (libseccomp allocates and frees in waves) made
 * ~240 mmap/munmap pairs, each munmap a TLB shootdown, +4 ms against
 * glibc's allocator.  skiff is a short-lived program, or a waiting one
 * (`run` in the foreground, `events`), so this one keeps what it gets:
 *
 *  - sizes up to 64 KB round up to 2 classes per power of two and come
 *    from 256 KB arenas (bump allocation); a freed chunk goes on its
 *    class's free list and is reused, never unmapped;
 *  - larger blocks are mappings of their own (munmap on free, mremap on
 *    realloc);
 *  - every chunk has a 16-byte header: its class (or size) and a tag that
 *    free() checks and clears, so a double free or a foreign pointer
 *    aborts instead of corrupting a list.
 *
 * The static link takes malloc and its relatives from here, ahead of musl's
 * (musl supports replacing them); musl's own internal allocations keep
 * using mallocng.  Threads: skiff's only thread (netns_ahead.c) never
 * allocates; a lock makes it safe anyway. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HDR 16u                  /* header size; also the alignment */
#define MAX_SMALL (64u * 1024)   /* larger: a mapping of its own */
#define ARENA (256u * 1024)
#define NCLASS 24                /* 16, 32, 48, 64, 96, ... 64 KB */
#define TAG_USED 0x736b6966u     /* "skif" */
#define TAG_FREE 0x66726565u     /* "free" */
#define CLASS_BIG 0xffffu        /* a mapping of its own: size is its length */
#define PAGE 4096u

struct hdr {
	size_t size;        /* class capacity, or the mapping's length */
	uint32_t tag;
	uint16_t cls;
	uint16_t off;       /* big: 16-byte units from the mapping's start to this header */
};
_Static_assert(sizeof(struct hdr) == HDR, "header size");

static void *free_list[NCLASS];
static char *arena_next, *arena_end;
static volatile int lock;

static void take(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void give(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static _Noreturn void corrupt(void)
{
	static const char msg[] = "skiff: malloc: invalid or double free\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

/* Class index and capacity for n (1..MAX_SMALL) bytes: 16, then 2^k and
 * 1.5 * 2^k from 32 on (all multiples of 16, so chunks stay aligned). */
static unsigned class_of(size_t n, size_t *cap)
{
	unsigned cls = 1;
	size_t c = 32;

	if (n <= 16) {
		*cap = 16;
		return 0;
	}
	while (c < n) {
		c = (c & (c - 1)) ? (c / 3) * 4 : c + c / 2;
		cls++;
	}
	*cap = c;
	return cls;
}

static void *from_arena(size_t len)
{
	if ((size_t)(arena_end - arena_next) < len) {
		void *a = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (a == MAP_FAILED)
			return NULL;
		arena_next = a;     /* the old arena's tail (< 64 KB) is left unused */
		arena_end = arena_next + ARENA;
	}
	void *p = arena_next;
	arena_next += len;
	return p;
}

/* The length of a mapping for n bytes after pad bytes (header and
 * alignment), whole pages; 0 (errno ENOMEM) when it does not fit a size_t. */
static size_t map_len(size_t n, size_t pad)
{
	size_t len = (n + pad + PAGE - 1) & ~(size_t)(PAGE - 1);

	if (len < n) {
		errno = ENOMEM;
		return 0;
	}
	return len;
}

/* A mapping of its own for n bytes at an alignment of align (16..PAGE/2). */
static void *big(size_t n, size_t align)
{
	size_t pad = align > HDR ? align : HDR, len = map_len(n, pad);
	char *m, *u;
	struct hdr *h;

	if (!len)
		return NULL;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	u = m + pad;        /* the mapping is page-aligned, so u is align-aligned */
	h = (struct hdr *)u - 1;
	*h = (struct hdr){ .size = len, .tag = TAG_USED, .cls = CLASS_BIG,
			   .off = (uint16_t)(((char *)h - m) / HDR) };
	return u;
}

/* n bytes; *fresh says whether they come from a new mapping (zero) */
static void *alloc(size_t n, int *fresh)
{
	struct hdr *h;
	size_t cap;
	unsigned cls;

	*fresh = n > MAX_SMALL;
	if (n > MAX_SMALL)
		return big(n, HDR);
	cls = class_of(n, &cap);
	take();
	h = free_list[cls];
	if (h) {
		free_list[cls] = *(void **)(h + 1);
	} else {
		h = from_arena(cap + HDR);
		if (!h) {
			give();
			errno = ENOMEM;
			return NULL;
		}
		*h = (struct hdr){ .size = cap, .cls = (uint16_t)cls };
	}
	h->tag = TAG_USED;
	give();
	return h + 1;
}

void *malloc(size_t n)
{
	int fresh;

	return alloc(n, &fresh);
}

static struct hdr *header(void *p)
{
	struct hdr *h = (struct hdr *)p - 1;

	if (((uintptr_t)p & (HDR - 1)) || h->tag != TAG_USED ||
	    (h->cls != CLASS_BIG && h->cls >= NCLASS))
		corrupt();
	return h;
}

static size_t usable(const struct hdr *h)
{
	return h->cls == CLASS_BIG ? h->size - (size_t)(h->off + 1) * HDR : h->size;
}

void free(void *p)
{
	struct hdr *h;

	if (!p)
		return;
	h = header(p);
	h->tag = TAG_FREE;
	if (h->cls == CLASS_BIG) {
		munmap((char *)h - (size_t)h->off * HDR, h->size);
		return;
	}
	take();
	*(void **)p = free_list[h->cls];
	free_list[h->cls] = h;
	give();
}

void *calloc(size_t n, size_t m)
{
	size_t len;
	int fresh;
	void *p;

	if (__builtin_mul_overflow(n, m, &len)) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc(len, &fresh);
	/* a new mapping is zero already; a chunk of an arena may be reused */
	if (p && !fresh)
		memset(p, 0, len);
	return p;
}

void *realloc(void *p, size_t n)
{
	struct hdr *h;
	size_t have;
	void *q;

	if (!p)
		return malloc(n);
	h = header(p);
	have = usable(h);
	if (h->cls == CLASS_BIG && h->off == 0 && n > MAX_SMALL) {
		/* grow or shrink the mapping in place, or move it whole */
		size_t len = map_len(n, HDR);

		if (!len)
			return NULL;
		q = mremap(h, h->size, len, MREMAP_MAYMOVE);
		if (q == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		((struct hdr *)q)->size = len;
		return (struct hdr *)q + 1;
	}
	if (n <= have && (h->cls == CLASS_BIG || n > have / 2))
		return p;
	q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	free(p);
	return q;
}

size_t malloc_usable_size(void *p)
{
	return p ? usable(header(p)) : 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	if (!align || (align & (align - 1)) || align > PAGE / 2) {
		errno = EINVAL;
		return NULL;
	}
	return align <= HDR ? malloc(n) : big(n, align);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) || align > PAGE / 2)
		return EINVAL;
	p = aligned_alloc(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}
