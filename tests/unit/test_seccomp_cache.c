/* Unit tests for src/seccomp_cache.c: SHA-256 vectors, the canonical JSON,
 * cache hits, and that a corrupt, foreign or unsafe entry is rebuilt.
 * Prints "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/skiff.h"
#include "skiff/util.h"

struct sk_globals sk_g;

static int passed, failed;

static void check(bool cond, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		printf("ok - %s\n", name);
		passed++;
		return;
	}
	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed++;
}

static void hexs(const unsigned char *b, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void t_sha256(void)
{
	static const struct { const char *in, *want; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	unsigned char d[32];
	char h[65];
	bool good = true;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sk_sha256(v[i].in, strlen(v[i].in), d);
		hexs(d, h);
		if (strcmp(h, v[i].want)) {
			good = false;
			check(false, "sha256 vectors", "\"%s\": %s", v[i].in, h);
		}
	}
	if (good)
		check(true, "sha256 vectors", "");
}

static char *names_a[] = { "mkdir", "mkdirat" };
static struct sk_seccomp_arg args_a[] = { { .index = 0, .value = 8, .op = "SCMP_CMP_EQ" } };

static void profile(struct sk_seccomp *s, struct sk_seccomp_syscall *sc, const char *action,
		    uint32_t ret)
{
	memset(s, 0, sizeof(*s));
	memset(sc, 0, sizeof(*sc));
	s->present = true;
	s->default_action = "SCMP_ACT_ALLOW";
	sc->names = names_a;
	sc->n_names = 2;
	sc->action = (char *)action;
	sc->has_errno_ret = true;
	sc->errno_ret = ret;
	sc->args = args_a;
	sc->n_args = 1;
	s->syscalls = sc;
	s->n_syscalls = 1;
}

static bool same(const struct sk_seccomp_prog *a, const struct sk_seccomp_prog *b)
{
	return a->len == b->len && a->flags == b->flags && a->notify == b->notify &&
	       !memcmp(a->filter, b->filter, a->len * 8);
}

/* The only .bpf file in dir (heap path), NULL if not exactly one. */
static char *only_entry(const char *dir)
{
	char cmd[1100], line[512];
	char *found = NULL;
	int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls %s/*.bpf 2>/dev/null", dir);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		free(found);
		found = strdup(line);
		n++;
	}
	if (f)
		pclose(f);
	if (n != 1) {
		free(found);
		return NULL;
	}
	return found;
}

static void t_cache(const char *root)
{
	struct sk_seccomp s, s2;
	struct sk_seccomp_syscall sc, sc2;
	struct sk_seccomp_prog fresh = { 0 }, a = { 0 }, b = { 0 };
	struct sk_error err = { 0 };
	char dir[512], *e;
	_cleanup_free_ char *j1 = NULL, *j2 = NULL, *j3 = NULL;
	int fd;

	profile(&s, &sc, "SCMP_ACT_ERRNO", 18);
	profile(&s2, &sc2, "SCMP_ACT_ERRNO", 19);
	j1 = sk_seccomp_canonical_json(&s);
	j2 = sk_seccomp_canonical_json(&s);
	j3 = sk_seccomp_canonical_json(&s2);
	check(!strcmp(j1, j2) && strcmp(j1, j3), "canonical JSON is stable and tells profiles apart",
	      "%s / %s", j1, j3);
	s.listener_path = "/x";
	free(j2);
	j2 = sk_seccomp_canonical_json(&s);
	check(!strcmp(j1, j2), "canonical JSON leaves listenerPath out", "%s", j2);

	sk_g.root = root;
	snprintf(dir, sizeof(dir), "%s/.seccomp-cache", root);
	check(sk_seccomp_compile(&s, &fresh, &err) == 0, "compile", "%s", err.msg);
	check(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh),
	      "miss compiles and equals the plain compilation", "%s", err.msg);
	e = only_entry(dir);
	check(e != NULL, "one entry written", "");
	if (!e)
		return;
	sk_seccomp_prog_free(&a);
	check(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh), "hit equals", "%s", err.msg);
	sk_seccomp_prog_free(&a);

	/* corrupt the last instruction */
	fd = open(e, O_WRONLY);
	if (fd >= 0) {
		struct stat st;

		fstat(fd, &st);
		if (pwrite(fd, "\x7f", 1, st.st_size - 2) != 1)
			perror("pwrite");
		close(fd);
	}
	check(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh),
	      "corrupt entry is rebuilt", "%s", err.msg);
	sk_seccomp_prog_free(&a);

	/* a foreign entry (another profile's) under this name */
	check(sk_seccomp_compile_cached(&s2, &b, &err) == 0 && !same(&b, &fresh), "second profile", "%s", err.msg);
	{
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "for f in %s/*.bpf; do [ \"$f\" = %s ] || cp \"$f\" %s; done", dir, e, e);
		check(system(cmd) == 0, "copy foreign entry", "");
	}
	check(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh),
	      "foreign entry is rebuilt", "%s", err.msg);
	sk_seccomp_prog_free(&a);

	/* group-writable entry: not trusted, replaced */
	chmod(e, 0660);
	check(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh),
	      "group-writable entry is not used", "%s", err.msg);
	{
		struct stat st;

		check(stat(e, &st) == 0 && (st.st_mode & 07777) == 0600, "entry rewritten 0600", "");
	}
	sk_seccomp_prog_free(&a);
	sk_seccomp_prog_free(&b);
	sk_seccomp_prog_free(&fresh);
	free(e);
}

int main(void)
{
	char root[] = "/tmp/skiff-test-cache-XXXXXX";
	char cmd[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	t_sha256();
	t_cache(root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", root);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
