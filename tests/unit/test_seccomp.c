/* Unit tests for src/seccomp.c.  Each behavioural case compiles a filter
 * in the parent, forks a child that sets no_new_privs, loads it, makes the
 * syscalls and reports the results over a pipe (or dies by a signal).
 * Prints "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/oci.h"
#include "skiff/seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define CHILD_TIMEOUT_MS 5000
/* fds that are never open in the child: close()/dup3() on them give EBADF
 * unless a rule answers first. */
#define FD_LO 999
#define FD_MID 1000
#define FD_HI 1001

static int passed, failed;

static void ok(const char *name)
{
	printf("ok - %s\n", name);
	passed++;
}

static void __attribute__((format(printf, 2, 3))) not_ok(const char *name, const char *fmt, ...)
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

#define MAX_RULES 64

struct cfg {
	struct sk_seccomp s;
	struct sk_seccomp_syscall rules[MAX_RULES];
	struct sk_seccomp_arg args[MAX_RULES][6];
	char *names[MAX_RULES][16];
};

static void cfg_init(struct cfg *c, const char *def)
{
	memset(c, 0, sizeof(*c));
	c->s.present = true;
	c->s.default_action = (char *)def;
	c->s.syscalls = c->rules;
}

/* Add a rule; names is a NULL-terminated list. */
static struct sk_seccomp_syscall *cfg_rule(struct cfg *c, const char *action,
					   const char *const *names)
{
	size_t i = c->s.n_syscalls++, n;
	struct sk_seccomp_syscall *r = &c->rules[i];

	for (n = 0; names[n]; n++)
		c->names[i][n] = (char *)names[n];
	r->names = c->names[i];
	r->n_names = n;
	r->action = (char *)action;
	r->args = c->args[i];
	return r;
}

static struct sk_seccomp_syscall *rule1(struct cfg *c, const char *action, const char *name)
{
	const char *names[] = { name, NULL };

	return cfg_rule(c, action, names);
}

static void set_errno(struct sk_seccomp_syscall *r, uint32_t e)
{
	r->has_errno_ret = true;
	r->errno_ret = e;
}

static void add_arg(struct sk_seccomp_syscall *r, uint32_t index, const char *op,
		    uint64_t value, uint64_t value_two)
{
	struct sk_seccomp_arg *a = &r->args[r->n_args++];

	a->index = index;
	a->op = (char *)op;
	a->value = value;
	a->value_two = value_two;
	a->has_value_two = value_two != 0;
}

/* What the harness itself needs after the filter is loaded. */
static void cfg_harness(struct cfg *c)
{
	/* sanitizer runtimes also want memory and signal stacks at exit */
	const char *names[] = { "write", "exit_group", "exit", "rt_sigreturn",
				"mmap", "munmap", "sigaltstack", "futex", "madvise",
				"rt_sigaction", "rt_sigprocmask", NULL };

	cfg_rule(c, "SCMP_ACT_ALLOW", names);
}

/* ---- running a child under a filter ---- */

struct res {
	int load_rc;            /* sk_seccomp_load() result */
	char load_msg[256];
	int n;
	long ret[8];
	int err[8];
	long extra;
};

typedef void (*child_fn)(struct res *r);
typedef void (*parent_fn)(pid_t pid, void *arg);

#define DO(r, call) do { \
	errno = 0; \
	(r)->ret[(r)->n] = (call); \
	(r)->err[(r)->n] = errno; \
	(r)->n++; \
} while (0)

/* 0: child reported (r), 1: child died without report (*status), -1: harness error. */
static int run_child(const struct cfg *c, child_fn fn, parent_fn pfn, void *parg,
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
static int run_ok(const char *name, const struct cfg *c, child_fn fn, struct res *r)
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
static void expect_signal(const char *name, const struct cfg *c, child_fn fn, int sig)
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

static int expect_res(const char *name, const struct res *r, int i, long ret, int e)
{
	if (r->ret[i] != ret || (ret == -1 && r->err[i] != e)) {
		not_ok(name, "call %d: want %ld/%s, got %ld/%s", i, ret,
		       ret == -1 ? strerror(e) : "-", r->ret[i],
		       r->ret[i] == -1 ? strerror(r->err[i]) : "-");
		return -1;
	}
	return 0;
}

static void expect_errnos(const char *name, const struct res *r, const int *errs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (expect_res(name, r, i, -1, errs[i]) < 0)
			return;
	ok(name);
}

/* ---- child bodies ---- */

static char cwd_buf[4096];

static void c_getcwd(struct res *r)
{
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));
}

