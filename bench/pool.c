/* pool: run commands with bounded parallelism and time each one.
 *
 *   pool [-p PAR] [-t TIMEOUT_S] [-b BASE_KB] [-c FILE] [-e ERRFILE] LATENCIES < COMMANDS
 *
 * COMMANDS has one command a line, split on blanks (no shell, no quoting) and
 * run with posix_spawn, stdin and stdout on /dev/null, stderr appended to
 * ERRFILE (default /dev/null).  At most PAR (default 50) run at once; a new
 * one starts as soon as one exits.  A command still running TIMEOUT_S
 * (default 60) after it started is killed and counted as failed.
 *
 * LATENCIES gets one line a command: LINE_NUMBER EXIT_STATUS MS (wall time
 * from its spawn to its reaping, CLOCK_MONOTONIC).  stdout gets one line:
 *
 *   wall_ms=W ok=N fail=N memavail_drop_kb=K cg_peak_kb=C cpu_ms=U
 *
 * wall_ms from the first spawn to the last reaping; cpu_ms the user + system
 * time of the reaped commands and the descendants they reaped (getrusage); memavail_drop_kb the
 * largest drop of /proc/meminfo's MemAvailable below BASE_KB (default: its
 * value at the start),
 * cg_peak_kb the largest value of FILE (a cgroup's memory usage in bytes,
 * e.g. memory.usage_in_bytes; -1 without -c), both sampled at every reaping
 * and every 20 ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct job {
	char **argv;
	pid_t pid;
	double t0;
};

static volatile sig_atomic_t ticked;

static void on_tick(int sig)
{
	(void)sig;
	ticked = 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long read_kb(const char *path, const char *field)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *p;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (!field)
		return atol(buf) / 1024;        /* a bytes file */
	p = strstr(buf, field);
	return p ? atol(p + strlen(field)) : -1;
}

static long mem0, drop, cgpeak = -1;
static const char *cgfile;

static void sample(void)
{
	long m = read_kb("/proc/meminfo", "MemAvailable:");

	if (m >= 0 && mem0 - m > drop)
		drop = mem0 - m;
	if (cgfile) {
		long c = read_kb(cgfile, NULL);

		if (c > cgpeak)
			cgpeak = c;
	}
}

static char **split(char *line)
{
	size_t n = 0, cap = 8;
	char **v = malloc(cap * sizeof(*v)), *save = NULL, *w;

	for (w = strtok_r(line, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (n + 2 > cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		if (!v)
			return NULL;
		v[n++] = w;
	}
	if (!v || !n)
		return free(v), NULL;
	v[n] = NULL;
	return v;
}

int main(int argc, char **argv)
{
	int par = 50, timeout_s = 60, opt, nok = 0, nfail = 0;
	const char *errfile = "/dev/null";
	size_t njobs = 0, cap = 64, next = 0, running = 0, done = 0;
	struct job *jobs = malloc(cap * sizeof(*jobs));
	char *line = NULL;
	size_t lcap = 0;
	FILE *lat;

	while ((opt = getopt(argc, argv, "p:t:b:c:e:")) != -1) {
		switch (opt) {
		case 'p': par = atoi(optarg); break;
		case 't': timeout_s = atoi(optarg); break;
		case 'b': mem0 = atol(optarg); break;
		case 'c': cgfile = optarg; break;
		case 'e': errfile = optarg; break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || par < 1 || timeout_s < 1) {
usage:
		fprintf(stderr, "usage: pool [-p PAR] [-t TIMEOUT_S] [-b BASE_KB] [-c FILE] [-e ERRFILE] LATENCIES < COMMANDS\n");
		return 2;
	}
	if (!(lat = fopen(argv[optind], "w")) || !jobs) {
		perror("pool");
		return 2;
	}
	while (getline(&line, &lcap, stdin) > 0) {
		char **v = split(strdup(line));

		if (!v)
			continue;
		if (njobs == cap && !(jobs = realloc(jobs, (cap *= 2) * sizeof(*jobs)))) {
			perror("pool");
			return 2;
		}
		jobs[njobs++] = (struct job){ .argv = v, .pid = -1 };
	}

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, errfile, O_WRONLY | O_APPEND | O_CREAT, 0644);

	struct sigaction sa = { .sa_handler = on_tick };
	sigaction(SIGALRM, &sa, NULL);      /* no SA_RESTART: wait() returns EINTR */
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);

	if (!mem0)
		mem0 = read_kb("/proc/meminfo", "MemAvailable:");
	double t0 = now_ms(), t_end = t0;

	while (done < njobs) {
		while (running < (size_t)par && next < njobs) {
			struct job *j = &jobs[next++];

			j->t0 = now_ms();
			if (posix_spawn(&j->pid, j->argv[0], &fa, NULL, j->argv, environ)) {
				j->pid = -1;
				fprintf(lat, "%zu 127 0\n", next);
				nfail++, done++;
				continue;
			}
			running++;
		}
		if (!running)
			continue;
		int st;
		pid_t pid = waitpid(-1, &st, 0);
		double t = now_ms();

		if (pid < 0) {
			if (errno != EINTR) {
				perror("pool: waitpid");
				return 2;
			}
			ticked = 0;
			sample();
			for (size_t i = 0; i < next; i++)     /* kill the late ones */
				if (jobs[i].pid > 0 && t - jobs[i].t0 > timeout_s * 1e3)
					kill(jobs[i].pid, SIGKILL);
			continue;
		}
		for (size_t i = 0; i < next; i++) {
			if (jobs[i].pid != pid)
				continue;
			int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);

			fprintf(lat, "%zu %d %.3f\n", i + 1, code, t - jobs[i].t0);
			code ? nfail++ : nok++;
			jobs[i].pid = -1;
			running--, done++;
			t_end = t;
			break;
		}
		sample();
	}
	fclose(lat);
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("wall_ms=%.1f ok=%d fail=%d memavail_drop_kb=%ld cg_peak_kb=%ld cpu_ms=%.1f\n", t_end - t0,
	       nok, nfail, drop, cgpeak,
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
	return 0;
}
