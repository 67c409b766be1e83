/* The -ENOSYS stub put in front of a compiled seccomp filter, as runc's
 * patchbpf does: a syscall numbered above the highest one the profile
 * names (for that architecture) is newer than the profile, so it gets
 * ENOSYS instead of the default action.  glibc then falls back (clone3 to
 * clone, faccessat2 to faccessat...) where an EPERM default would break
 * it.  Not added when the default action lets syscalls through (ALLOW,
 * LOG, TRACE) or already is ENOSYS.
 *
 *   ld arch;  jeq ARCH_i -> section_i ...;  ja filter
 *   section:  ld nr;  [s390: jeq 0 -> enosys];  [x86_64: jset x32 bit]
 *             jgt MAX -> enosys;  ja filter
 *   enosys:   ret ERRNO(ENOSYS)
 *   filter:   libseccomp's program */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/seccomp.h"
#include "skiff/util.h"

#define X32_BIT 0x40000000U
#define MAX_GROUPS 32
#define STUB_MAX 256            /* jt/jf are 8 bits: the stub stays short */

struct group {
	uint32_t audit;         /* AUDIT_ARCH_*: what seccomp_data.arch holds */
	int64_t max, max_x32;   /* highest syscall named; -1: none */
};

struct stub {
	struct sock_filter ins[STUB_MAX];
	size_t n;
	size_t to_enosys[STUB_MAX], n_enosys;   /* jt to patch */
	size_t to_filter[STUB_MAX], n_filter;   /* ja to patch */
};

static void emit(struct stub *b, struct sock_filter f)
{
	if (b->n < STUB_MAX)
		b->ins[b->n] = f;
	b->n++;
}

static void jump_enosys(struct stub *b, uint16_t op, uint32_t k, uint8_t jf)
{
	if (b->n < STUB_MAX)
		b->to_enosys[b->n_enosys++] = b->n;
	emit(b, (struct sock_filter)BPF_JUMP(op, k, 0, jf));
}

static void ja_filter(struct stub *b)
{
	if (b->n < STUB_MAX)
		b->to_filter[b->n_filter++] = b->n;
	emit(b, (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0));
}

static int64_t highest(const struct sk_seccomp *s, uint32_t token)
{
	int64_t max = -1;

	for (size_t i = 0; i < s->n_syscalls; i++)
		for (size_t k = 0; k < s->syscalls[i].n_names; k++) {
			const char *name = s->syscalls[i].names[k];
			int nr = name && *name ? seccomp_syscall_resolve_name_arch(token, name) : -1;

			/* negative: unknown, or multiplexed (socketcall) */
			if (nr >= 0 && nr > max)
				max = nr;
		}
	return max;
}

static bool lets_through(uint32_t def_action)
{
	return def_action == SCMP_ACT_ALLOW || def_action == SCMP_ACT_LOG ||
	       (def_action & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_TRACE(0) ||
	       def_action == SCMP_ACT_ERRNO(ENOSYS);
}

static size_t collect(const struct sk_seccomp *s, const uint32_t *tokens, size_t n_tokens,
		      struct group *g)
{
	size_t n = 0;

	for (size_t t = 0; t < n_tokens; t++) {
		bool x32 = tokens[t] == SCMP_ARCH_X32;
		uint32_t audit = x32 ? SCMP_ARCH_X86_64 : tokens[t];
		int64_t max = highest(s, tokens[t]);
		size_t i;

		if (max < 0)
			continue;
		for (i = 0; i < n && g[i].audit != audit; i++)
			;
		if (i == n) {
			if (n == MAX_GROUPS)
				break;
			g[n++] = (struct group){ .audit = audit, .max = -1, .max_x32 = -1 };
		}
		if (x32)
			g[i].max_x32 = max;
		else
			g[i].max = max;
	}
	return n;
}

static void section(struct stub *b, const struct group *g)
{
	emit(b, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
	/* s390: a number the kernel does not know arrives as 0 (setup(2),
	 * long gone), the multiplexer for large syscall numbers */
	if (g->audit == SCMP_ARCH_S390 || g->audit == SCMP_ARCH_S390X)
		jump_enosys(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 0);
	if (g->audit != SCMP_ARCH_X86_64) {
		jump_enosys(b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)g->max, 0);
	} else if (g->max >= 0 && g->max_x32 >= 0) {
		emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 1, 0));
		jump_enosys(b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)g->max, 1);
		jump_enosys(b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)g->max_x32, 0);
	} else if (g->max >= 0) {
		/* an x32 call: the filter's own arch handling decides */
		emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 1, 0));
		jump_enosys(b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)g->max, 0);
	} else {
		emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 0, 1));
		jump_enosys(b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)g->max_x32, 0);
	}
	ja_filter(b);
}

int sk_seccomp_add_enosys_stub(const struct sk_seccomp *s, uint32_t def_action,
			       const uint32_t *tokens, size_t n_tokens,
			       struct sk_seccomp_prog *prog, struct sk_error *err)
{
	struct group g[MAX_GROUPS];
	size_t n_groups, dispatch, enosys;
	struct stub *b;
	struct sock_filter *out;

	if (lets_through(def_action) || !prog->len)
		return 0;
	n_groups = collect(s, tokens, n_tokens, g);
	if (!n_groups)
		return 0;
	b = sk_xcalloc(1, sizeof(*b));
	emit(b, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
	dispatch = b->n;
	for (size_t i = 0; i < n_groups; i++)
		emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, g[i].audit, 0, 0));
	ja_filter(b);
	for (size_t i = 0; i < n_groups; i++) {
		if (b->n - (dispatch + i + 1) <= 255)
			b->ins[dispatch + i].jt = (uint8_t)(b->n - (dispatch + i + 1));
		section(b, &g[i]);
	}
	enosys = b->n;
	emit(b, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS)));
	if (b->n >= STUB_MAX) {
		free(b);
		return sk_error(err, E2BIG, "linux.seccomp: too many architectures for the -ENOSYS stub");
	}
	for (size_t i = 0; i < b->n_enosys; i++)
		b->ins[b->to_enosys[i]].jt = (uint8_t)(enosys - (b->to_enosys[i] + 1));
	for (size_t i = 0; i < b->n_filter; i++)
		b->ins[b->to_filter[i]].k = (uint32_t)(b->n - (b->to_filter[i] + 1));
	if (prog->len + b->n > BPF_MAXINSNS) {
		size_t total = prog->len + b->n;

		free(b);
		return sk_error(err, E2BIG, "linux.seccomp: filter has %zu instructions, the kernel takes at most %d",
				total, BPF_MAXINSNS);
	}
	out = sk_xmalloc((prog->len + b->n) * sizeof(*out));
	memcpy(out, b->ins, b->n * sizeof(*out));
	memcpy(out + b->n, prog->filter, prog->len * sizeof(*out));
	free(prog->filter);
	prog->filter = out;
	prog->len += b->n;
	free(b);
	return 0;
}