static void c_getcwd_getpid(struct res *r)
{
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));
	DO(r, syscall(SYS_getpid));
	DO(r, syscall(SYS_getppid));
}

static void c_close3(struct res *r)
{
	DO(r, syscall(SYS_close, FD_LO));
	DO(r, syscall(SYS_close, FD_MID));
	DO(r, syscall(SYS_close, FD_HI));
}

static void c_dup3(struct res *r)
{
	DO(r, syscall(SYS_dup3, FD_MID, 2000, 0));
	DO(r, syscall(SYS_dup3, FD_MID, 2001, 0));
	DO(r, syscall(SYS_dup3, FD_LO, 2000, 0));
}

static volatile sig_atomic_t trap_code, trap_nr;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trap_code = si->si_code;
	trap_nr = si->si_syscall;
}

static void c_trap_caught(struct res *r)
{
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));
	r->ret[r->n] = trap_code;
	r->err[r->n++] = trap_nr;
}

/* ---- the tests ---- */

static void t_errno_ret(void)
{
	const char *name = "ERRNO with errnoRet";
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), ENOTDIR);
	if (run_ok(name, &c, c_getcwd, &r) == 0 && expect_res(name, &r, 0, -1, ENOTDIR) == 0)
		ok(name);
}

static void t_errno_default_eperm(void)
{
	const char *name = "ERRNO without errnoRet is EPERM";
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rule1(&c, "SCMP_ACT_ERRNO", "getcwd");
	if (run_ok(name, &c, c_getcwd, &r) == 0 && expect_res(name, &r, 0, -1, EPERM) == 0)
		ok(name);
}

static void t_default_errno(void)
{
	const char *name = "default ERRNO with defaultErrnoRet, ALLOW rule";
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ERRNO");
	c.s.has_default_errno_ret = true;
	c.s.default_errno_ret = EXDEV;
	rule1(&c, "SCMP_ACT_ALLOW", "getpid");
	cfg_harness(&c);
	if (run_ok(name, &c, c_getcwd_getpid, &r) < 0)
		return;
	if (expect_res(name, &r, 0, -1, EXDEV) < 0 || expect_res(name, &r, 2, -1, EXDEV) < 0)
		return;
	if (r.ret[1] <= 0) {
		not_ok(name, "getpid not allowed: %ld/%d", r.ret[1], r.err[1]);
		return;
	}
	ok(name);
}

static void t_default_errno_eperm(void)
{
	const char *name = "default ERRNO without defaultErrnoRet is EPERM";
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ERRNO");
	rule1(&c, "SCMP_ACT_ALLOW", "getpid");
	/* same action as the default: skipped, not an error */
	rule1(&c, "SCMP_ACT_ERRNO", "getppid");
	cfg_harness(&c);
	if (run_ok(name, &c, c_getcwd_getpid, &r) == 0 &&
	    expect_res(name, &r, 0, -1, EPERM) == 0 && expect_res(name, &r, 2, -1, EPERM) == 0)
		ok(name);
}

static void t_kill(const char *action)
{
	char name[128];
	struct cfg c;

	snprintf(name, sizeof(name), "%s kills by SIGSYS", action);
	cfg_init(&c, "SCMP_ACT_ALLOW");
	rule1(&c, action, "getcwd");
	expect_signal(name, &c, c_getcwd, SIGSYS);
}

static void t_default_kill(void)
{
	struct cfg c;

	cfg_init(&c, "SCMP_ACT_KILL_PROCESS");
	rule1(&c, "SCMP_ACT_ALLOW", "getpid");
	cfg_harness(&c);
	expect_signal("default KILL_PROCESS, getcwd not allowed", &c, c_getcwd_getpid, SIGSYS);
}

