/* SHA-256 (FIPS 180-4), for the seccomp filter cache's keys and
 * checksums: with the x86 SHA extensions when the CPU has them (about ten
 * times faster), else portable C. */
#ifndef SKIFF_SHA256_H
#define SKIFF_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sk_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
	bool generic;	/* portable C even when the CPU has SHA extensions */
};

void sk_sha256_init(struct sk_sha256 *s);
void sk_sha256_update(struct sk_sha256 *s, const void *data, size_t len);
void sk_sha256_final(struct sk_sha256 *s, unsigned char out[32]);
/* Whether the SHA extensions (SHA-NI with SSE4.1) are used on this CPU. */
bool sk_sha256_native(void);
/* One buffer at once. */
void sk_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
