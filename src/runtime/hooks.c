/* OCI hooks: each is run with the container state JSON on its stdin, its
 * own args and env, and a bound on its run time. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

/* A hook with no timeout still may not hang skiff forever. */
#define DEFAULT_TIMEOUT_S 120

static char **vec(char **v, size_t n, const char *first)
{
	char **out = sk_xcalloc(n + 2, sizeof(char *));

	if (n)
		memcpy(out, v, n * sizeof(char *));
	else if (first)
		out[0] = (char *)first;
	return out;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feed the state to the hook's stdin (wfd, non-blocking: the hook may
 * never read it, and a big state fills the pipe) and wait for the hook
 * to exit, both before `deadline`: 1 when it exited (*status set), 0 on
 * timeout, -1 (errno) when it cannot be waited for. */
static int wait_hook(pid_t pid, int wfd, const char *state, int64_t deadline, int *status)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), r;
	size_t left = strlen(state);

	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = wfd, .events = POLLOUT } };
		int64_t ms = deadline - now_ms();
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR)) {
			r = w == pid ? 1 : -1;
			break;
		}
		if (ms <= 0) {
			r = 0;
			break;
		}
		/* no pidfd (a kernel before 5.3): look again every 10 ms */
		if (ms > (pidfd < 0 ? 10 : INT_MAX))
			ms = pidfd < 0 ? 10 : INT_MAX;
		if (poll(p, 2, (int)ms) < 0 && errno != EINTR) {
			r = -1;
			break;
		}
		if (wfd >= 0 && p[1].revents) {
			ssize_t n = write(wfd, state, left);

			if (n > 0) {
				state += n;
				left -= (size_t)n;
			}
			/* all written, or the hook closed its stdin (EPIPE) */
			if (!left || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close(wfd);
				wfd = -1;
			}
		}
	}
	if (wfd >= 0)
		close(wfd);
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

static int run_one(const struct sk_hook *h, const char *what, const char *state,
		   struct sk_error *err)
{
	/* timeout: 1 to INT32_MAX s (oci/config.c), in 64-bit milliseconds */
	int64_t timeout_s = h->has_timeout ? h->timeout : DEFAULT_TIMEOUT_S;
	int64_t deadline = now_ms() + timeout_s * 1000;
	int in[2], status = 0, r;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return sk_error_sys(err, "%s: pipe", what);
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return sk_error_sys(err, "%s: fork", what);
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(in[0], 0) < 0)
			_exit(127);
		execve(h->path, vec(h->args, h->n_args, h->path), vec(h->env, h->n_env, NULL));
		dprintf(2, "skiff: %s: exec %s: %s\n", what, h->path, sk_strerror(errno));
		_exit(127);
	}
	close(in[0]);
	/* The hook may not read its stdin: never block on it. */
	signal(SIGPIPE, SIG_IGN);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	r = wait_hook(pid, in[1], state, deadline, &status);
	if (r <= 0) {
		int e = errno;

		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (r < 0) {
			errno = e;
			return sk_error_sys(err, "%s: wait", what);
		}
		return sk_error(err, ETIMEDOUT, "%s (%s): timed out after %lld s", what, h->path,
				(long long)timeout_s);
	}
	if (WIFSIGNALED(status))
		return sk_error(err, ECHILD, "%s (%s): killed by signal %d", what, h->path, WTERMSIG(status));
	if (WEXITSTATUS(status))
		return sk_error(err, ECHILD, "%s (%s): exit status %d", what, h->path, WEXITSTATUS(status));
	return 0;
}

int sk_hooks_run(const struct sk_config *c, enum sk_hook_phase phase, const char *state,
		 struct sk_error *err)
{
	for (size_t i = 0; i < c->hooks.n[phase]; i++) {
		char what[64];

		snprintf(what, sizeof(what), "hooks.%s[%zu]", sk_hook_phase_name(phase), i);
		if (run_one(&c->hooks.list[phase][i], what, state, err) < 0)
			return -1;
	}
	return 0;
}

/* poststart and poststop: a failure is a warning, the lifecycle goes on. */
void sk_hooks_run_warn(const struct sk_config *c, enum sk_hook_phase phase, const char *state)
{
	struct sk_error err = { 0 };

	for (size_t i = 0; i < c->hooks.n[phase]; i++) {
		char what[64];

		snprintf(what, sizeof(what), "hooks.%s[%zu]", sk_hook_phase_name(phase), i);
		if (run_one(&c->hooks.list[phase][i], what, state, &err) < 0)
			sk_log_warn("%s", err.msg);
	}
}