static void t_trap(void)
{
	const char *name = "TRAP sends a catchable SIGSYS";
	struct sigaction sa = { 0 }, old;
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rule1(&c, "SCMP_ACT_TRAP", "getcwd");
	expect_signal("TRAP kills by SIGSYS without a handler", &c, c_getcwd, SIGSYS);

	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, &old);   /* inherited by the child */
	if (run_ok(name, &c, c_trap_caught, &r) == 0) {
		if (r.ret[1] != 1 /* SYS_SECCOMP */ || r.err[1] != SYS_getcwd)
			not_ok(name, "si_code %ld si_syscall %d", r.ret[1], r.err[1]);
		else
			ok(name);
	}
	sigaction(SIGSYS, &old, NULL);
}

static void t_trace(void)
{
	const char *name = "TRACE with errnoRet, no tracer: ENOSYS";
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	set_errno(rule1(&c, "SCMP_ACT_TRACE", "getcwd"), 42);
	if (run_ok(name, &c, c_getcwd, &r) == 0 && expect_res(name, &r, 0, -1, ENOSYS) == 0)
		ok(name);
}

static void t_log(void)
{
	const char *name = "LOG action loads and allows";
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rule1(&c, "SCMP_ACT_LOG", "getcwd");
	if (run_ok(name, &c, c_getcwd, &r) == 0) {
		if (r.ret[0] <= 0)
			not_ok(name, "getcwd failed: %s", strerror(r.err[0]));
		else
			ok(name);
	}
}

static void t_op(const char *op, uint64_t value, uint64_t value_two, const int match[3])
{
	char name[128];
	int errs[3], i;
	struct sk_seccomp_syscall *rr;
	struct cfg c;
	struct res r;

	snprintf(name, sizeof(name), "args: %s", op);
	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "close");
	set_errno(rr, EXDEV);
	add_arg(rr, 0, op, value, value_two);
	if (run_ok(name, &c, c_close3, &r) < 0)
		return;
	for (i = 0; i < 3; i++)
		errs[i] = match[i] ? EXDEV : EBADF;
	expect_errnos(name, &r, errs, 3);
}

static void t_ops(void)
{
	static const int eq[] = { 0, 1, 0 }, ne[] = { 1, 0, 1 }, lt[] = { 1, 0, 0 },
		le[] = { 1, 1, 0 }, gt[] = { 0, 0, 1 }, ge[] = { 0, 1, 1 },
		masked[] = { 0, 0, 1 };

	t_op("SCMP_CMP_EQ", FD_MID, 0, eq);
	t_op("SCMP_CMP_NE", FD_MID, 0, ne);
	t_op("SCMP_CMP_LT", FD_MID, 0, lt);
	t_op("SCMP_CMP_LE", FD_MID, 0, le);
	t_op("SCMP_CMP_GT", FD_MID, 0, gt);
	t_op("SCMP_CMP_GE", FD_MID, 0, ge);
	/* value is the mask, valueTwo the datum: (fd & 3) == 1 only for 1001
	 * (swapped, (fd & 1) == 1 would match 999 and 1001) */
	t_op("SCMP_CMP_MASKED_EQ", 3, 1, masked);
}

static void t_same_arg_twice(void)
{
	const char *name = "two conditions on one arg: one rule each (runc), allow only arg0 in range";
	static const int errs[] = { EXDEV, EBADF, EXDEV };
	struct sk_seccomp_syscall *rr;
	struct cfg c;
	struct res r;

	/* deny close() when fd < 1000 OR fd > 1000: only 1000 passes */
	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "close");
	set_errno(rr, EXDEV);
	add_arg(rr, 0, "SCMP_CMP_LT", FD_MID, 0);
	add_arg(rr, 0, "SCMP_CMP_GT", FD_MID, 0);
	if (run_ok(name, &c, c_close3, &r) == 0)
		expect_errnos(name, &r, errs, 3);
}

