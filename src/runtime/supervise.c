/* A process in the foreground (run's init, exec's process): forward the
 * signals skiff gets, proxy the terminal, reap it. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

void sk_tty_begin(struct sk_tty *t, int master)
{
	struct termios raw;

	*t = (struct sk_tty){ .master = master, .in_open = master >= 0 };
	if (master < 0)
		return;
	if (isatty(0) && tcgetattr(0, &t->saved) == 0) {
		raw = t->saved;
		cfmakeraw(&raw);
		t->raw = tcsetattr(0, TCSANOW, &raw) == 0;
	}
	sk_tty_resize(t);
}

void sk_tty_resize(struct sk_tty *t)
{
	struct winsize ws;

	if (t->master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

void sk_tty_end(struct sk_tty *t)
{
	if (t->master >= 0)
		close(t->master);
	t->master = -1;
	if (t->raw)
		tcsetattr(0, TCSANOW, &t->saved);
	t->raw = false;
}

/* Milliseconds left until end (0 when past). */
static int ms_left(const struct timespec *end)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

int sk_supervise(struct sk_supervise *s)
{
	struct sk_tty *t = &s->tty;
	struct timespec end = { 0 };
	bool timer = s->timeout_ms > 0 && s->on_timeout;
	int status = 0;

	if (timer) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += s->timeout_ms / 1000;
		end.tv_nsec += (s->timeout_ms % 1000) * 1000000L;
	}
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = s->sigfd, .events = POLLIN },
			{ .fd = t->master, .events = POLLIN },
			{ .fd = t->in_open ? 0 : -1, .events = POLLIN },
			{ .fd = s->on_watch ? s->watch_fd : -1, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		int r = poll(p, 4, timer ? ms_left(&end) : -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0 && timer) {
			timer = false;
			s->on_timeout(s);
			continue;
		}
		if (p[3].revents & POLLIN)
			s->on_watch(s);
		if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && !sk_copy_chunk(t->master, 1)) {
			close(t->master);
			t->master = -1;
		}
		if ((p[2].revents & (POLLIN | POLLHUP | POLLERR)) && !sk_copy_chunk(0, t->master))
			t->in_open = false;
		if (!(p[0].revents & POLLIN) || read(s->sigfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH) {
			sk_tty_resize(t);
		} else if (si.ssi_signo != SIGCHLD) {
			syscall(SYS_pidfd_send_signal, s->pidfd, si.ssi_signo, NULL, 0);
			continue;
		}
		/* SIGCHLD: only the process is our child. */
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			break;
	}
	/* Drain what the process wrote last. */
	while (t->master >= 0 && poll(&(struct pollfd){ .fd = t->master, .events = POLLIN }, 1, 0) > 0 &&
	       sk_copy_chunk(t->master, 1))
		;
	s->wstatus = status;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
