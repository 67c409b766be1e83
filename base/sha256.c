/* SHA-256 (FIPS 180-4).  The block function has two forms: portable C,
 * and the x86 SHA extensions (sha256rnds2/msg1/msg2), chosen at run time
 * when the CPU has them.  tests/unit/test_sha256.c checks both against
 * the FIPS vectors and against each other. */
#include <string.h>

#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void blocks_generic(uint32_t st[8], const unsigned char *p, size_t n)
{
	for (; n; n--, p += 64) {
		uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
		int i;

		for (i = 0; i < 16; i++)
			w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
		for (; i < 64; i++)
			w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
			       w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
		a = st[0], b = st[1], c = st[2], d = st[3];
		e = st[4], f = st[5], g = st[6], h = st[7];
		for (i = 0; i < 64; i++) {
			t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
			t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
			h = g, g = f, f = e, e = d + t1;
			d = c, c = b, b = a, a = t1 + t2;
		}
		st[0] += a, st[1] += b, st[2] += c, st[3] += d;
		st[4] += e, st[5] += f, st[6] += g, st[7] += h;
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1

/* The state lives in two registers as ABEF and CDGH, the layout
 * sha256rnds2 works on; each step does four rounds, two per rnds2. */
__attribute__((target("sha,sse4.1"))) static void blocks_sha_ni(uint32_t st[8],
								   const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[0]), 0xB1); /* CDAB */
	__m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[4]), 0x1B); /* EFGH */
	__m128i s0 = _mm_alignr_epi8(t, s1, 8);		/* ABEF */

	s1 = _mm_blend_epi16(s1, t, 0xF0);			/* CDGH */
	for (; n; n--, p += 64) {
		__m128i abef = s0, cdgh = s1, w[4], m;

		for (int i = 0; i < 16; i++) {
			if (i < 4) {
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
			} else {
				/* W[4i..4i+3] from the four groups before */
				m = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
				m = _mm_add_epi32(m, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
				w[i & 3] = _mm_sha256msg2_epu32(m, w[(i + 3) & 3]);
			}
			m = _mm_add_epi32(w[i & 3], _mm_loadu_si128((const __m128i *)&K[4 * i]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, m);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	t = _mm_shuffle_epi32(s0, 0x1B);			/* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);			/* DCHG */
	_mm_storeu_si128((__m128i *)&st[0], _mm_blend_epi16(t, s1, 0xF0)); /* DCBA */
	_mm_storeu_si128((__m128i *)&st[4], _mm_alignr_epi8(s1, t, 8));   /* HGFE */
}
#endif

bool sk_sha256_native(void)
{
#ifdef HAVE_SHA_NI
	static int ni = -1;

	if (ni < 0) {
		/* CPUID here, when a digest is first needed: not
		 * __builtin_cpu_supports, whose libgcc constructor runs a
		 * dozen CPUIDs (each a VM exit under a hypervisor) at every
		 * start of skiff */
		unsigned int a, b, c, d;

		ni = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) &&
		     __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
	}
	return ni;
#else
	return false;
#endif
}

static void blocks(struct sk_sha256 *s, const unsigned char *p, size_t n)
{
#ifdef HAVE_SHA_NI
	if (!s->generic && sk_sha256_native()) {
		blocks_sha_ni(s->h, p, n);
		return;
	}
#endif
	blocks_generic(s->h, p, n);
}

void sk_sha256_init(struct sk_sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	bool generic = s->generic;

	memset(s, 0, sizeof(*s));
	memcpy(s->h, iv, sizeof(iv));
	s->generic = generic;
}

void sk_sha256_update(struct sk_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->len += len;
	if (s->n) {
		size_t k = 64 - s->n < len ? 64 - s->n : len;

		memcpy(s->buf + s->n, p, k);
		s->n += k, p += k, len -= k;
		if (s->n < 64)
			return;
		blocks(s, s->buf, 1);
		s->n = 0;
	}
	if (len >= 64) {
		blocks(s, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(s->buf, p, len);
	s->n = len;
}

void sk_sha256_final(struct sk_sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	int i;

	s->buf[s->n++] = 0x80;
	if (s->n > 56) {
		memset(s->buf + s->n, 0, 64 - s->n);
		blocks(s, s->buf, 1);
		s->n = 0;
	}
	memset(s->buf + s->n, 0, 56 - s->n);
	for (i = 0; i < 8; i++)
		s->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	blocks(s, s->buf, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void sk_sha256(const void *data, size_t len, unsigned char out[32])
{
	struct sk_sha256 s = { .generic = false };

	sk_sha256_init(&s);
	sk_sha256_update(&s, data, len);
	sk_sha256_final(&s, out);
}