static void t_two_args_and(void)
{
	const char *name = "conditions on different args are AND'ed";
	static const int errs[] = { EXDEV, EBADF, EBADF };
	struct sk_seccomp_syscall *rr;
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "dup3");
	set_errno(rr, EXDEV);
	add_arg(rr, 0, "SCMP_CMP_EQ", FD_MID, 0);
	add_arg(rr, 1, "SCMP_CMP_EQ", 2000, 0);
	if (run_ok(name, &c, c_dup3, &r) == 0)
		expect_errnos(name, &r, errs, 3);
}

static void t_unknown_syscall(void)
{
	const char *name = "unknown syscall name is skipped";
	const char *names[] = { "no_such_syscall_skiff", "getcwd", NULL };
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	set_errno(cfg_rule(&c, "SCMP_ACT_ERRNO", names), ENOTDIR);
	rule1(&c, "SCMP_ACT_KILL", "another_fake_syscall");
	if (run_ok(name, &c, c_getcwd, &r) == 0 && expect_res(name, &r, 0, -1, ENOTDIR) == 0)
		ok(name);
}

static void t_many_rules(void)
{
	static const char *const allow[] = {
		"read", "openat", "close", "fstat", "mmap", "munmap", "brk",
		"rt_sigaction", "rt_sigprocmask", "ioctl", "pread64", "pwrite64",
		"readv", "writev", "access", "pipe2", "sched_yield", "mremap",
		"msync", "mincore", "madvise", "dup", "dup3", "nanosleep",
		"getitimer", "setitimer", "getpid", "sendfile", "socket", "connect",
		"accept4", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown",
		"bind", "listen", "uname", "fcntl",
	};
	const char *name = "more than 32 rules (binary tree) still right";
	struct cfg c;
	struct res r;
	size_t i;

	cfg_init(&c, "SCMP_ACT_ERRNO");
	set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), ENOTDIR);
	for (i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		rule1(&c, "SCMP_ACT_ALLOW", allow[i]);
	cfg_harness(&c);
	if (run_ok(name, &c, c_getcwd_getpid, &r) < 0)
		return;
	if (expect_res(name, &r, 0, -1, ENOTDIR) < 0 || expect_res(name, &r, 2, -1, EPERM) < 0)
		return;
	if (r.ret[1] <= 0)
		not_ok(name, "getpid denied");
	else
		ok(name);
}

static void t_flags(void)
{
	static const char *fl[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
				    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
				    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };
	const char *name = "flags TSYNC/LOG/SPEC_ALLOW/WAIT_KILLABLE_RECV map and load";
	struct sk_seccomp_prog prog;
	struct sk_error err = { 0 };
	unsigned int want = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
			    SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	c.s.flags = (char **)fl;
	c.s.n_flags = 4;
	set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), ENOTDIR);
	if (sk_seccomp_compile(&c.s, &prog, &err) < 0) {
		not_ok(name, "%s", err.msg);
		return;
	}
	if (prog.flags != want) {
		not_ok(name, "flags %#x, want %#x", prog.flags, want);
		sk_seccomp_prog_free(&prog);
		return;
	}
	sk_seccomp_prog_free(&prog);
	/* WAIT_KILLABLE_RECV without a listener is dropped at load time */
	if (run_ok(name, &c, c_getcwd, &r) == 0 && expect_res(name, &r, 0, -1, ENOTDIR) == 0)
		ok(name);
}

static void t_arches(void)
{
	static const char *ar[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_X86_64",
				    "SCMP_ARCH_AARCH64" };
	const char *name = "architectures (native listed again is fine)";
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	c.s.architectures = (char **)ar;
	c.s.n_architectures = 4;
	set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), ENOTDIR);
	/* socketcall exists on x86 only: resolved as a pseudo syscall */
	rule1(&c, "SCMP_ACT_ERRNO", "socketcall");
	if (run_ok(name, &c, c_getcwd, &r) == 0 && expect_res(name, &r, 0, -1, ENOTDIR) == 0)
		ok(name);
}

