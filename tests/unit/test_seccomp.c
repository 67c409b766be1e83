/* Unit tests for src/seccomp.c: parsing and refusals, the actions (errno,
 * kill, trap, trace, log, default action), unknown names, many rules, flags
 * and architectures.  Argument conditions are in test_seccomp_args.c,
 * NOTIFY and listenerPath in test_seccomp_notify.c; the harness (a child
 * loads the filter and reports) in seccomp_harness.c.
 * Prints "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_harness.h"

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
	const char *name = "a long rule list (41 rules) still right";
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

	/* libseccomp's binary tree (SCMP_FLTATR_CTL_OPTIMIZE 2) finds the
	 * syscall number with "greater than" jumps; a linear filter has at
	 * most a couple of them (the x32 range check) when no rule compares
	 * an argument. */
	struct sk_seccomp_prog prog;
	struct sk_error err = { 0 };
	const struct sock_filter *f;
	size_t jgt = 0, len;

	name = "a long rule list compiles to a binary tree";
	if (sk_seccomp_compile(&c.s, &prog, &err) < 0) {
		not_ok(name, "%s", err.msg);
		return;
	}
	f = prog.filter;
	len = prog.len;
	for (i = 0; i < len; i++)
		if (f[i].code == (BPF_JMP | BPF_JGT | BPF_K) || f[i].code == (BPF_JMP | BPF_JGE | BPF_K))
			jgt++;
	sk_seccomp_prog_free(&prog);
	if (jgt < 8)
		not_ok(name, "%zu JGT/JGE jumps in %zu instructions", jgt, len);
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
	cfg_flags(&c, fl, 4);
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
	cfg_arches(&c, ar, 4);
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
	/* unknown actions, operators, flags and architectures are the
	 * parser's errors now (tests/unit/data/config_cases.inc) */
	struct sk_seccomp_syscall *rr;
	struct cfg c;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "close");
	add_arg(rr, 6, "SCMP_CMP_EQ", 1, 0);
	expect_error("error: arg index out of range", &c,
		     "linux.seccomp.syscalls[0].args[0].index: 6 out of range (0-5)");

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

	if (!sk_seccomp_arch_supported(SK_SCMP_ARCH_X86_64) ||
	    enum_of(&sk_enum_scmp_arch, "SCMP_ARCH_X86_64") != SK_SCMP_ARCH_X86_64)
		not_ok(name, "SCMP_ARCH_X86_64 missing");
	else if (sk_enum_scmp_action.n != SK_SCMP_ACTIONS || SK_SCMP_ACTIONS != 9)
		not_ok(name, "want 9 actions");
	else if (sk_enum_scmp_op.n != 7)
		not_ok(name, "want 7 operators");
	else if (sk_enum_scmp_flag.n != 4 || sk_enum_scmp_arch.n != SK_SCMP_ARCHES)
		not_ok(name, "want 4 flags and every architecture");
	else
		ok(name);
}

/* syscall 1000 (above every syscall of every arch the profile names),
 * getcwd (named, not allowed), getppid (allowed) */
static void c_new_syscall(struct res *r)
{
	DO(r, syscall(1000, 0, 0, 0, 0, 0, 0));
	DO(r, syscall(SYS_getcwd, cwd_buf, sizeof(cwd_buf)));
	DO(r, syscall(SYS_getppid));
}

/* The -ENOSYS stub (runc's patchbpf): a syscall newer than the profile
 * gets ENOSYS whatever the default action, with several arches listed
 * (x86_64 with x32: the x32-bit branch) or none. */
static void t_enosys_stub(void)
{
	static const char *ar[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
	static const char *defs[] = { "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP" };

	for (size_t d = 0; d < sizeof(defs) / sizeof(defs[0]); d++)
		for (int with_arches = 0; with_arches < 2; with_arches++) {
			char name[128];
			struct cfg c;
			struct res r;

			snprintf(name, sizeof(name), "-ENOSYS stub: default %s%s, a syscall newer than the profile",
				 defs[d], with_arches ? ", x86_64+x86+x32" : "");
			cfg_init(&c, defs[d]);
			cfg_harness(&c);
			rule1(&c, "SCMP_ACT_ALLOW", "getppid");
			set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), EACCES);
			if (with_arches) {
				cfg_arches(&c, ar, sizeof(ar) / sizeof(ar[0]));
			}
			if (run_ok(name, &c, c_new_syscall, &r) == 0 &&
			    expect_res(name, &r, 0, -1, ENOSYS) == 0 &&
			    expect_res(name, &r, 1, -1, EACCES) == 0 &&
			    expect_res(name, &r, 2, getpid(), 0) == 0)
				ok(name);
		}
}

static bool is_ret_enosys(const struct sock_filter *f)
{
	return f->code == (BPF_RET | BPF_K) && f->k == SCMP_ACT_ERRNO(ENOSYS);
}

static size_t count_ret_enosys(const struct sk_seccomp_prog *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->len; i++)
		n += is_ret_enosys(&((struct sock_filter *)p->filter)[i]);
	return n;
}

/* No stub when the default lets syscalls through: the trace/log/allow
 * default sees the new syscall (here: the kernel's own ENOSYS), and the
 * program is exactly libseccomp's (no extra instructions). */
static void t_enosys_no_stub(void)
{
	const char *name = "-ENOSYS stub: none with an ALLOW default, added with ERRNO";
	struct sk_seccomp_prog allow, deny;
	struct sk_error err = { 0 };
	const struct sock_filter *d;
	size_t first_ret = 0;
	struct cfg c;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	set_errno(rule1(&c, "SCMP_ACT_ERRNO", "getcwd"), EACCES);
	if (sk_seccomp_compile(&c.s, &allow, &err) < 0) {
		not_ok(name, "%s", err.msg);
		return;
	}
	cfg_init(&c, "SCMP_ACT_ERRNO");
	rule1(&c, "SCMP_ACT_ALLOW", "getcwd");
	if (sk_seccomp_compile(&c.s, &deny, &err) < 0) {
		not_ok(name, "%s", err.msg);
		sk_seccomp_prog_free(&allow);
		return;
	}
	/* the ERRNO one has the stub in front (native arch only): ld arch,
	 * jeq, ja, ld nr, [jset x32 bit], jgt, ja, ret ENOSYS; the ALLOW one
	 * returns ENOSYS nowhere */
	d = deny.filter;
	while (first_ret < deny.len && BPF_CLASS(d[first_ret].code) != BPF_RET)
		first_ret++;
	if (first_ret >= deny.len || first_ret > 7 || !is_ret_enosys(&d[first_ret]))
		not_ok(name, "the first return of the ERRNO program (%zu of %zu) is not the stub's ENOSYS",
		       first_ret, deny.len);
	else if (count_ret_enosys(&allow))
		not_ok(name, "ret ENOSYS in the ALLOW program");
	else
		ok(name);
	sk_seccomp_prog_free(&allow);
	sk_seccomp_prog_free(&deny);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);

	t_not_present();
	t_enosys_stub();
	t_enosys_no_stub();
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
	t_unknown_syscall();
	t_many_rules();
	t_flags();
	t_arches();

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
