/* Device access on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program
 * attached to the container's cgroup before any process enters it.
 *
 * The program checks, first match wins: the standard devices every
 * container gets (as runc and crun: null, zero, full, random, urandom, tty,
 * console, ptmx, pts, tun, and mknod of any device), then
 * linux.resources.devices from the last rule to the
 * first (so a later rule overrides an earlier one, as with the v1
 * devices.allow/deny files), and denies what nothing matched.  The nodes
 * of linux.devices get no rule of their own (as runc). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "v2.h"

struct rule {
	int type;              /* 0: any, else BPF_DEVCG_DEV_CHAR / _BLOCK */
	int64_t major, minor;  /* -1: any */
	unsigned access;       /* BPF_DEVCG_ACC_* */
	bool allow;
};

static const struct rule std_rules[] = {
	{ BPF_DEVCG_DEV_CHAR, -1, -1, BPF_DEVCG_ACC_MKNOD, true },
	{ BPF_DEVCG_DEV_BLOCK, -1, -1, BPF_DEVCG_ACC_MKNOD, true },
	{ BPF_DEVCG_DEV_CHAR, 1, 3, 7, true },     /* null */
	{ BPF_DEVCG_DEV_CHAR, 1, 5, 7, true },     /* zero */
	{ BPF_DEVCG_DEV_CHAR, 1, 7, 7, true },     /* full */
	{ BPF_DEVCG_DEV_CHAR, 1, 8, 7, true },     /* random */
	{ BPF_DEVCG_DEV_CHAR, 1, 9, 7, true },     /* urandom */
	{ BPF_DEVCG_DEV_CHAR, 5, 0, 7, true },     /* tty */
	{ BPF_DEVCG_DEV_CHAR, 5, 1, 7, true },     /* console */
	{ BPF_DEVCG_DEV_CHAR, 5, 2, 7, true },     /* ptmx */
	{ BPF_DEVCG_DEV_CHAR, 136, -1, 7, true },  /* pts */
	{ BPF_DEVCG_DEV_CHAR, 10, 200, 7, true },  /* net/tun */
};

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static void emit(struct prog *p, struct bpf_insn i)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = sk_xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = i;
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
					       .off = (o), .imm = (i) })

/* Registers after the prologue: r2 type, r3 access, r4 major, r5 minor. */
static void prologue(struct prog *p)
{
	emit(p, INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0));
	emit(p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
	emit(p, INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0));
	emit(p, INSN(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
	emit(p, INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0));
	emit(p, INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0));
}

/* One rule: jumps past itself on a mismatch, else returns allow.
 * Returns whether the rule matches every request (what follows it would
 * be unreachable, which the verifier refuses). */
static bool emit_rule(struct prog *p, const struct rule *r)
{
	int checks = (r->type != 0) + (r->access != 7) * 3 + (r->major >= 0) + (r->minor >= 0);
	int left = checks + 2;	/* instructions after the next one, to the end of the block */

	if (r->type) {
		left--;
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, (short)left, r->type));
	}
	if (r->access != 7) {
		/* the request must ask for nothing outside the rule's access */
		left -= 3;
		emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
		emit(p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int)(~r->access & 7)));
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, (short)left, 0));
	}
	if (r->major >= 0) {
		left--;
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, (short)left, (int)r->major));
	}
	if (r->minor >= 0) {
		left--;
		emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, (short)left, (int)r->minor));
	}
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0));
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	return checks == 0;
}

static int parse_access(const char *a, unsigned *out)
{
	unsigned v = 0;

	if (!a || !*a) {
		*out = 7;
		return 0;
	}
	for (; *a; a++) {
		if (*a == 'r')
			v |= BPF_DEVCG_ACC_READ;
		else if (*a == 'w')
			v |= BPF_DEVCG_ACC_WRITE;
		else if (*a == 'm')
			v |= BPF_DEVCG_ACC_MKNOD;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int load_attach(int cgfd, const struct prog *p, struct sk_error *err)
{
	char log[4096] = "";
	union bpf_attr attr;
	int fd, r;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)p->v;
	attr.insn_cnt = (uint32_t)p->n;
	attr.license = (uint64_t)(uintptr_t)"Apache";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0 && errno == ENOSPC) {
		/* the verifier log did not fit: load again without it */
		attr.log_buf = 0;
		attr.log_size = 0;
		attr.log_level = 0;
		fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	}
	if (fd < 0) {
		char *nl = strchr(log, '\n');

		if (nl)
			*nl = '\0';
		return sk_error(err, errno, "load the device eBPF program: %s%s%s", sk_strerror(errno),
				log[0] ? ": " : "", log);
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	r = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr));
	if (r < 0)
		sk_error_sys(err, "attach the device eBPF program to the cgroup");
	close(fd);	/* the attachment holds the program */
	return r < 0 ? -1 : 0;
}

int sk_cg2_devices(int fd, const struct sk_config *c, struct sk_error *err)
{
	const struct sk_resources *res = &c->linux.resources;
	struct prog p = { 0 };
	size_t i;
	int r;

	prologue(&p);
	for (i = 0; i < SK_ARRAY_SIZE(std_rules); i++)
		emit_rule(&p, &std_rules[i]);
	for (i = res->n_devices; i-- > 0;) {
		const struct sk_device_rule *d = &res->devices[i];
		struct rule ru = { 0, -1, -1, 7, d->allow };

		if (d->type && d->type[0] == 'c')
			ru.type = BPF_DEVCG_DEV_CHAR;
		else if (d->type && d->type[0] == 'b')
			ru.type = BPF_DEVCG_DEV_BLOCK;
		else if (d->type && d->type[0] != 'a') {
			free(p.v);
			return sk_error(err, EINVAL, "linux.resources.devices[%zu].type: \"%s\" is not a, b or c",
					i, d->type);
		}
		if (d->has_major)
			ru.major = d->major;
		if (d->has_minor)
			ru.minor = d->minor;
		if (parse_access(d->access, &ru.access) < 0) {
			free(p.v);
			return sk_error(err, EINVAL, "linux.resources.devices[%zu].access: \"%s\" is not "
					"made of r, w and m", i, d->access);
		}
		if (emit_rule(&p, &ru))
			goto done;	/* a catch-all: the earlier rules cannot matter */
	}
	/* default: deny */
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
	emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
done:
	r = load_attach(fd, &p, err);
	free(p.v);
	if (r < 0)
		return sk_error_ctx(err, "linux.resources.devices");
	return 0;
}
