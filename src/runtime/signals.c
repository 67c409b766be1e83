#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

static const struct { const char *name; int sig; } names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS },
	{ "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "POLL", SIGPOLL }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

/* The first real-time signal as glibc programs (systemd's SIGRTMIN+3),
 * engines (moby's signal table) and crun count it: glibc keeps 32 and 33
 * for itself.  Not the SIGRTMIN of the libc skiff is built on: musl keeps
 * 32-34 and says 35, which would shift every RTMIN+n by one. */
#define RT_MIN 34

/* "TERM", "SIGTERM", "15", "RTMIN+3", "SIGRTMAX-1". */
int sk_parse_signal(const char *s, int *sig, struct sk_error *err)
{
	const char *n = s;
	long long v;

	if (sk_parse_long(s, &v) == 0) {
		/* 0 (runc): only checks that the process exists */
		if (v < 0 || v > SIGRTMAX)
			return sk_error(err, EINVAL, "unknown signal \"%s\"", s);
		*sig = (int)v;
		return 0;
	}
	if (!strncasecmp(n, "SIG", 3))
		n += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(n, names[i].name)) {
			*sig = names[i].sig;
			return 0;
		}
	if (!strncasecmp(n, "RTMIN", 5) || !strncasecmp(n, "RTMAX", 5)) {
		bool min = !strncasecmp(n, "RTMIN", 5);
		int base = min ? RT_MIN : SIGRTMAX;

		v = 0;
		if (n[5] && (sk_parse_long(n + 5, &v) < 0 || (min ? v < 0 : v > 0)))
			return sk_error(err, EINVAL, "unknown signal \"%s\"", s);
		if (base + v < RT_MIN || base + v > SIGRTMAX)
			return sk_error(err, EINVAL, "unknown signal \"%s\"", s);
		*sig = base + (int)v;
		return 0;
	}
	return sk_error(err, EINVAL, "unknown signal \"%s\"", s);
}

/* Signals ignored by whoever started skiff (`nohup`, a daemon that
 * ignores SIGPIPE) stay ignored across execve(2): put them back to the
 * default in the container process, as runc does.  The ignored set is
 * SigIgn in /proc/self/status (one read, not a sigaction per signal);
 * the host's procfs is still reachable when this runs. */
void sk_signals_reset_ignored(void)
{
	char buf[2048], *p;
	unsigned long long ign;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strstr(buf, "\nSigIgn:");
	if (!p)
		return;
	ign = strtoull(p + 8, NULL, 16);
	for (int sig = 1; sig <= 64 && ign; sig++, ign >>= 1)
		if ((ign & 1) && sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
}

/* "TERM" for SIGTERM (SIGIOT/SIGPOLL give their first names), NULL when
 * the signal has no name here. */
const char *sk_signal_name(int sig)
{
	for (size_t i = 0; i < SK_ARRAY_SIZE(names); i++)
		if (names[i].sig == sig)
			return names[i].name;
	return NULL;
}

int sk_signals_block(struct sk_error *err)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	sigset_t all, old;
	int fd;

	sigfillset(&all);
	for (size_t i = 0; i < SK_ARRAY_SIZE(faults); i++)
		sigdelset(&all, faults[i]);
	sigprocmask(SIG_BLOCK, &all, &old);
	fd = signalfd(-1, &all, SFD_CLOEXEC);
	if (fd < 0) {
		sk_error_sys(err, "signalfd");
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return fd;
}
