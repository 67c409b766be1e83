/* syscost: what a system call costs the process that makes it.
 *
 *   syscost [N [ROUNDS]]        (N calls per round, default 200000; ROUNDS default 7)
 *
 * Times N getpid(), N read(0, buf, 0) and N personality(0xffffffff) (a query:
 * it changes nothing) with CLOCK_MONOTONIC, ROUNDS times each, and prints the
 * median of the rounds in nanoseconds per call, one line:
 *
 *   getpid_ns=48.1 read_ns=61.0 personality_ns=50.2
 *
 * getpid and read are allowed by a seccomp profile whatever their arguments,
 * which Linux >= 5.11 decides once per syscall number (the action cache) and
 * then skips the filter for; personality is allowed only for some argument
 * values, so the filter runs at every call: its cost shows the filter's
 * shape (a linear list or libseccomp's binary tree).  bench/syscost.sh runs
 * it static in containers; a failing call (seccomp's EPERM, say) is an error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAXROUNDS 31

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median ns/call of ROUNDS rounds of N calls of syscall NR(A, B, C) */
static double cost(const char *name, long nr, long a, long b, long c, long n, int rounds)
{
	double r[MAXROUNDS];
	char buf[1];
	int k;

	if (nr == SYS_read)
		b = (long)buf;
	for (k = 0; k < rounds; k++) {
		double t0 = now_ns();

		for (long i = 0; i < n; i++)
			if (syscall(nr, a, b, c) < 0) {
				perror(name);
				exit(1);
			}
		r[k] = (now_ns() - t0) / n;
	}
	qsort(r, rounds, sizeof(r[0]), cmp);
	return r[rounds / 2];
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;

	if (n < 1 || rounds < 1 || rounds > MAXROUNDS) {
		fprintf(stderr, "usage: syscost [N [ROUNDS (1-%d)]]\n", MAXROUNDS);
		return 2;
	}
	double g = cost("getpid", SYS_getpid, 0, 0, 0, n, rounds);
	double r = cost("read", SYS_read, 0, 0, 0, n, rounds);
	double p = cost("personality", SYS_personality, 0xffffffffL, 0, 0, n, rounds);

	printf("getpid_ns=%.1f read_ns=%.1f personality_ns=%.1f\n", g, r, p);
	return 0;
}
