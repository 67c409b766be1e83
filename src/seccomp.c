/* linux.seccomp -> BPF (libseccomp), loading with seccomp(2), and the
 * hand-off of the notify listener fd to the seccomp agent. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "skiff/config.h"
#include "skiff/enums.h"
#include "skiff/error.h"
#include "skiff/oci.h"
#include "skiff/seccomp.h"
#include "skiff/util.h"

/* Older kernel headers lack the newer flags; the values are ABI. */
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define ARG_MAX_INDEX 6               /* syscalls have at most 6 arguments */
#define LISTENER_TIMEOUT_SEC 10       /* connect/send bound for the agent */

/* The config's values (skiff/enums.h) -> libseccomp's.  oci/validate.c
 * has checked them (errnoRet only with ERRNO and TRACE, ...). */
static const uint32_t actions[SK_SCMP_ACTIONS] = {
	[SK_SCMP_ACT_KILL] = SCMP_ACT_KILL,
	[SK_SCMP_ACT_KILL_PROCESS] = SCMP_ACT_KILL_PROCESS,
	[SK_SCMP_ACT_KILL_THREAD] = SCMP_ACT_KILL_THREAD,
	[SK_SCMP_ACT_TRAP] = SCMP_ACT_TRAP,
	[SK_SCMP_ACT_ERRNO] = SCMP_ACT_ERRNO(0),
	[SK_SCMP_ACT_TRACE] = SCMP_ACT_TRACE(0),
	[SK_SCMP_ACT_ALLOW] = SCMP_ACT_ALLOW,
	[SK_SCMP_ACT_LOG] = SCMP_ACT_LOG,
	[SK_SCMP_ACT_NOTIFY] = SCMP_ACT_NOTIFY,
};

_Static_assert(SK_SCMP_CMP_NE == (int)SCMP_CMP_NE && SK_SCMP_CMP_EQ == (int)SCMP_CMP_EQ &&
	       SK_SCMP_CMP_MASKED_EQ == (int)SCMP_CMP_MASKED_EQ,
	       "enum sk_scmp_op is libseccomp's enum scmp_compare");

/* 0 when this libseccomp cannot build the architecture. */
static const uint32_t arches[SK_SCMP_ARCHES] = {
	[SK_SCMP_ARCH_X86] = SCMP_ARCH_X86,
	[SK_SCMP_ARCH_X86_64] = SCMP_ARCH_X86_64,
	[SK_SCMP_ARCH_X32] = SCMP_ARCH_X32,
	[SK_SCMP_ARCH_ARM] = SCMP_ARCH_ARM,
	[SK_SCMP_ARCH_AARCH64] = SCMP_ARCH_AARCH64,
	[SK_SCMP_ARCH_MIPS] = SCMP_ARCH_MIPS,
	[SK_SCMP_ARCH_MIPS64] = SCMP_ARCH_MIPS64,
	[SK_SCMP_ARCH_MIPS64N32] = SCMP_ARCH_MIPS64N32,
	[SK_SCMP_ARCH_MIPSEL] = SCMP_ARCH_MIPSEL,
	[SK_SCMP_ARCH_MIPSEL64] = SCMP_ARCH_MIPSEL64,
	[SK_SCMP_ARCH_MIPSEL64N32] = SCMP_ARCH_MIPSEL64N32,
	[SK_SCMP_ARCH_PPC] = SCMP_ARCH_PPC,
	[SK_SCMP_ARCH_PPC64] = SCMP_ARCH_PPC64,
	[SK_SCMP_ARCH_PPC64LE] = SCMP_ARCH_PPC64LE,
	[SK_SCMP_ARCH_S390] = SCMP_ARCH_S390,
	[SK_SCMP_ARCH_S390X] = SCMP_ARCH_S390X,
	[SK_SCMP_ARCH_PARISC] = SCMP_ARCH_PARISC,
	[SK_SCMP_ARCH_PARISC64] = SCMP_ARCH_PARISC64,
	[SK_SCMP_ARCH_RISCV64] = SCMP_ARCH_RISCV64,
#ifdef SCMP_ARCH_LOONGARCH64
	[SK_SCMP_ARCH_LOONGARCH64] = SCMP_ARCH_LOONGARCH64,
#endif
#ifdef SCMP_ARCH_M68K
	[SK_SCMP_ARCH_M68K] = SCMP_ARCH_M68K,
#endif
#ifdef SCMP_ARCH_SH
	[SK_SCMP_ARCH_SH] = SCMP_ARCH_SH,
#endif
#ifdef SCMP_ARCH_SHEB
	[SK_SCMP_ARCH_SHEB] = SCMP_ARCH_SHEB,
#endif
};

