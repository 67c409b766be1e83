/* The harness shared by the seccomp unit tests (test_seccomp*.c): configs
 * built by hand, a child that loads a filter and reports what its syscalls
 * returned, and the TAP-ish output ("ok - name" / "not ok - name: reason",
 * then "N passed, N failed" from the test's main()). */
#ifndef SKIFF_TEST_SECCOMP_HARNESS_H
#define SKIFF_TEST_SECCOMP_HARNESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

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

extern int passed, failed;
void ok(const char *name);
void __attribute__((format(printf, 2, 3))) not_ok(const char *name, const char *fmt, ...);

/* ---- building configs by hand ---- */

#define MAX_RULES 64

struct cfg {
	struct sk_seccomp s;
	struct sk_seccomp_syscall rules[MAX_RULES];
	struct sk_seccomp_arg args[MAX_RULES][6];
	char *names[MAX_RULES][16];
	unsigned arches[32];
};

/* A name of table e as its value (the parser's job in skiff); aborts on
 * an unknown name. */
unsigned long enum_of(const struct sk_enum *e, const char *name);
/* linux.seccomp.architectures and .flags from names. */
void cfg_arches(struct cfg *c, const char *const *names, size_t n);
void cfg_flags(struct cfg *c, const char *const *names, size_t n);

void cfg_init(struct cfg *c, const char *def);
/* Add a rule; names is a NULL-terminated list. */
struct sk_seccomp_syscall *cfg_rule(struct cfg *c, const char *action, const char *const *names);
struct sk_seccomp_syscall *rule1(struct cfg *c, const char *action, const char *name);
void set_errno(struct sk_seccomp_syscall *r, uint32_t e);
void add_arg(struct sk_seccomp_syscall *r, uint32_t index, const char *op, uint64_t value,
	     uint64_t value_two);
/* What the harness itself needs after the filter is loaded. */
void cfg_harness(struct cfg *c);

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
int run_child(const struct cfg *c, child_fn fn, parent_fn pfn, void *parg, struct res *r,
	      int *status, char *why, size_t whylen);
/* Run and expect a report; on failure print not ok and return -1. */
int run_ok(const char *name, const struct cfg *c, child_fn fn, struct res *r);
/* Run and expect death by `sig`. */
void expect_signal(const char *name, const struct cfg *c, child_fn fn, int sig);
/* Call i returned ret (and with -1, errno e); else not ok and -1. */
int expect_res(const char *name, const struct res *r, int i, long ret, int e);
/* Every call failed with errs[i]: ok, else not ok. */
void expect_errnos(const char *name, const struct res *r, const int *errs, int n);

/* ---- child bodies ---- */

extern char cwd_buf[4096];
extern volatile sig_atomic_t trap_code, trap_nr;
void c_getcwd(struct res *r);          /* getcwd */
void c_getcwd_getpid(struct res *r);   /* getcwd, getpid, getppid */
void c_close3(struct res *r);          /* close(FD_LO), close(FD_MID), close(FD_HI) */
void c_dup3(struct res *r);            /* dup3(FD_MID, 2000), dup3(FD_MID, 2001), dup3(FD_LO, 2000) */
/* SIGSYS handler recording si_code and si_syscall for c_trap_caught() */
void on_sigsys(int sig, siginfo_t *si, void *uc);
void c_trap_caught(struct res *r);

#endif
