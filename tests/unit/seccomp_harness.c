/* The harness shared by the seccomp unit tests: see seccomp_harness.h.
 * Each behavioural case compiles a filter in the parent, forks a child
 * that sets no_new_privs, loads it, makes the syscalls and reports the
 * results over a pipe (or dies by a signal). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_harness.h"

int passed, failed;

void ok(const char *name)
{
	printf("ok - %s\n", name);
	passed++;
}

void __attribute__((format(printf, 2, 3))) not_ok(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed++;
}

/* ---- building configs by hand ---- */

unsigned long enum_of(const struct sk_enum *e, const char *name)
{
	unsigned long v;

	if (!sk_enum_value(e, name, &v)) {
		fprintf(stderr, "unknown %s %s\n", e->what, name);
		abort();
	}
	return v;
}

void cfg_arches(struct cfg *c, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c->arches[i] = (unsigned)enum_of(&sk_enum_scmp_arch, names[i]);
	c->s.architectures = c->arches;
	c->s.n_architectures = n;
}

void cfg_flags(struct cfg *c, const char *const *names, size_t n)
{
	c->s.flags = 0;
	for (size_t i = 0; i < n; i++)
		c->s.flags |= enum_of(&sk_enum_scmp_flag, names[i]);
}

void cfg_init(struct cfg *c, const char *def)
{
	memset(c, 0, sizeof(*c));
	c->s.present = true;
	c->s.default_action = (enum sk_scmp_action)enum_of(&sk_enum_scmp_action, def);
	c->s.syscalls = c->rules;
}

/* Add a rule; names is a NULL-terminated list. */
struct sk_seccomp_syscall *cfg_rule(struct cfg *c, const char *action, const char *const *names)
{
	size_t i = c->s.n_syscalls++, n;
	struct sk_seccomp_syscall *r = &c->rules[i];

	for (n = 0; names[n]; n++)
		c->names[i][n] = (char *)names[n];
	r->names = c->names[i];
	r->n_names = n;
	r->action = (enum sk_scmp_action)enum_of(&sk_enum_scmp_action, action);
	r->args = c->args[i];
	return r;
}

struct sk_seccomp_syscall *rule1(struct cfg *c, const char *action, const char *name)
{
	const char *names[] = { name, NULL };

	return cfg_rule(c, action, names);
}

void set_errno(struct sk_seccomp_syscall *r, uint32_t e)
{
	r->has_errno_ret = true;
	r->errno_ret = e;
}

void add_arg(struct sk_seccomp_syscall *r, uint32_t index, const char *op,
		    uint64_t value, uint64_t value_two)
{
	struct sk_seccomp_arg *a = &r->args[r->n_args++];

	a->index = index;
	a->op = (enum sk_scmp_op)enum_of(&sk_enum_scmp_op, op);
	a->value = value;
	a->value_two = value_two;
	a->has_value_two = value_two != 0;
}

/* What the harness itself needs after the filter is loaded. */
void cfg_harness(struct cfg *c)
{
	/* sanitizer runtimes also want memory and signal stacks at exit */
	const char *names[] = { "write", "exit_group", "exit", "rt_sigreturn",
				"mmap", "munmap", "sigaltstack", "futex", "madvise",
				"rt_sigaction", "rt_sigprocmask", NULL };

	cfg_rule(c, "SCMP_ACT_ALLOW", names);
}

/* ---- running a child under a filter ---- */