/* Built by this libseccomp, and addable beside the native architecture
 * (libseccomp refuses one of the other byte order: EDOM). */
bool sk_seccomp_arch_supported(enum sk_scmp_arch a)
{
	scmp_filter_ctx ctx;
	int rc;

	if ((unsigned)a >= SK_SCMP_ARCHES || !arches[a] || !(ctx = seccomp_init(SCMP_ACT_ALLOW)))
		return false;
	rc = seccomp_arch_add(ctx, arches[a]);
	seccomp_release(ctx);
	return rc == 0 || rc == -EEXIST;
}

static uint32_t action_value(enum sk_scmp_action a, bool has_ret, uint32_t ret)
{
	if (!has_ret)
		ret = EPERM;
	if (a == SK_SCMP_ACT_ERRNO)
		return SCMP_ACT_ERRNO(ret);
	if (a == SK_SCMP_ACT_TRACE)
		return SCMP_ACT_TRACE(ret);
	return actions[a];
}

static void arg_cmp(const struct sk_seccomp_arg *a, struct scmp_arg_cmp *out)
{
	memset(out, 0, sizeof(*out));
	out->arg = a->index;
	out->op = (enum scmp_compare)a->op;
	/* MASKED_EQ: (arg & value) == valueTwo; the others use value. */
	out->datum_a = a->value;
	out->datum_b = a->op == SK_SCMP_CMP_MASKED_EQ ? a->value_two : 0;
}

