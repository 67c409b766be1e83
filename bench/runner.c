/* runner: time commands of several runtimes, alternating run by run.
 *
 *   runner -s SCENARIO [-w WARMUP] [-n RUNS] [-t TIMEOUT_S] [-e ERRDIR] [-o OUT] PLAN
 *
 * PLAN has one line per runtime, fields separated by TABs:
 *
 *   NAME  PARALLEL  PRE  TIMED  POST
 *
 * PRE and POST are shell commands (`/bin/sh -c`, untimed, "-" for none) run before and
 * after every iteration, POST even when TIMED failed (it deletes what was made).
 * TIMED is one or more commands separated by " ;; ", each split on blanks (no shell,
 * no quoting: the harness keeps its paths free of blanks) and run with posix_spawn;
 * the wall time with CLOCK_MONOTONIC from before the first spawn to after the last
 * wait is the iteration's time.  With PARALLEL P > 1, each timed command is started P
 * times at once and the step ends when all P have exited.
 * In every field {id} becomes a unique id (the parallel lane's, "{k}" its index) and
 * {ids} the blank-separated ids of all lanes.
 *
 * Iterations alternate the runtimes (A B C A B C ...): WARMUP rounds first (not
 * recorded; a runtime that fails all of them is reported "n/a" with the first line
 * of its stderr), then RUNS rounds.  A command still running after TIMEOUT_S is killed
 * and its runtime reported "n/a (hangs ...)" at once, without more rounds.  Peak RSS is the largest ru_maxrss that wait4()
 * reports for the spawned commands; the kernel folds reaped descendants into it, so
 * a runtime that re-executes itself (runc init) or forks helpers is counted at its
 * largest process.  The kernel also keeps the runner's own peak, which a spawned
 * command carries until it execs: bench/run.sh links the runner statically.
 *
 * OUT gets one line per runtime (appended):
 *   SCENARIO NAME STATUS N_OK N_FAIL MEDIAN_MS P90_MS MIN_MS RSS_MEDIAN_KB RSS_MAX_KB REASON
 * STATUS is "ok" or "na"; a timed command that exits non-zero is a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAXRT 16
#define MAXCMD 8
#define MAXPAR 256

struct rt {
	char name[64];
	int par;
	char *pre, *post;
	char *cmd[MAXCMD];
	int ncmd;
	int dead; /* failed every warm-up round */
	char reason[256];
	double *ms;
	long *rss;
	int nok, nfail;
	char errpath[512];
};

static struct rt rts[MAXRT];
static int nrt;
static pid_t kids[MAXPAR];
static int nkids;
static volatile sig_atomic_t timed_out;

static void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("runner: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	for (int i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
}

/* Replace {id}, {k} and {ids} in s; result is malloc'ed. */
static char *subst(const char *s, const char *prefix, int iter, int ri, int k, int par)
{
	size_t cap = strlen(s) + 64 + (size_t)par * 48, n = 0;
	char *out = malloc(cap);
	if (!out)
		fatal("out of memory");
	while (*s) {
		char buf[64];
		const char *ins = NULL;
		size_t skip = 0;
		if (!strncmp(s, "{ids}", 5)) {
			for (int j = 0; j < par; j++) {
				int w = snprintf(out + n, cap - n, "%s%s-%d-%d-%d", j ? " " : "",
						 prefix, iter, ri, j);
				n += (size_t)w;
			}
			s += 5;
			continue;
		} else if (!strncmp(s, "{id}", 4)) {
			snprintf(buf, sizeof buf, "%s-%d-%d-%d", prefix, iter, ri, k);
			ins = buf, skip = 4;
		} else if (!strncmp(s, "{k}", 3)) {
			snprintf(buf, sizeof buf, "%d", k);
			ins = buf, skip = 3;
		}
		if (ins) {
			size_t l = strlen(ins);
			if (n + l + 1 >= cap)
				fatal("substitution overflow");
			memcpy(out + n, ins, l);
			n += l;
			s += skip;
		} else {
			if (n + 2 >= cap)
				fatal("substitution overflow");
			out[n++] = *s++;
		}
	}
	out[n] = 0;
	return out;
}

static int shell(const char *cmd, const char *errpath)
{
	if (!cmd || !strcmp(cmd, "-") || !*cmd)
		return 0;
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		int efd = open(errpath, O_WRONLY | O_APPEND | O_CREAT, 0644);
		dup2(fd, 0), dup2(fd, 1), dup2(efd >= 0 ? efd : fd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char **split(char *s)
{
	static char *argv[256];
	int n = 0;
	for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n == 255)
			fatal("too many arguments");
		argv[n++] = tok;
	}
	argv[n] = NULL;
	return argv;
}

