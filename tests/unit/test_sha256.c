/* Unit tests for base/sha256.c: the FIPS 180-4 vectors through both block
 * functions (portable C and, when the CPU has them, the x86 SHA
 * extensions), and the two against each other over every length up to a
 * few blocks and every split of an update.
 *
 * Output: "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/sha256.h"

static int passed, failed;

static void check(int ok, const char *name, const char *why)
{
	if (ok) {
		printf("ok - %s\n", name);
		passed++;
	} else {
		printf("not ok - %s: %s\n", name, why);
		failed++;
	}
}

static void hex(const unsigned char d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* SHA-256 of buf in pieces of `step` bytes (0: one update). */
static void digest(bool generic, const unsigned char *buf, size_t len, size_t step,
		   unsigned char out[32])
{
	struct sk_sha256 s = { .generic = generic };

	sk_sha256_init(&s);
	if (!step)
		step = len ? len : 1;
	for (size_t o = 0; o < len; o += step)
		sk_sha256_update(&s, buf + o, len - o < step ? len - o : step);
	sk_sha256_final(&s, out);
}

int main(void)
{
	static const struct { const char *in; size_t repeat; const char *want; } v[] = {
		{ "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	unsigned char *buf, a[32], b[32];
	char h[65], why[256];
	int bad = 0;

	for (int generic = 1; generic >= 0; generic--) {
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			size_t n = strlen(v[i].in) * v[i].repeat;

			buf = malloc(n + 1);
			for (size_t r = 0; r < v[i].repeat; r++)
				memcpy(buf + r * strlen(v[i].in), v[i].in, strlen(v[i].in));
			digest(generic, buf, n, 0, a);
			hex(a, h);
			if (strcmp(h, v[i].want) && !bad++)
				snprintf(why, sizeof(why), "%s, vector %zu: %s", generic ? "generic" : "native",
					 i, h);
			free(buf);
		}
	}
	check(!bad, "FIPS 180-4 vectors (portable and native block functions)", why);

	buf = malloc(1024);
	for (int i = 0; i < 1024; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	bad = 0;
	for (size_t len = 0; len <= 300 && !bad; len++)
		for (size_t step = 0; step <= 70 && !bad; step += 7) {
			digest(true, buf, len, step, a);
			digest(false, buf, len, step, b);
			if (memcmp(a, b, 32)) {
				bad = 1;
				snprintf(why, sizeof(why), "length %zu in pieces of %zu differ", len, step);
			}
		}
	free(buf);
	check(!bad, "native and portable agree for lengths 0..300, any split", why);

	/* the native path is taken exactly when the CPU has what it needs */
	{
		FILE *f = fopen("/proc/cpuinfo", "r");
		char line[8192];
		bool sha = false, sse41 = false;

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "flags", 5)) {
				sha = strstr(line, " sha_ni") != NULL;
				sse41 = strstr(line, " sse4_1") != NULL;
				break;
			}
		if (f)
			fclose(f);
		snprintf(why, sizeof(why), "cpuinfo says sha_ni %d sse4_1 %d, skiff says native %d",
			 sha, sse41, sk_sha256_native());
#if defined(__x86_64__)
		check(sk_sha256_native() == (sha && sse41), "SHA extensions detected as /proc/cpuinfo lists them", why);
#else
		check(!sk_sha256_native(), "no SHA extensions path on this architecture", why);
#endif
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