static void ctx_release(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int add_rules(scmp_filter_ctx ctx, const struct sk_seccomp_syscall *sc,
		     size_t si, uint32_t action, const struct scmp_arg_cmp *conds,
		     bool split, struct sk_error *err)
{
	size_t n, i;
	int nr, rc;

	for (n = 0; n < sc->n_names; n++) {
		const char *name = sc->names[n];

		if (!name || !*name)
			return sk_error(err, EINVAL,
					"linux.seccomp.syscalls[%zu].names[%zu]: empty syscall name",
					si, n);
		nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue;       /* unknown to this libseccomp: skipped, as runc */
		if (sc->n_args == 0 || !split) {
			rc = seccomp_rule_add_array(ctx, action, nr,
						    (unsigned int)sc->n_args, conds);
			if (rc < 0)
				return sk_error(err, -rc,
						"linux.seccomp.syscalls[%zu]: add rule for \"%s\": %s",
						si, name, sk_strerror(-rc));
			continue;
		}
		/* Several conditions on one argument: one rule per condition. */
		for (i = 0; i < sc->n_args; i++) {
			rc = seccomp_rule_add_array(ctx, action, nr, 1, &conds[i]);
			if (rc < 0)
				return sk_error(err, -rc,
						"linux.seccomp.syscalls[%zu].args[%zu]: add rule for \"%s\": %s",
						si, i, name, sk_strerror(-rc));
		}
	}
	return 0;
}

static int add_syscall(scmp_filter_ctx ctx, const struct sk_seccomp_syscall *sc,
		       size_t si, uint32_t def_action, bool *notify,
		       struct sk_error *err)
{
	struct scmp_arg_cmp conds[ARG_MAX_INDEX * 4];
	_cleanup_free_ struct scmp_arg_cmp *big = NULL;
	struct scmp_arg_cmp *c = conds;
	unsigned int count[ARG_MAX_INDEX] = { 0 };
	uint32_t action = action_value(sc->action, sc->has_errno_ret, sc->errno_ret);
	bool split = false;
	size_t i;

	if (sc->n_args > SK_ARRAY_SIZE(conds))
		c = big = sk_xcalloc(sc->n_args, sizeof(*big));
	for (i = 0; i < sc->n_args; i++) {
		arg_cmp(&sc->args[i], &c[i]);
		if (++count[sc->args[i].index] > 1)
			split = true;
	}
	/* libseccomp refuses a rule whose action is the default one. */
	if (action == def_action)
		return 0;
	if (add_rules(ctx, sc, si, action, c, split, err) < 0)
		return -1;
	if (action == SCMP_ACT_NOTIFY)
		*notify = true;
	return 0;
}

/* seccomp_export_bpf_mem() is libseccomp >= 2.6: export to a memfd. */
static int export_bpf(scmp_filter_ctx ctx, struct sk_seccomp_prog *out,
		      struct sk_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t done = 0;
	ssize_t n;
	char *buf;
	int rc;

	fd = memfd_create("skiff-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return sk_error_sys(err, "seccomp: memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return sk_error(err, -rc, "seccomp: export BPF: %s", sk_strerror(-rc));
	if (fstat(fd, &st) < 0)
		return sk_error_sys(err, "seccomp: fstat BPF memfd");
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter))
		return sk_error(err, EINVAL, "seccomp: exported BPF has a bad size (%lld bytes)",
				(long long)st.st_size);
	if ((size_t)st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return sk_error(err, E2BIG,
				"linux.seccomp: filter has %zu instructions, the kernel takes at most %d",
				(size_t)st.st_size / sizeof(struct sock_filter), BPF_MAXINSNS);
	buf = sk_xmalloc(st.st_size);
	while (done < (size_t)st.st_size) {
		n = pread(fd, buf + done, st.st_size - done, done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			if (n == 0)
				errno = EIO;
			return sk_error_sys(err, "seccomp: read BPF memfd");
		}
		done += n;
	}
	out->filter = buf;
	out->len = st.st_size / sizeof(struct sock_filter);
	return 0;
}

static int compile(const struct sk_seccomp *s, struct sk_seccomp_prog *out,
		   struct sk_error *err)
{
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx ctx = NULL;
	uint32_t def_action, token, tokens[SK_SCMP_ARCHES + 1];
	size_t n_tokens = 0;
	bool notify = false;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s || !s->present)
		return 0;
	if (sk_seccomp_validate(s, NULL, err) < 0)
		return -1;
	def_action = action_value(s->default_action, s->has_default_errno_ret,
				  s->default_errno_ret);
	out->flags = s->flags;

	ctx = seccomp_init(def_action);
	if (!ctx)
		return sk_error(err, EINVAL, "seccomp: cannot create a filter with default action %s",
				sk_enum_name(&sk_enum_scmp_action, s->default_action));
	/* The caller decides about no_new_privs; we load with seccomp(2). */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0)
		return sk_error(err, -rc, "seccomp: unset NNP attribute: %s", sk_strerror(-rc));

	for (i = 0; i < s->n_architectures; i++) {
		const char *name = sk_enum_name(&sk_enum_scmp_arch, s->architectures[i]);

		token = s->architectures[i] < SK_SCMP_ARCHES ? arches[s->architectures[i]] : 0;
		if (!token)
			return sk_error(err, ENOTSUP,
					"linux.seccomp.architectures[%zu]: architecture \"%s\" is not supported by libseccomp %u.%u.%u",
					i, name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
		rc = seccomp_arch_add(ctx, token);
		if (rc == -EDOM)
			return sk_error(err, EINVAL,
					"linux.seccomp.architectures[%zu]: \"%s\" has another byte order "
					"than the native architecture (libseccomp cannot filter both)", i, name);
		if (rc < 0 && rc != -EEXIST)   /* the native arch is always in */
			return sk_error(err, -rc,
					"linux.seccomp.architectures[%zu]: add \"%s\": %s",
					i, name, sk_strerror(-rc));
		if (rc == 0 && n_tokens < SK_ARRAY_SIZE(tokens) - 1)
			tokens[n_tokens++] = token;
	}
	tokens[n_tokens++] = seccomp_arch_native();

	for (i = 0; i < s->n_syscalls; i++)
		if (add_syscall(ctx, &s->syscalls[i], i, def_action, &notify, err) < 0)
			return -1;

	/* Binary tree (SCMP_FLTATR_CTL_OPTIMIZE 2, libseccomp >= 2.5): the
	 * syscall number is found in log2(rules) jumps instead of a linear scan.
	 * The kernel's action cache (Linux 5.11) already skips the filter for
	 * the syscalls whose result does not depend on their arguments; the
	 * tree speeds up the others (personality(0xffffffff) under the 300-rule
	 * profile: 103 ns instead of 190) and every syscall on older kernels.
	 * It costs the compile ~20%, which the cache pays once per profile.
	 * A libseccomp that refuses the attribute keeps the linear filter. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

	if (export_bpf(ctx, out, err) < 0 ||
	    sk_seccomp_add_enosys_stub(s, def_action, tokens, n_tokens, out, err) < 0)
		return -1;
	out->notify = notify;
	return 0;
}

int sk_seccomp_compile(const struct sk_seccomp *s, struct sk_seccomp_prog *out,
		       struct sk_error *err)
{
	if (compile(s, out, err) < 0) {
		sk_seccomp_prog_free(out);      /* nothing half-built is left */
		return -1;
	}
	return 0;
}