static void expect_error(const char *name, const struct cfg *c, const char *want)
{
	struct sk_seccomp_prog prog;
	struct sk_error err = { 0 };

	if (sk_seccomp_compile(&c->s, &prog, &err) == 0) {
		sk_seccomp_prog_free(&prog);
		not_ok(name, "compiled, want error '%s'", want);
	} else if (strcmp(err.msg, want)) {
		not_ok(name, "error '%s', want '%s'", err.msg, want);
	} else if (prog.filter || prog.len || prog.flags || prog.notify) {
		not_ok(name, "prog not empty after error");
	} else {
		ok(name);
	}
}

static void t_errors(void)
{
	static const char *bad_flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FOO" };
	static const char *bad_arch[] = { "SCMP_ARCH_X86", "SCMP_ARCH_PDP11" };
	struct sk_seccomp_syscall *rr;
	struct cfg c;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rule1(&c, "SCMP_ACT_ERRNO", "getcwd");
	rule1(&c, "SCMP_ACT_ERRNO", "getpid");
	rule1(&c, "SCMP_ACT_ERRNO", "getppid");
	rule1(&c, "SCMP_ACT_FOO", "getcwd");
	expect_error("error: unknown action", &c,
		     "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");

	cfg_init(&c, "SCMP_ACT_BAR");
	expect_error("error: unknown default action", &c,
		     "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BAR\"");

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "close");
	add_arg(rr, 1, "SCMP_CMP_EQ", 1, 0);
	add_arg(rr, 0, "SCMP_CMP_FOO", 1, 0);
	expect_error("error: unknown operator", &c,
		     "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_FOO\"");

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "close");
	add_arg(rr, 6, "SCMP_CMP_EQ", 1, 0);
	expect_error("error: arg index out of range", &c,
		     "linux.seccomp.syscalls[0].args[0].index: 6 out of range (0-5)");

	cfg_init(&c, "SCMP_ACT_ALLOW");
	c.s.flags = (char **)bad_flags;
	c.s.n_flags = 2;
	expect_error("error: unknown flag", &c,
		     "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");

	cfg_init(&c, "SCMP_ACT_ALLOW");
	c.s.architectures = (char **)bad_arch;
	c.s.n_architectures = 2;
	expect_error("error: unknown architecture", &c,
		     "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_PDP11\"");

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rule1(&c, "SCMP_ACT_ERRNO", "getcwd");
	set_errno(rule1(&c, "SCMP_ACT_KILL", "getpid"), 1);
	expect_error("error: errnoRet with an action that takes none", &c,
		     "linux.seccomp.syscalls[1].errnoRet: not allowed with action \"SCMP_ACT_KILL\" (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)");

	cfg_init(&c, "SCMP_ACT_ALLOW");
	c.s.has_default_errno_ret = true;
	c.s.default_errno_ret = 1;
	expect_error("error: defaultErrnoRet with ALLOW", &c,
		     "linux.seccomp.defaultErrnoRet: not allowed with action \"SCMP_ACT_ALLOW\" (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)");

	cfg_init(&c, "SCMP_ACT_ALLOW");
	set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), 70000);
	expect_error("error: errnoRet out of range", &c,
		     "linux.seccomp.syscalls[0].errnoRet: 70000 out of range (0-65535)");

	cfg_init(&c, "SCMP_ACT_NOTIFY");
	expect_error("error: NOTIFY as default action", &c,
		     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the runtime could not hand the listener over)");

	cfg_init(&c, "SCMP_ACT_ALLOW");
	cfg_rule(&c, "SCMP_ACT_ERRNO", (const char *const[]){ NULL });
	expect_error("error: empty names", &c,
		     "linux.seccomp.syscalls[0].names: must contain at least one entry");
}

static void t_not_present(void)
{
	const char *name = "no linux.seccomp: empty program, load is a no-op";
	struct sk_seccomp s = { 0 };
	struct sk_seccomp_prog prog;
	struct sk_error err = { 0 };

	if (sk_seccomp_compile(&s, &prog, &err) < 0)
		not_ok(name, "%s", err.msg);
	else if (prog.len || prog.filter || prog.notify)
		not_ok(name, "prog not empty");
	else if (sk_seccomp_load(&prog, &err) != 0)
		not_ok(name, "load: %s", err.msg);
	else
		ok(name);
}

