/* Unit tests for src/seccomp_cache.c: SHA-256 vectors, the canonical JSON,
 * cache hits, that a corrupt, foreign or unsafe entry is rebuilt, and the
 * pruning to SK_SECCOMP_CACHE_MAX entries (least recently used out).
 * Prints "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/skiff.h"
#include "skiff/util.h"
#include "tap.h"

struct sk_globals sk_g;


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
			tap(false, "sha256 vectors", "\"%s\": %s", v[i].in, h);
		}
	}
	if (good)
		tap(true, "sha256 vectors", "-");
}

static char *names_a[] = { "mkdir", "mkdirat" };
static struct sk_seccomp_arg args_a[] = { { .index = 0, .value = 8, .op = SK_SCMP_CMP_EQ } };

static void profile(struct sk_seccomp *s, struct sk_seccomp_syscall *sc,
		    enum sk_scmp_action action, uint32_t ret)
{
	memset(s, 0, sizeof(*s));
	memset(sc, 0, sizeof(*sc));
	s->present = true;
	s->default_action = SK_SCMP_ACT_ALLOW;
	sc->names = names_a;
	sc->n_names = 2;
	sc->action = action;
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

/* The key for this build (sk_build_id()'s), as the cache computes it. */
static void key_of(const struct sk_seccomp *s, unsigned char key[32])
{
	size_t n;
	const unsigned char *id = sk_build_id(&n);

	sk_seccomp_cache_key(s, id, n, key);
}

/* sk_build_id() is this program's NT_GNU_BUILD_ID, as readelf reads it
 * from this program's file (the test is linked as skiff is). */