static unsigned long load_flags(const struct sk_seccomp_prog *p)
{
	unsigned long fl = p->flags;

	if (p->notify) {
		fl |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (fl & SECCOMP_FILTER_FLAG_TSYNC)
			fl |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	} else {
		fl &= ~(unsigned long)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	return fl;
}

int sk_seccomp_check_loadable(const struct sk_seccomp_prog *p, struct sk_error *err)
{
	unsigned long fl;

	if (!p || !p->len)
		return 0;
	fl = load_flags(p);
	/* A NULL program: EFAULT when the flags are known, EINVAL if not
	 * (libseccomp probes the same way).  Nothing is loaded. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, fl, NULL) == 0 || errno == EFAULT)
		return 0;
	if (errno == EINVAL)
		return sk_error(err, EINVAL,
				"linux.seccomp.flags: flags %#lx are not supported by this kernel", fl);
	return sk_error_sys(err, "seccomp: probe filter flags %#lx", fl);
}

int sk_seccomp_load(const struct sk_seccomp_prog *p, struct sk_error *err)
{
	struct sock_fprog fprog;
	unsigned long fl;
	long rc;

	if (!p || !p->len)
		return 0;
	fl = load_flags(p);
	fprog.len = (unsigned short)p->len;
	fprog.filter = p->filter;
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, fl, &fprog);
	if (rc < 0) {
		if (errno == EACCES)
			return sk_error_sys(err,
					    "seccomp: load filter (needs no_new_privs or CAP_SYS_ADMIN)");
		if (errno == EINVAL && fl)
			return sk_error_sys(err,
					    "seccomp: load filter with flags %#lx (not supported by this kernel?)",
					    fl);
		if (errno == ESRCH)
			return sk_error_sys(err,
					    "seccomp: load filter: another thread cannot be synchronised (TSYNC)");
		return sk_error_sys(err, "seccomp: load filter");
	}
	if (p->notify)
		return (int)rc;
	/* Plain TSYNC returns a thread id on failure; 0 is success. */
	if (rc > 0)
		return sk_error(err, ESRCH,
				"seccomp: load filter: thread %ld cannot be synchronised (TSYNC)",
				rc);
	return 0;
}

void sk_seccomp_prog_free(struct sk_seccomp_prog *p)
{
	if (!p)
		return;
	free(p->filter);
	memset(p, 0, sizeof(*p));
}

bool sk_seccomp_notifies(const struct sk_seccomp *s, const char *syscall_name)
{
	size_t i, n;

	if (!s || !s->present || !syscall_name)
		return false;
	for (i = 0; i < s->n_syscalls; i++) {
		const struct sk_seccomp_syscall *sc = &s->syscalls[i];

		if (sc->action != SK_SCMP_ACT_NOTIFY)
			continue;
		for (n = 0; n < sc->n_names; n++)
			if (sc->names[n] && !strcmp(sc->names[n], syscall_name))
				return true;
	}
	return false;
}

/* ---- the container process state for listenerPath ---- */

static void gen_free(yajl_gen *g)
{
	if (*g)
		yajl_gen_free(*g);
}

static void tree_free(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}

#define GEN_STR(g, s) yajl_gen_string((g), (const unsigned char *)(s), strlen(s))

static yajl_gen_status gen_value(yajl_gen g, yajl_val v)
{
	yajl_gen_status st;
	size_t i;

	switch (v->type) {
	case yajl_t_string:
		return GEN_STR(g, v->u.string);
	case yajl_t_number:
		return yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	case yajl_t_true:
		return yajl_gen_bool(g, 1);
	case yajl_t_false:
		return yajl_gen_bool(g, 0);
	case yajl_t_null:
		return yajl_gen_null(g);
	case yajl_t_array:
		if ((st = yajl_gen_array_open(g)) != yajl_gen_status_ok)
			return st;
		for (i = 0; i < v->u.array.len; i++)
			if ((st = gen_value(g, v->u.array.values[i])) != yajl_gen_status_ok)
				return st;
		return yajl_gen_array_close(g);
	case yajl_t_object:
		if ((st = yajl_gen_map_open(g)) != yajl_gen_status_ok)
			return st;
		for (i = 0; i < v->u.object.len; i++) {
			if ((st = GEN_STR(g, v->u.object.keys[i])) != yajl_gen_status_ok)
				return st;
			if ((st = gen_value(g, v->u.object.values[i])) != yajl_gen_status_ok)
				return st;
		}
		return yajl_gen_map_close(g);
	case yajl_t_any:
		break;
	}
	return yajl_gen_invalid_string;
}

/* Build the container process state document: heap string. */
static char *process_state_json(const char *metadata, const char *state_json,
				struct sk_error *err)
{
	__attribute__((cleanup(tree_free))) yajl_val tree = NULL;
	__attribute__((cleanup(gen_free))) yajl_gen g = NULL;
	static const char *pid_path[] = { "pid", NULL };
	const unsigned char *buf;
	char perr[256];
	yajl_val pid;
	size_t len;
	int bad = 0;

	if (!state_json) {
		sk_error(err, EINVAL, "seccomp listener: no state");
		return NULL;
	}
	tree = yajl_tree_parse(state_json, perr, sizeof(perr));
	if (!tree) {
		perr[strcspn(perr, "\n")] = '\0';
		sk_error(err, EINVAL, "seccomp listener: bad state JSON: %s", perr);
		return NULL;
	}
	if (!YAJL_IS_OBJECT(tree)) {
		sk_error(err, EINVAL, "seccomp listener: state JSON is not an object");
		return NULL;
	}
	pid = yajl_tree_get(tree, pid_path, yajl_t_number);
	if (!YAJL_IS_INTEGER(pid) || YAJL_GET_INTEGER(pid) <= 0) {
		sk_error(err, EINVAL, "seccomp listener: state JSON has no valid \"pid\"");
		return NULL;
	}

	g = yajl_gen_alloc(NULL);
	if (!g) {
		sk_error(err, ENOMEM, "seccomp listener: out of memory");
		return NULL;
	}
	bad |= yajl_gen_map_open(g);
	bad |= GEN_STR(g, "ociVersion");
	bad |= GEN_STR(g, SK_OCI_VERSION);
	bad |= GEN_STR(g, "fds");
	bad |= yajl_gen_array_open(g);
	bad |= GEN_STR(g, "seccompFd");
	bad |= yajl_gen_array_close(g);
	bad |= GEN_STR(g, "pid");
	bad |= yajl_gen_integer(g, YAJL_GET_INTEGER(pid));
	if (metadata) {
		bad |= GEN_STR(g, "metadata");
		bad |= GEN_STR(g, metadata);
	}
	bad |= GEN_STR(g, "state");
	bad |= gen_value(g, tree);
	bad |= yajl_gen_map_close(g);
	if (bad || yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		sk_error(err, EINVAL, "seccomp listener: cannot serialise the process state (invalid UTF-8?)");
		return NULL;
	}
	return sk_xasprintf("%.*s", (int)len, (const char *)buf);
}

static int send_all(int sock, int fd, const char *data, size_t len,
		    const char *path, struct sk_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = { 0 };
	struct cmsghdr *cmsg;
	struct iovec iov;
	bool first = true;
	ssize_t n;

	while (len > 0) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = (void *)data;
		iov.iov_len = len;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (first) {    /* the fd goes with the first sendmsg only */
			memset(&ctl, 0, sizeof(ctl));
			msg.msg_control = ctl.buf;
			msg.msg_controllen = sizeof(ctl.buf);
			cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
		}
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN)
				errno = ETIMEDOUT;
			return sk_error_sys(err, "seccomp listener `%s`: send", path);
		}
		first = false;
		data += n;
		len -= n;
	}
	return 0;
}