/* One iteration of runtime ri; returns 0 on success, fills *ms and *rss. */
static int iterate(struct rt *r, int ri, int iter, const char *prefix, int timeout,
		   double *ms, long *rss)
{
	char *pre = subst(r->pre, prefix, iter, ri, 0, r->par);
	int rc = shell(pre, r->errpath);
	free(pre);
	int failed = rc != 0;
	long maxrss = 0;
	struct timespec t0, t1;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, r->errpath, O_WRONLY | O_APPEND | O_CREAT,
					 0644);

	/* Prepare every argv before the clock starts. */
	char *lines[MAXCMD][MAXPAR];
	char **argvs[MAXCMD][MAXPAR];
	for (int c = 0; c < r->ncmd; c++)
		for (int k = 0; k < r->par; k++) {
			lines[c][k] = subst(r->cmd[c], prefix, iter, ri, k, r->par);
			char **a = split(lines[c][k]);
			int n = 0;
			while (a[n])
				n++;
			argvs[c][k] = malloc(sizeof(char *) * (size_t)(n + 1));
			memcpy(argvs[c][k], a, sizeof(char *) * (size_t)(n + 1));
		}

	timed_out = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!failed) {
		alarm((unsigned)timeout);
		for (int c = 0; c < r->ncmd && !failed; c++) {
			nkids = 0;
			for (int k = 0; k < r->par; k++) {
				pid_t pid;
				int e = posix_spawn(&pid, argvs[c][k][0], &fa, NULL, argvs[c][k],
						    environ);
				if (e) {
					FILE *f = fopen(r->errpath, "a");
					if (f) {
						fprintf(f, "spawn %s: %s\n", argvs[c][k][0],
							strerror(e));
						fclose(f);
					}
					failed = 1;
					continue;
				}
				kids[nkids++] = pid;
			}
			for (int k = 0; k < nkids; k++) {
				int st;
				struct rusage ru;
				pid_t w;
				while ((w = wait4(kids[k], &st, 0, &ru)) < 0 && errno == EINTR)
					;
				if (w < 0)
					fatal("wait4: %s", strerror(errno));
				kids[k] = 0;
				if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
					failed = 1;
				if (ru.ru_maxrss > maxrss)
					maxrss = ru.ru_maxrss;
			}
		}
		alarm(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	nkids = 0;
	if (timed_out) {
		FILE *f = fopen(r->errpath, "a");
		if (f) {
			fprintf(f, "timed out after %d s\n", timeout);
			fclose(f);
		}
	}

	for (int c = 0; c < r->ncmd; c++)
		for (int k = 0; k < r->par; k++) {
			free(lines[c][k]);
			free(argvs[c][k]);
		}
	posix_spawn_file_actions_destroy(&fa);

	char *post = subst(r->post, prefix, iter, ri, 0, r->par);
	shell(post, r->errpath);
	free(post);

	*ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	*rss = maxrss;
	return failed;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmpl(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static void first_line(const char *path, char *out, size_t n)
{
	out[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(out, n, "failed (no error output)");
		return;
	}
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		for (char *p = line; *p; p++)
			if (*p == '\t' || *p == '|')
				*p = ' ';
		snprintf(out, n, "%.*s", (int)n - 1, line);
		break;
	}
	fclose(f);
	if (!out[0])
		snprintf(out, n, "failed (no error output)");
}

int main(int argc, char **argv)
{
	const char *scenario = NULL, *out = NULL, *errdir = "/tmp";
	int warm = 3, runs = 20, timeout = 60, opt;
	while ((opt = getopt(argc, argv, "s:w:n:t:e:o:")) != -1) {
		switch (opt) {
		case 's': scenario = optarg; break;
		case 'w': warm = atoi(optarg); break;
		case 'n': runs = atoi(optarg); break;
		case 't': timeout = atoi(optarg); break;
		case 'e': errdir = optarg; break;
		case 'o': out = optarg; break;
		default: fatal("bad option");
		}
	}
	if (!scenario || optind != argc - 1 || runs < 1 || warm < 0)
		fatal("usage: runner -s SCENARIO [-w N] [-n N] [-t S] [-e DIR] [-o OUT] PLAN");

	FILE *pf = fopen(argv[optind], "r");
	if (!pf)
		fatal("%s: %s", argv[optind], strerror(errno));
	char line[8192];
	while (fgets(line, sizeof line, pf)) {
		line[strcspn(line, "\n")] = 0;
		if (!*line || line[0] == '#')
			continue;
		if (nrt == MAXRT)
			fatal("too many runtimes");
		struct rt *r = &rts[nrt];
		char *f[5];
		char *p = line;
		int nf = 0;
		for (; nf < 5; nf++) {
			f[nf] = strsep(&p, "\t");
			if (!f[nf])
				break;
		}
		if (nf != 5)
			fatal("plan line needs 5 TAB-separated fields: %s", line);
		snprintf(r->name, sizeof r->name, "%s", f[0]);
		r->par = atoi(f[1]);
		if (r->par < 1 || r->par > MAXPAR)
			fatal("bad parallel count %s", f[1]);
		r->pre = strdup(f[2]);
		r->post = strdup(f[4]);
		char *cmds = strdup(f[3]), *c = cmds, *sep;
		while (c) {
			if (r->ncmd == MAXCMD)
				fatal("too many commands");
			sep = strstr(c, " ;; ");
			if (sep)
				*sep = 0;
			r->cmd[r->ncmd++] = c;
			c = sep ? sep + 4 : NULL;
		}
		r->ms = calloc((size_t)runs, sizeof(double));
		r->rss = calloc((size_t)runs, sizeof(long));
		snprintf(r->errpath, sizeof r->errpath, "%s/%s.%s.err", errdir, scenario, f[0]);
		unlink(r->errpath);
		nrt++;
	}
	fclose(pf);

	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);

	char prefix[32];
	snprintf(prefix, sizeof prefix, "skb%d", (int)getpid());

	int warm_ok[MAXRT] = { 0 };
	for (int i = 0; i < warm + runs; i++) {
		for (int ri = 0; ri < nrt; ri++) {
			struct rt *r = &rts[ri];
			if (r->dead)
				continue;
			double ms;
			long rss;
			int failed = iterate(r, ri, i, prefix, timeout, &ms, &rss);
			if (timed_out) {
				/* A hang repeats: report it once instead of waiting again. */
				r->dead = 1;
				snprintf(r->reason, sizeof r->reason,
					 "hangs: killed after %d s", timeout);
				r->nfail++;
				continue;
			}
			if (i < warm) {
				warm_ok[ri] += !failed;
				if (i == warm - 1 && !warm_ok[ri]) {
					r->dead = 1;
					first_line(r->errpath, r->reason, sizeof r->reason);
				}
				continue;
			}
			if (failed) {
				r->nfail++;
				/* A runtime that never succeeds is n/a, not a time. */
				if (r->nok == 0 && r->nfail >= 3) {
					r->dead = 1;
					first_line(r->errpath, r->reason, sizeof r->reason);
				}
				continue;
			}
			r->ms[r->nok] = ms;
			r->rss[r->nok] = rss;
			r->nok++;
		}
		fprintf(stderr, "\r  %s: round %d/%d%s", scenario, i + 1, warm + runs,
			i < warm ? " (warm-up)" : "          ");
	}
	fputc('\n', stderr);

	FILE *of = out ? fopen(out, "a") : stdout;
	if (!of)
		fatal("%s: %s", out, strerror(errno));
	for (int ri = 0; ri < nrt; ri++) {
		struct rt *r = &rts[ri];
		if (r->dead || r->nok == 0) {
			if (!r->reason[0])
				first_line(r->errpath, r->reason, sizeof r->reason);
			fprintf(of, "%s\t%s\tna\t0\t%d\t-\t-\t-\t-\t-\t%s\n", scenario, r->name,
				r->nfail, r->reason);
			continue;
		}
		qsort(r->ms, (size_t)r->nok, sizeof(double), cmpd);
		qsort(r->rss, (size_t)r->nok, sizeof(long), cmpl);
		int n = r->nok;
		double med = n % 2 ? r->ms[n / 2] : (r->ms[n / 2 - 1] + r->ms[n / 2]) / 2;
		int p90i = (int)((n * 9 + 9) / 10) - 1; /* nearest rank */
		if (p90i < 0)
			p90i = 0;
		fprintf(of, "%s\t%s\tok\t%d\t%d\t%.3f\t%.3f\t%.3f\t%ld\t%ld\t-\n", scenario, r->name,
			n, r->nfail, med, r->ms[p90i], r->ms[0], r->rss[n / 2], r->rss[n - 1]);
	}
	if (of != stdout)
		fclose(of);
	return 0;
}