static void t_build_id(void)
{
	char want[128] = "", got[128] = "", line[256], cmd[64];
	size_t n = 0;
	const unsigned char *id = sk_build_id(&n);
	FILE *f;

	snprintf(cmd, sizeof(cmd), "readelf -n /proc/%d/exe 2>/dev/null", (int)getpid());
	f = popen(cmd, "r");

	if (!f) {
		tap(false, "build id", "popen readelf: %s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " Build ID: %127s", want) == 1)
			break;
	pclose(f);
	for (size_t i = 0; id && i < n && i < 60; i++)
		sprintf(got + 2 * i, "%02x", id[i]);
	tap(id && n == 20 && !strcmp(got, want), "build id: the program's own note (sha1, as readelf -n shows it)",
	    "got %zu bytes \"%s\", readelf says \"%s\"", n, got, want);
}

static bool exists_in(const char *dir, const char *name);

/* Another build of skiff (another build id) has keys of its own: it misses
 * the entries of this one and writes its own; this one still hits its own.
 * Without a build id the cache is not used at all. */
static void t_other_build(const char *root)
{
	struct sk_seccomp s;
	struct sk_seccomp_syscall sc;
	struct sk_seccomp_prog fresh = { 0 }, a = { 0 };
	struct sk_error err = { 0 };
	unsigned char k1[32], k2[32], id_a[20] = { 1, 2, 3 }, id_b[20] = { 1, 2, 4 };
	char dir[512], ha[80], hb[80], *e = NULL;
	bool ok;

	profile(&s, &sc, SK_SCMP_ACT_ERRNO, 21);
	sk_seccomp_cache_key(&s, id_a, sizeof(id_a), k1);
	sk_seccomp_cache_key(&s, id_b, sizeof(id_b), k2);
	tap(memcmp(k1, k2, 32) != 0, "cache key: another build id, another key", "same key");
	sk_seccomp_cache_key(&s, id_a, 19, k2);
	tap(memcmp(k1, k2, 32) != 0, "cache key: the build id's length counts", "same key");
	hexs(k1, ha);
	strcat(ha, ".bpf");
	sk_seccomp_cache_key(&s, id_b, sizeof(id_b), k2);
	hexs(k2, hb);
	strcat(hb, ".bpf");

	sk_g.root = root;
	snprintf(dir, sizeof(dir), "%s/.seccomp-cache", root);
	if (sk_seccomp_compile(&s, &fresh, &err) < 0) {
		tap(false, "other build: compile", "%s", err.msg);
		return;
	}
	ok = sk_seccomp_compile_cached_for(&s, NULL, 0, &a, &err) == 0 && same(&a, &fresh);
	e = only_entry(dir);
	tap(ok && !e, "no build id: compiled, nothing cached", "%s %s", err.msg, e ? e : "");
	free(e);
	sk_seccomp_prog_free(&a);
	ok = sk_seccomp_compile_cached_for(&s, id_a, sizeof(id_a), &a, &err) == 0 && same(&a, &fresh);
	e = only_entry(dir);
	tap(ok && e && !strcmp(strrchr(e, '/') + 1, ha),
	    "build A: a miss writes the entry named by A's key", "%s %s", err.msg, e ? e : "no entry");
	free(e);
	sk_seccomp_prog_free(&a);
	/* B misses A's entry: it compiles and writes its own */
	tap(sk_seccomp_compile_cached_for(&s, id_b, sizeof(id_b), &a, &err) == 0 && same(&a, &fresh) &&
	    exists_in(dir, ha) && exists_in(dir, hb),
	    "build B: misses A's entry, writes its own", "%s", err.msg);
	sk_seccomp_prog_free(&a);
	sk_seccomp_prog_free(&fresh);
}

static void t_cache(const char *root)
{
	struct sk_seccomp s, s2;
	struct sk_seccomp_syscall sc, sc2;
	struct sk_seccomp_prog fresh = { 0 }, a = { 0 }, b = { 0 };
	struct sk_error err = { 0 };
	char dir[512], *e;
	unsigned char k1[32], k2[32], k3[32];
	char *ab_c[] = { "ab", "c" }, *a_bc[] = { "a", "bc" };
	int fd;

	profile(&s, &sc, SK_SCMP_ACT_ERRNO, 18);
	profile(&s2, &sc2, SK_SCMP_ACT_ERRNO, 19);
	key_of(&s, k1);
	key_of(&s, k2);
	key_of(&s2, k3);
	tap(!memcmp(k1, k2, 32) && memcmp(k1, k3, 32), "cache key is stable and tells profiles apart", "keys of the same profile differ, or of different ones match");
	s.listener_path = "/x";
	key_of(&s, k2);
	tap(!memcmp(k1, k2, 32), "cache key leaves listenerPath out", "listenerPath changed the key");
	s.listener_path = NULL;
	/* no two different objects share a key by a shift between fields */
	sc2 = sc;
	s2.syscalls = &sc2;
	sc.names = ab_c;
	sc2.names = a_bc;
	key_of(&s, k1);
	key_of(&s2, k2);
	sc2.names = sc.names;
	sc2.has_errno_ret = false;
	sc.errno_ret = sc2.errno_ret = 0;
	key_of(&s, k3);
	tap(memcmp(k1, k2, 32) != 0, "cache key: names [ab, c] and [a, bc] differ", "same key");
	key_of(&s2, k2);
	tap(memcmp(k2, k3, 32) != 0, "cache key: errnoRet 0 and no errnoRet differ", "same key");
	profile(&s, &sc, SK_SCMP_ACT_ERRNO, 18);
	profile(&s2, &sc2, SK_SCMP_ACT_ERRNO, 18);
	s2.default_action = SK_SCMP_ACT_LOG;
	key_of(&s, k2);
	key_of(&s2, k3);
	tap(memcmp(k2, k3, 32) != 0, "cache key: defaultAction ALLOW and LOG differ", "same key");
	profile(&s, &sc, SK_SCMP_ACT_ERRNO, 18);
	profile(&s2, &sc2, SK_SCMP_ACT_ERRNO, 19);

	sk_g.root = root;
	snprintf(dir, sizeof(dir), "%s/.seccomp-cache", root);
	tap(sk_seccomp_compile(&s, &fresh, &err) == 0, "compile", "%s", err.msg);
	tap(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh),
	      "miss compiles and equals the plain compilation", "%s", err.msg);
	e = only_entry(dir);
	tap(e != NULL, "one entry written", "no entry in the cache directory");
	if (!e)
		return;
	sk_seccomp_prog_free(&a);
	tap(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh), "hit equals", "%s", err.msg);
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
	tap(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh),
	      "corrupt entry is rebuilt", "%s", err.msg);
	sk_seccomp_prog_free(&a);

	/* a foreign entry (another profile's) under this name */
	tap(sk_seccomp_compile_cached(&s2, &b, &err) == 0 && !same(&b, &fresh), "second profile", "%s", err.msg);
	{
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "for f in %s/*.bpf; do [ \"$f\" = %s ] || cp \"$f\" %s; done", dir, e, e);
		tap(system(cmd) == 0, "copy foreign entry", "cp failed");
	}
	tap(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh),
	      "foreign entry is rebuilt", "%s", err.msg);
	sk_seccomp_prog_free(&a);

	/* group-writable entry: not trusted, replaced */
	chmod(e, 0660);
	tap(sk_seccomp_compile_cached(&s, &a, &err) == 0 && same(&a, &fresh),
	      "group-writable entry is not used", "%s", err.msg);
	{
		struct stat st;

		tap(stat(e, &st) == 0 && (st.st_mode & 07777) == 0600, "entry rewritten 0600", "mode or entry wrong");
	}
	sk_seccomp_prog_free(&a);
	sk_seccomp_prog_free(&b);
	sk_seccomp_prog_free(&fresh);
	free(e);
}

