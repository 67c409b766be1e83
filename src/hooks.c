/* OCI hooks: each is run with the container state JSON on its stdin, its
 * own args and env, and a bound on its run time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

static int run_one(const struct sk_hook *h, const char *what, const char *state,
		   struct sk_error *err)
{
	int in[2], status = 0, pidfd, r;
	int timeout_ms = (int)(h->has_timeout ? h->timeout : DEFAULT_TIMEOUT_S) * 1000;
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
	if (sk_write_all(in[1], state, strlen(state)) < 0 && errno != EPIPE)
		sk_log_debug("%s: write state: %s", what, sk_strerror(errno));
	close(in[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		do
			r = poll(&p, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		close(pidfd);
		if (r == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return sk_error(err, ETIMEDOUT, "%s (%s): timed out after %d s", what, h->path,
					timeout_ms / 1000);
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return sk_error_sys(err, "%s: wait", what);
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