static void t_names(void)
{
	const char *name = "known names for features";
	bool x86_64 = false;
	const char *n;
	size_t i;

	for (i = 0; (n = sk_seccomp_name(SK_SECCOMP_ARCHES, i)); i++)
		if (!strcmp(n, "SCMP_ARCH_X86_64"))
			x86_64 = true;
	if (!x86_64)
		not_ok(name, "SCMP_ARCH_X86_64 missing");
	else if (!sk_seccomp_name(SK_SECCOMP_ACTIONS, 8) || sk_seccomp_name(SK_SECCOMP_ACTIONS, 9))
		not_ok(name, "want 9 actions");
	else if (!sk_seccomp_name(SK_SECCOMP_OPERATORS, 6) || sk_seccomp_name(SK_SECCOMP_OPERATORS, 7))
		not_ok(name, "want 7 operators");
	else if (!sk_seccomp_name(SK_SECCOMP_FLAGS, 3) || sk_seccomp_name(SK_SECCOMP_FLAGS, 4))
		not_ok(name, "want 4 flags");
	else
		ok(name);
}

/* ---- NOTIFY ---- */

static int notify_sock = -1;

static int send_fd(int sock, int fd)
{
	char c = 'F';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;

	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* Receive one fd (and up to len bytes of data) with a timeout. */
static int recv_fd(int sock, char *data, size_t len, ssize_t *got)
{
	char dummy;
	struct iovec iov = { .iov_base = data ? data : &dummy, .iov_len = data ? len : 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t n;
	int fd = -1;

	if (poll(&pfd, 1, CHILD_TIMEOUT_MS) <= 0)
		return -1;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	if (got)
		*got = n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static void c_notify(struct res *r)
{
	r->extra = r->load_rc;
	if (send_fd(notify_sock, r->load_rc) < 0) {
		r->extra = -1;
		return;
	}
	close(r->load_rc);
	DO(r, syscall(SYS_getppid));     /* agent answers 4242 */
	DO(r, syscall(SYS_getppid));     /* agent answers -EXDEV */
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));  /* not notified */
}

struct agent {
	int sock;
	int handled;
	char why[256];
};

static int agent_answer(int lfd, long val, int error, struct agent *a)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	if (poll(&pfd, 1, CHILD_TIMEOUT_MS) <= 0) {
		snprintf(a->why, sizeof(a->why), "no notification");
		return -1;
	}
	memset(&req, 0, sizeof(req));
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		snprintf(a->why, sizeof(a->why), "NOTIF_RECV: %s", strerror(errno));
		return -1;
	}
	if (req.data.nr != SYS_getppid) {
		snprintf(a->why, sizeof(a->why), "notified syscall %d", req.data.nr);
		return -1;
	}
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.val = val;
	resp.error = error;
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) {
		snprintf(a->why, sizeof(a->why), "NOTIF_SEND: %s", strerror(errno));
		return -1;
	}
	a->handled++;
	return 0;
}

static void agent(pid_t pid, void *arg)
{
	struct agent *a = arg;
	int lfd;

	(void)pid;
	lfd = recv_fd(a->sock, NULL, 0, NULL);
	if (lfd < 0) {
		snprintf(a->why, sizeof(a->why), "no listener fd from the child");
		return;
	}
	if (agent_answer(lfd, 4242, 0, a) == 0)
		agent_answer(lfd, 0, -EXDEV, a);
	close(lfd);
}