/* ---- pruning ---- */

#define MAXE (SK_SECCOMP_CACHE_MAX + 16)

struct listing {
	char names[MAXE][80];
	int n;
};

/* The *.bpf names in dir (regular files and others alike). */
static void list_bpf(const char *dir, struct listing *l)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	l->n = 0;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".bpf") && l->n < MAXE)
			snprintf(l->names[l->n++], sizeof(l->names[0]), "%.*s",
				 (int)sizeof(l->names[0]) - 1, de->d_name);
	}
	if (d)
		closedir(d);
}

static bool listed(const struct listing *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return true;
	return false;
}

/* Compile profile #i through the cache; the name of the entry it wrote
 * (or "" when none was new) in `name`. */
static bool cached_profile(const char *dir, uint32_t i, char name[80])
{
	struct sk_seccomp s;
	struct sk_seccomp_syscall sc;
	struct sk_seccomp_prog p = { 0 };
	struct sk_error err = { 0 };
	struct listing before, after;
	int rc;

	list_bpf(dir, &before);
	profile(&s, &sc, SK_SCMP_ACT_ERRNO, 1000 + i);
	rc = sk_seccomp_compile_cached(&s, &p, &err);
	sk_seccomp_prog_free(&p);
	list_bpf(dir, &after);
	name[0] = '\0';
	for (int k = 0; k < after.n; k++)
		if (!listed(&before, after.names[k]))
			snprintf(name, 80, "%s", after.names[k]);
	return rc == 0;
}

static bool exists_in(const char *dir, const char *name)
{
	char p[1100];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

/* Every entry's mtime to `t` + its index in the listing order given. */
static void backdate(const char *dir, char names[][80], int n, time_t t)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (int i = 0; i < n; i++) {
		struct timespec ts[2] = { { .tv_sec = t + i }, { .tv_sec = t + i } };

		if (utimensat(dfd, names[i], ts, AT_SYMLINK_NOFOLLOW) < 0)
			perror(names[i]);
	}
	close(dfd);
}

