/* linux.seccomp -> a BPF filter.  Compiled in the container init before
 * the last privileged steps, loaded right before execve. */
#ifndef SKIFF_SECCOMP_H
#define SKIFF_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

struct sk_error;
struct sk_seccomp;

struct sk_seccomp_prog {
	void *filter;          /* struct sock_filter[] */
	size_t len;            /* number of instructions */
	unsigned int flags;    /* SECCOMP_FILTER_FLAG_* */
	bool notify;           /* has SCMP_ACT_NOTIFY rules: load returns a listener fd */
};

/* Validate and compile (libseccomp).  Unknown syscall names are skipped;
 * an unknown action, operator, flag or architecture is an error. */
int sk_seccomp_compile(const struct sk_seccomp *s, struct sk_seccomp_prog *out,
		       struct sk_error *err);
/* Load with seccomp(2).  Returns the listener fd (>= 0) when the filter
 * has notify rules, 0 otherwise, -1 on error. */
int sk_seccomp_load(const struct sk_seccomp_prog *p, struct sk_error *err);
void sk_seccomp_prog_free(struct sk_seccomp_prog *p);

#endif