/* 0: child reported (r), 1: child died without report (*status), -1: harness error. */
int run_child(const struct cfg *c, child_fn fn, parent_fn pfn, void *parg,
		     struct res *r, int *status, char *why, size_t whylen)
{
	struct sk_seccomp_prog prog;
	struct sk_error err = { 0 };
	struct pollfd pfd;
	int p[2], rc, ret = 1;
	ssize_t n;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	*status = 0;
	if (sk_seccomp_compile(&c->s, &prog, &err) < 0) {
		snprintf(why, whylen, "compile: %.400s", err.msg);
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		sk_seccomp_prog_free(&prog);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		sk_seccomp_prog_free(&prog);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);     /* no core dumps on SIGSYS */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(3);
		r->load_rc = sk_seccomp_load(&prog, &err);
		if (r->load_rc < 0)
			snprintf(r->load_msg, sizeof(r->load_msg), "%.200s", err.msg);
		else
			fn(r);
		if (write(p[1], r, sizeof(*r)) != sizeof(*r))
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	sk_seccomp_prog_free(&prog);
	if (pfn)
		pfn(pid, parg);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	rc = poll(&pfd, 1, CHILD_TIMEOUT_MS);
	if (rc == 0) {
		kill(pid, SIGKILL);
		snprintf(why, whylen, "child timed out");
		ret = -1;
	} else {
		n = read(p[0], r, sizeof(*r));
		if (n == sizeof(*r))
			ret = 0;
	}
	close(p[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0 && r->load_rc < 0) {
		snprintf(why, whylen, "load: %s", r->load_msg);
		return -1;
	}
	return ret;
}

/* Run and expect a report; on failure print not ok and return -1. */
int run_ok(const char *name, const struct cfg *c, child_fn fn, struct res *r)
{
	char why[512];
	int status, rc;

	rc = run_child(c, fn, NULL, NULL, r, &status, why, sizeof(why));
	if (rc < 0) {
		not_ok(name, "%s", why);
		return -1;
	}
	if (rc > 0) {
		not_ok(name, "child died: %s %d", WIFSIGNALED(status) ? "signal" : "exit",
		       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

/* Run and expect death by `sig`. */
void expect_signal(const char *name, const struct cfg *c, child_fn fn, int sig)
{
	struct res r;
	char why[512];
	int status, rc;

	rc = run_child(c, fn, NULL, NULL, &r, &status, why, sizeof(why));
	if (rc < 0)
		not_ok(name, "%s", why);
	else if (rc == 0)
		not_ok(name, "child survived (ret %ld errno %d)", r.ret[0], r.err[0]);
	else if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
		not_ok(name, "want signal %d, got status %#x", sig, status);
	else
		ok(name);
}

int expect_res(const char *name, const struct res *r, int i, long ret, int e)
{
	if (r->ret[i] != ret || (ret == -1 && r->err[i] != e)) {
		not_ok(name, "call %d: want %ld/%s, got %ld/%s", i, ret,
		       ret == -1 ? strerror(e) : "-", r->ret[i],
		       r->ret[i] == -1 ? strerror(r->err[i]) : "-");
		return -1;
	}
	return 0;
}

void expect_errnos(const char *name, const struct res *r, const int *errs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (expect_res(name, r, i, -1, errs[i]) < 0)
			return;
	ok(name);
}

/* ---- child bodies ---- */

char cwd_buf[4096];

void c_getcwd(struct res *r)
{
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));
}

void c_getcwd_getpid(struct res *r)
{
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));
	DO(r, syscall(SYS_getpid));
	DO(r, syscall(SYS_getppid));
}

void c_close3(struct res *r)
{
	DO(r, syscall(SYS_close, FD_LO));
	DO(r, syscall(SYS_close, FD_MID));
	DO(r, syscall(SYS_close, FD_HI));
}

void c_dup3(struct res *r)
{
	DO(r, syscall(SYS_dup3, FD_MID, 2000, 0));
	DO(r, syscall(SYS_dup3, FD_MID, 2001, 0));
	DO(r, syscall(SYS_dup3, FD_LO, 2000, 0));
}

volatile sig_atomic_t trap_code, trap_nr;

void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trap_code = si->si_code;
	trap_nr = si->si_syscall;
}

void c_trap_caught(struct res *r)
{
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));
	r->ret[r->n] = trap_code;
	r->err[r->n++] = trap_nr;
}