static void t_prune(const char *root)
{
	static char names[MAXE + 32][80];
	char dir[512], p[1100], target[1100], fake[80];
	struct listing l;
	struct stat st;
	time_t past = time(NULL) - 100000;
	uint32_t i;
	bool good = true;
	int regular;

	sk_g.root = root;
	snprintf(dir, sizeof(dir), "%s/.seccomp-cache", root);
	/* not ours, left alone: another file, an entry-named symlink to a
	 * file outside, an entry-named directory */
	if (!cached_profile(dir, 0, names[0]) || !names[0][0]) {
		tap(false, "prune: first entry", "could not be written");
		return;
	}
	snprintf(p, sizeof(p), "%s/README", dir);
	close(open(p, O_WRONLY | O_CREAT, 0600));
	snprintf(target, sizeof(target), "%s/outside", root);
	close(open(target, O_WRONLY | O_CREAT, 0600));
	memset(fake, 'f', 64);
	strcpy(fake + 64, ".bpf");
	snprintf(p, sizeof(p), "%s/%s", dir, fake);
	if (symlink(target, p) < 0)
		perror("symlink");
	fake[0] = 'e';
	snprintf(p, sizeof(p), "%s/%s", dir, fake);
	mkdir(p, 0700);

	/* exactly the limit: nothing pruned */
	for (i = 1; i < SK_SECCOMP_CACHE_MAX; i++)
		good &= cached_profile(dir, i, names[i]) && names[i][0];
	list_bpf(dir, &l);
	tap(good && l.n == SK_SECCOMP_CACHE_MAX + 2, "prune: nothing goes up to the limit",
	      "%d .bpf names (want %d entries + 2 not ours)", l.n, SK_SECCOMP_CACHE_MAX);

	/* entry 0 oldest, then 1, 2...; a hit on entry 0 makes it the most
	 * recently used */
	backdate(dir, names, SK_SECCOMP_CACHE_MAX, past);
	good = cached_profile(dir, 0, p) && !p[0];
	snprintf(p, sizeof(p), "%s/%s", dir, names[0]);
	tap(good && stat(p, &st) == 0 && st.st_mtime > past + 1000, "prune: a hit refreshes the mtime",
	      "mtime %lld", (long long)st.st_mtime);

	/* one more: entry 1, now the least recently used, goes */
	good = cached_profile(dir, i, names[i]) && names[i][0];
	list_bpf(dir, &l);
	tap(good && l.n == SK_SECCOMP_CACHE_MAX + 2 && !exists_in(dir, names[1]) &&
	      exists_in(dir, names[0]) && exists_in(dir, names[i]),
	      "prune: over the limit, the least recently used goes; the used and the new stay",
	      "%d names; #1 %d #0 %d new %d", l.n, exists_in(dir, names[1]), exists_in(dir, names[0]),
	      exists_in(dir, names[i]));

	/* 20 more: the limit holds, entry 0 (used most recently of the old) stays */
	for (i++; i < SK_SECCOMP_CACHE_MAX + 21; i++)
		good &= cached_profile(dir, i, names[i]) && names[i][0];
	list_bpf(dir, &l);
	regular = 0;
	for (int k = 0; k < l.n; k++) {
		snprintf(p, sizeof(p), "%s/%s", dir, l.names[k]);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			regular++;
	}
	tap(good && regular == SK_SECCOMP_CACHE_MAX && exists_in(dir, names[0]) &&
	      exists_in(dir, names[i - 1]) && !exists_in(dir, names[21]) && exists_in(dir, names[22]),
	      "prune: the limit holds; the oldest went in order",
	      "%d entries; #0 %d newest %d #21 %d #22 %d", regular, exists_in(dir, names[0]),
	      exists_in(dir, names[i - 1]), exists_in(dir, names[21]), exists_in(dir, names[22]));

	/* what is not ours is untouched */
	snprintf(p, sizeof(p), "%s/README", dir);
	good = access(p, F_OK) == 0 && access(target, F_OK) == 0;
	fake[0] = 'f';
	snprintf(p, sizeof(p), "%s/%s", dir, fake);
	good &= lstat(p, &st) == 0 && S_ISLNK(st.st_mode);
	fake[0] = 'e';
	snprintf(p, sizeof(p), "%s/%s", dir, fake);
	good &= lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
	tap(good, "prune: other files, symlinks and directories are left alone", "one was touched");
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
	t_build_id();
	t_other_build(root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s/.seccomp-cache", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", root);
	t_cache(root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s/.seccomp-cache", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", root);
	t_prune(root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", root);
	return tap_done();
}