int sk_seccomp_send_listener_metadata(const char *listener_path,
				      const char *metadata, int listener_fd,
				      const char *state_json,
				      struct sk_error *err)
{
	struct timeval tv = { .tv_sec = LISTENER_TIMEOUT_SEC };
	_cleanup_free_ char *doc = NULL;
	_cleanup_close_ int sock = -1;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t plen;
	int rc;

	if (!listener_path || !*listener_path)
		return sk_error(err, EINVAL, "linux.seccomp.listenerPath: empty");
	if (listener_fd < 0)
		return sk_error(err, EBADF, "seccomp listener `%s`: no listener fd", listener_path);
	plen = strlen(listener_path);
	if (plen >= sizeof(addr.sun_path))
		return sk_error(err, ENAMETOOLONG,
				"linux.seccomp.listenerPath: `%s` is longer than %zu bytes",
				listener_path, sizeof(addr.sun_path) - 1);
	memcpy(addr.sun_path, listener_path, plen + 1);

	doc = process_state_json(metadata, state_json, err);
	if (!doc)
		return -1;

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return sk_error_sys(err, "seccomp listener: socket");
	/* Bounds both connect() (AF_UNIX uses the send timeout) and send. */
	if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return sk_error_sys(err, "seccomp listener: SO_SNDTIMEO");
	do
		rc = connect(sock, (struct sockaddr *)&addr, sizeof(addr));
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		if (errno == EAGAIN)
			errno = ETIMEDOUT;
		return sk_error_sys(err, "linux.seccomp.listenerPath: failed to connect with seccomp agent at `%s`",
				    listener_path);
	}
	if (send_all(sock, listener_fd, doc, strlen(doc), listener_path, err) < 0)
		return -1;
	return 0;
}

int sk_seccomp_send_listener(const char *listener_path, int listener_fd,
			     const char *state_json, struct sk_error *err)
{
	return sk_seccomp_send_listener_metadata(listener_path, NULL, listener_fd,
						 state_json, err);
}

int sk_seccomp_send_state(const struct sk_seccomp *s, int listener_fd,
			  const char *state_json, struct sk_error *err)
{
	if (!s || !s->listener_path || !*s->listener_path)
		return 0;
	return sk_seccomp_send_listener_metadata(s->listener_path,
						 s->listener_metadata,
						 listener_fd, state_json, err);
}