static void t_notify(void)
{
	static const char *fl[] = { "SECCOMP_FILTER_FLAG_TSYNC",
				    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };
	const char *name = "NOTIFY: listener fd, agent answers value and error";
	struct sk_seccomp_prog prog;
	struct sk_error err = { 0 };
	struct agent a = { 0 };
	char why[512];
	int sp[2], status, rc;
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	c.s.flags = (char **)fl;
	c.s.n_flags = 2;
	rule1(&c, "SCMP_ACT_NOTIFY", "getppid");
	set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), ENOTDIR);
	if (sk_seccomp_compile(&c.s, &prog, &err) < 0) {
		not_ok(name, "compile: %s", err.msg);
		return;
	}
	rc = prog.notify;
	sk_seccomp_prog_free(&prog);
	if (!rc) {
		not_ok(name, "prog.notify not set");
		return;
	}
	if (!sk_seccomp_notifies(&c.s, "getppid") || sk_seccomp_notifies(&c.s, "getcwd")) {
		not_ok(name, "sk_seccomp_notifies wrong");
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		not_ok(name, "socketpair: %s", strerror(errno));
		return;
	}
	notify_sock = sp[1];
	a.sock = sp[0];
	rc = run_child(&c, c_notify, agent, &a, &r, &status, why, sizeof(why));
	close(sp[0]);
	close(sp[1]);
	if (rc < 0) {
		not_ok(name, "%s", why);
		return;
	}
	if (rc > 0) {
		not_ok(name, "child died, status %#x (%s)", status, a.why);
		return;
	}
	if (r.load_rc <= 0 || r.extra < 0) {
		not_ok(name, "load returned %d", r.load_rc);
		return;
	}
	if (a.handled != 2) {
		not_ok(name, "agent: %s", a.why);
		return;
	}
	if (expect_res(name, &r, 0, 4242, 0) < 0 || expect_res(name, &r, 1, -1, EXDEV) < 0 ||
	    expect_res(name, &r, 2, -1, ENOTDIR) < 0)
		return;
	ok(name);
}

/* ---- listenerPath ---- */

static char tmpdir[64];

static int listen_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%.100s", path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(s, 4) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static const char *jstr(yajl_val v, const char *k1, const char *k2)
{
	const char *path[] = { k1, k2, NULL };
	yajl_val s = yajl_tree_get(v, path, yajl_t_string);

	return YAJL_IS_STRING(s) ? s->u.string : NULL;
}

static long long jint(yajl_val v, const char *k1, const char *k2)
{
	const char *path[] = { k1, k2, NULL };
	yajl_val s = yajl_tree_get(v, path, yajl_t_number);

	return YAJL_IS_INTEGER(s) ? YAJL_GET_INTEGER(s) : -1;
}

/* Send, accept, receive the fd + whole JSON; returns the parsed tree. */
static yajl_val roundtrip(const char *name, const char *metadata, const char *state,
			  bool *fd_same)
{
	char path[128], buf[8192], perr[128];
	struct sk_error err = { 0 };
	struct stat a, b;
	int srv, conn, memfd, fd;
	ssize_t n, got = 0;
	size_t len = 0;
	yajl_val tree = NULL;

	*fd_same = false;
	snprintf(path, sizeof(path), "%s/agent.sock", tmpdir);
	unlink(path);
	srv = listen_unix(path);
	if (srv < 0) {
		not_ok(name, "listen: %s", strerror(errno));
		return NULL;
	}
	memfd = memfd_create("fake-listener", MFD_CLOEXEC);
	if (sk_seccomp_send_listener_metadata(path, metadata, memfd, state, &err) < 0) {
		not_ok(name, "send: %s", err.msg);
		goto out;
	}
	conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		not_ok(name, "accept: %s", strerror(errno));
		goto out;
	}
	fd = recv_fd(conn, buf, sizeof(buf) - 1, &got);
	if (fd < 0) {
		not_ok(name, "no fd received");
		close(conn);
		goto out;
	}
	len = got;
	while (len < sizeof(buf) - 1 && (n = read(conn, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;       /* the sender closed: read until EOF */
	buf[len] = '\0';
	close(conn);
	if (fstat(fd, &a) == 0 && fstat(memfd, &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev)
		*fd_same = true;
	close(fd);
	tree = yajl_tree_parse(buf, perr, sizeof(perr));
	if (!tree)
		not_ok(name, "bad JSON '%s': %s", buf, perr);
out:
	close(memfd);
	close(srv);
	unlink(path);
	return tree;
}

static void t_send_listener(void)
{
	const char *name = "send_listener: fd via SCM_RIGHTS and the container process state";
	const char *state = "{\"ociVersion\":\"" SK_OCI_VERSION "\",\"id\":\"c1\","
			    "\"status\":\"creating\",\"pid\":4422,\"bundle\":\"/b\","
			    "\"annotations\":{\"k\":\"v \\\"q\\\"\"}}";
	const char *fds_path[] = { "fds", NULL };
	const char *md_path[] = { "metadata", NULL };
	yajl_val tree, fds;
	bool same;

	tree = roundtrip(name, "MKNOD=/dev/null;\"x\"", state, &same);
	if (!tree)
		return;
	fds = yajl_tree_get(tree, fds_path, yajl_t_array);
	if (!same)
		not_ok(name, "received fd is not the one sent");
	else if (!jstr(tree, "ociVersion", NULL) || strcmp(jstr(tree, "ociVersion", NULL), SK_OCI_VERSION))
		not_ok(name, "ociVersion");
	else if (!YAJL_IS_ARRAY(fds) || fds->u.array.len != 1 ||
		 !YAJL_IS_STRING(fds->u.array.values[0]) ||
		 strcmp(fds->u.array.values[0]->u.string, "seccompFd"))
		not_ok(name, "fds");
	else if (jint(tree, "pid", NULL) != 4422)
		not_ok(name, "pid");
	else if (!jstr(tree, "metadata", NULL) || strcmp(jstr(tree, "metadata", NULL), "MKNOD=/dev/null;\"x\""))
		not_ok(name, "metadata");
	else if (!jstr(tree, "state", "id") || strcmp(jstr(tree, "state", "id"), "c1") ||
		 strcmp(jstr(tree, "state", "status"), "creating") || jint(tree, "state", "pid") != 4422)
		not_ok(name, "state");
	else
		ok(name);
	yajl_tree_free(tree);

	name = "send_listener: no metadata field without listenerMetadata";
	tree = roundtrip(name, NULL, state, &same);
	if (!tree)
		return;
	if (yajl_tree_get(tree, md_path, yajl_t_any))
		not_ok(name, "metadata present");
	else if (!same || jint(tree, "pid", NULL) != 4422)
		not_ok(name, "fd or pid");
	else
		ok(name);
	yajl_tree_free(tree);
}

static void t_send_listener_errors(void)
{
	struct sk_error err = { 0 };
	struct sk_seccomp s = { 0 };
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "%s/nobody.sock", tmpdir);
	rc = sk_seccomp_send_listener(path, 0, "{\"pid\":1}", &err);
	if (rc == 0 || !strstr(err.msg, path))
		not_ok("send_listener: no agent is an error naming the path", "rc %d '%s'", rc, err.msg);
	else
		ok("send_listener: no agent is an error naming the path");

	rc = sk_seccomp_send_listener(path, 0, "{\"id\":\"x\"}", &err);
	if (rc == 0 || !strstr(err.msg, "pid"))
		not_ok("send_listener: state without pid is an error", "rc %d '%s'", rc, err.msg);
	else
		ok("send_listener: state without pid is an error");

	rc = sk_seccomp_send_listener(path, 0, "{\"pid\":", &err);
	if (rc == 0 || !strstr(err.msg, "bad state JSON"))
		not_ok("send_listener: bad state JSON is an error", "rc %d '%s'", rc, err.msg);
	else
		ok("send_listener: bad state JSON is an error");

	s.present = true;
	if (sk_seccomp_send_state(&s, 0, "{\"pid\":1}", &err) != 0)
		not_ok("send_state: no listenerPath does nothing", "%s", err.msg);
	else
		ok("send_state: no listenerPath does nothing");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/skiff-test-seccomp-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}

	t_not_present();
	t_names();
	t_errors();
	t_errno_ret();
	t_errno_default_eperm();
	t_default_errno();
	t_default_errno_eperm();
	t_kill("SCMP_ACT_KILL");
	t_kill("SCMP_ACT_KILL_PROCESS");
	t_kill("SCMP_ACT_KILL_THREAD");
	t_default_kill();
	t_trap();
	t_trace();
	t_log();
	t_ops();
	t_same_arg_twice();
	t_two_args_and();
	t_unknown_syscall();
	t_many_rules();
	t_flags();
	t_arches();
	t_notify();
	t_send_listener();
	t_send_listener_errors();

	rmdir(tmpdir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
