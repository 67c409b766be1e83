/* skiff exec [options] ID [COMMAND [ARG...]]: runc's command line.
 *
 * The process comes from --process FILE (a process.json, used whole) or
 * from the container's own process (config.json saved in the state dir at
 * create) with COMMAND as args and the flags applied on top, as runc does:
 * --env appends (a later value of a name wins), --cap adds to every
 * capability set (ambient too), --user UID[:GID], --additional-gids adds.
 * Options end at the container id: what follows is the command. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "skiff/util.h"

#define PROCESS_JSON_MAX (4u << 20)

struct exec_opts {
	const char *process_file, *console_socket, *pidfd_socket, *pid_file;
	const char *cwd, *user, *cgroup, *apparmor, *label;
	char **env; size_t n_env;
	char **caps; size_t n_caps;
	char **gids; size_t n_gids;
	unsigned preserve_fds;
	bool tty, tty_set, detach, no_new_privs, ignore_paused;
};

enum kind { FLAG, STR, UINT, LIST };
struct xopt { const char *name; char short_name; enum kind kind; size_t off; size_t noff; };

#define O(f) offsetof(struct exec_opts, f)
/* runc's texts */
#define PAUSED_TEXT "container \"%s\": cannot exec in a paused container (use --ignore-paused to override)"

static const struct xopt xopts[] = {
	{ "process", 'p', STR, O(process_file), 0 },
	{ "console-socket", 0, STR, O(console_socket), 0 },
	{ "pidfd-socket", 0, STR, O(pidfd_socket), 0 },
	{ "pid-file", 0, STR, O(pid_file), 0 },
	{ "cwd", 0, STR, O(cwd), 0 },
	{ "user", 'u', STR, O(user), 0 },
	{ "cgroup", 0, STR, O(cgroup), 0 },
	{ "apparmor", 0, STR, O(apparmor), 0 },
	{ "process-label", 0, STR, O(label), 0 },
	{ "env", 'e', LIST, O(env), O(n_env) },
	{ "cap", 'c', LIST, O(caps), O(n_caps) },
	{ "additional-gids", 'g', LIST, O(gids), O(n_gids) },
	{ "preserve-fds", 0, UINT, O(preserve_fds), 0 },
	{ "tty", 't', FLAG, O(tty), 0 },
	{ "detach", 'd', FLAG, O(detach), 0 },
	{ "no-new-privs", 0, FLAG, O(no_new_privs), 0 },
	{ "ignore-paused", 0, FLAG, O(ignore_paused), 0 },
	{ NULL, 0, 0, 0, 0 },
};

static int set_opt(struct exec_opts *o, const struct xopt *x, const char *val, struct sk_error *err)
{
	char *base = (char *)o;
	unsigned long long v;
	char *end;

	switch (x->kind) {
	case FLAG:
		if (val && strcmp(val, "true") && strcmp(val, "false"))
			return sk_error(err, EINVAL, "exec: option --%s: expected true or false, got \"%s\"",
					x->name, val);
		*(bool *)(base + x->off) = !val || !strcmp(val, "true");
		if (x->off == O(tty))
			o->tty_set = true;
		return 0;
	case STR:
		*(const char **)(base + x->off) = val;
		return 0;
	case UINT:
		errno = 0;
		v = strtoull(val, &end, 10);
		if (errno || !*val || *end || val[0] == '-' || v > 1u << 20)
			return sk_error(err, EINVAL, "exec: option --%s: expected a small non-negative number, got \"%s\"",
					x->name, val);
		*(unsigned *)(base + x->off) = (unsigned)v;
		return 0;
	case LIST: {
		char ***list = (char ***)(base + x->off);
		size_t *n = (size_t *)(base + x->noff);

		*list = sk_xrealloc(*list, (*n + 1) * sizeof(char *));
		(*list)[(*n)++] = (char *)val;
		return 0;
	}
	}
	return 0;
}

/* Options, then the id, then the command (runc: options must come first). */
static int parse_args(int argc, char **argv, struct exec_opts *o, int *id_idx, struct sk_error *err)
{
	int i;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct xopt *x = NULL;
		const char *val = NULL;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			for (x = xopts; x->name; x++)
				if (strlen(x->name) == len && !strncmp(x->name, name, len))
					break;
			if (!x->name)
				return sk_error(err, EINVAL, "exec: unknown option --%.*s", (int)len, name);
			if (eq)
				val = eq + 1;
		} else {
			for (x = xopts; x->name; x++)
				if (x->short_name && x->short_name == a[1])
					break;
			if (!x->name)
				return sk_error(err, EINVAL, "exec: unknown option %s", a);
			if (a[2]) {
				if (x->kind == FLAG)
					return sk_error(err, EINVAL, "exec: unknown option %s", a);
				val = a + 2;
			}
		}
		if (x->kind != FLAG && !val) {
			if (i + 1 >= argc)
				return sk_error(err, EINVAL, "exec: option --%s needs a value", x->name);
			val = argv[++i];
		}
		if (set_opt(o, x, val, err) < 0)
			return -1;
	}
	if (i >= argc)
		return sk_error(err, EINVAL, "exec: a container id is required");
	*id_idx = i;
	return 0;
}

/* ---- building the process ---- */

/* A process whose arrays are fresh copies of the pointer lists of `base`
 * (the strings stay owned by the config), so fields can be added. */
struct built {
	struct sk_process p;
	char **arrays[SK_CAP_SETS + 2];
	uint32_t *gids;
};

static void built_free(struct built *b)
{
	for (size_t i = 0; i < SK_ARRAY_SIZE(b->arrays); i++)
		free(b->arrays[i]);
	free(b->gids);
}

static int parse_u32(const char *s, uint32_t *out)
{
	long long v;

	if (sk_parse_long(s, &v) < 0 || v < 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void env_set(char **env, size_t *n, char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; i < *n; i++)
		if (!strncmp(env[i], kv, klen) && env[i][klen] == '=') {
			env[i] = kv;
			return;
		}
	env[(*n)++] = kv;
}

static int build_from_flags(const struct sk_process *base, struct exec_opts *o,
			    char **cmd, size_t n_cmd, struct built *b, struct sk_error *err)
{
	struct sk_process *p = &b->p;

	*p = *base;
	if (!n_cmd)
		return sk_error(err, EINVAL, "exec: a command is required (or --process FILE)");
	p->args = cmd;
	p->n_args = n_cmd;
	p->terminal = o->tty;
	p->has_console_size = false;
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return sk_error(err, EINVAL, "exec: --cwd %s: must be an absolute path", o->cwd);
		p->cwd = (char *)o->cwd;
	}
	b->arrays[0] = p->env = sk_strv_copy(base->env, base->n_env, o->n_env);
	for (size_t i = 0; i < o->n_env; i++) {
		if (!strchr(o->env[i], '='))
			return sk_error(err, EINVAL, "exec: --env %s: expected NAME=VALUE", o->env[i]);
		env_set(p->env, &p->n_env, o->env[i]);
	}
	if (o->n_caps) {
		/* runc: every set, ambient too (so a non-root user keeps it) */
		static const enum sk_cap_set sets[] = { SK_CAP_BOUNDING, SK_CAP_EFFECTIVE, SK_CAP_PERMITTED,
							SK_CAP_INHERITABLE, SK_CAP_AMBIENT };

		p->caps.present = true;
		for (size_t s = 0; s < SK_ARRAY_SIZE(sets); s++) {
			enum sk_cap_set cs = sets[s];

			b->arrays[1 + s] = p->caps.set[cs] = sk_strv_copy(base->caps.set[cs], base->caps.n[cs], o->n_caps);
			for (size_t i = 0; i < o->n_caps; i++) {
				char *c = o->caps[i];

				if (strncasecmp(c, "CAP_", 4))
					return sk_error(err, EINVAL, "exec: --cap %s: expected a name like CAP_NET_ADMIN", c);
				p->caps.set[cs][p->caps.n[cs]++] = c;
			}
		}
	}
	if (o->user) {
		_cleanup_free_ char *u = sk_xstrdup(o->user);
		char *colon = strchr(u, ':');

		if (colon)
			*colon = '\0';
		if (parse_u32(u, &p->user.uid) < 0 || (colon && parse_u32(colon + 1, &p->user.gid) < 0))
			return sk_error(err, EINVAL, "exec: --user %s: expected UID[:GID] (numbers)", o->user);
		p->user.username = NULL;
	}
	if (o->n_gids) {
		b->gids = sk_xcalloc(base->user.n_additional_gids + o->n_gids, sizeof(uint32_t));
		if (base->user.n_additional_gids)
			memcpy(b->gids, base->user.additional_gids,
			       base->user.n_additional_gids * sizeof(uint32_t));
		p->user.additional_gids = b->gids;
		for (size_t i = 0; i < o->n_gids; i++)
			if (parse_u32(o->gids[i], &b->gids[p->user.n_additional_gids++]) < 0)
				return sk_error(err, EINVAL, "exec: --additional-gids %s: expected a number", o->gids[i]);
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->apparmor)
		p->apparmor_profile = (char *)o->apparmor;
	if (o->label)
		p->selinux_label = (char *)o->label;
	return 0;
}

/* ---- the container ---- */

static int load_config(struct sk_container *c, struct sk_config **cfg, struct sk_error *err)
{
	_cleanup_free_ char *raw = NULL;
	size_t len;

	if (sk_read_file_at(c->dirfd, "config.json", &raw, &len, 64u << 20, err) == 0)
		return sk_config_parse(raw, len, "config.json", cfg, err);
	/* A container created by a skiff that did not save it: the bundle. */
	if (sk_config_load(c->state->bundle, cfg, err) < 0)
		return sk_error_ctx(err, "container \"%s\"", c->id);
	return 0;
}

/* The container's cgroup, and the v2 directory (or --cgroup below it)
 * for clone3's CLONE_INTO_CGROUP. */
static int open_cgroup(struct sk_container *c, const char *sub, bool ignore_paused,
		       struct sk_cgroup *cg, int *fd, struct sk_error *err)
{
	const char *rel;

	*fd = -1;
	if (!c->state->cgroup_path) {
		if (sub)
			return sk_error(err, EINVAL, "exec: --cgroup %s: the container has no cgroup", sub);
		return 0;
	}
	if (sk_cgroup_open(c->state->cgroup_path, c->state->cgroup_owned, c->state->cgroup_owned_v1, cg, err) < 0)
		return sk_error_ctx(err, "container \"%s\"", c->id);
	if (!ignore_paused && sk_cgroup_is_frozen(cg) == 1)
		return sk_error(err, EBUSY, PAUSED_TEXT, c->id);
	if (cg->dirfd < 0) {
		if (sub)
			return sk_error(err, ENOTSUP, "exec: --cgroup %s: needs a cgroup v2 hierarchy", sub);
		return 0;
	}
	if (!sub) {
		*fd = fcntl(cg->dirfd, F_DUPFD_CLOEXEC, 3);
		return *fd < 0 ? sk_error_sys(err, "dup cgroup fd") : 0;
	}
	/* [controller:]path; on cgroup v2 one path for every controller. */
	rel = strrchr(sub, ':') ? strrchr(sub, ':') + 1 : sub;
	if (!*rel || rel[0] == '/' || strstr(rel, "..") || strchr(sub, ','))
		return sk_error(err, EINVAL, "exec: --cgroup %s: expected a path below the container's cgroup", sub);
	*fd = openat(cg->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return sk_error_sys(err, "exec: --cgroup %s", sub);
	return 0;
}

static int read_process_file(const char *path, struct sk_process *p, struct sk_error *err)
{
	_cleanup_free_ char *raw = NULL;
	size_t len;

	if (sk_read_file_at(AT_FDCWD, path, &raw, &len, PROCESS_JSON_MAX, err) < 0)
		return sk_error_ctx(err, "--process");
	return sk_process_parse(raw, len, path, p, err);
}

static int check_status(struct sk_container *c, struct sk_error *err)
{
	enum sk_status status = sk_container_status(c);

	if (status == SK_STATUS_RUNNING || status == SK_STATUS_CREATED)
		return 0;
	if (status == SK_STATUS_PAUSED)
		return 1;
	return sk_error(err, EINVAL, "container \"%s\": cannot exec in a %s container", c->id,
			sk_status_name(status));
}

int sk_cmd_exec(int argc, char **argv, struct sk_error *err)
{
	struct exec_opts o = { 0 };
	struct sk_exec e = { .init_pidfd = -1, .cgroup_fd = -1, .pidfd = -1, .tty_master = -1,
			     .lockfd = -1 };
	struct sk_cgroup cg = { .dirfd = -1 };
	struct sk_process file_proc = { 0 };
	struct built b = { 0 };
	struct sk_config *cfg = NULL;
	struct sk_container c = { .dirfd = -1, .lockfd = -1 };
	struct sk_supervise sv = { .sigfd = -1 };
	int id_idx = 0, status = 1, paused = 0;

	if (parse_args(argc, argv, &o, &id_idx, err) < 0 ||
	    (o.process_file && read_process_file(o.process_file, &file_proc, err) < 0) ||
	    sk_container_load(argv[id_idx], &c, err) < 0 || (paused = check_status(&c, err)) < 0)
		goto fail;
	if (paused && !o.ignore_paused) {
		sk_error(err, EBUSY, PAUSED_TEXT, c.id);
		goto fail;
	}
	if (load_config(&c, &cfg, err) < 0)
		goto fail;
	if (o.process_file) {
		e.process = &file_proc;
	} else {
		if (build_from_flags(&cfg->process, &o, argv + id_idx + 1,
				     (size_t)(argc - id_idx - 1), &b, err) < 0)
			goto fail;
		e.process = &b.p;
	}
	sk_process_warn_unknown_caps(e.process);
	if (e.process->terminal && o.detach && !o.console_socket) {
		sk_error(err, EINVAL, "exec: a terminal for a detached process needs --console-socket");
		goto fail;
	}
	if (sk_seccomp_compile_cached(&cfg->linux.seccomp, &e.seccomp, err) < 0 ||
	    open_cgroup(&c, o.cgroup, o.ignore_paused, &cg, &e.cgroup_fd, err) < 0)
		goto fail;
	if (cg.dir)
		e.cgroup = &cg;
	e.init_pidfd = sk_container_pidfd(&c);
	if (e.init_pidfd < 0) {
		sk_error(err, ESRCH, "container \"%s\": cannot exec in a stopped container", c.id);
		goto fail;
	}
	e.id = c.id;
	e.init_pid = c.state->pid;
	e.config = cfg;
	e.console_socket = e.process->terminal ? o.console_socket : NULL;
	e.pidfd_socket = o.pidfd_socket;
	e.preserve_fds = o.preserve_fds;
	e.detach = o.detach;
	e.lockfd = c.lockfd;
	c.lockfd = -1;
	/* Blocked from before the clone so none is lost; the child
	 * unblocks them right before execve. */
	if (!o.detach && (sv.sigfd = sk_signals_block(err)) < 0)
		goto fail;
	sk_fault("exec-before");
	if (sk_exec_start(&e, err) < 0)
		goto fail;
	sk_fault("exec-started");
	if (o.pid_file && sk_write_pid_file(o.pid_file, e.pid, err) < 0) {
		sk_kill_reap(e.pid, e.pidfd);
		goto fail;
	}
	sk_log_debug("container %s: exec %s, pid %d", c.id, e.process->n_args ? e.process->args[0] : "", (int)e.pid);
	status = 0;
	if (!o.detach) {
		sv.pid = e.pid;
		sv.pidfd = e.pidfd;
		sk_tty_begin(&sv.tty, e.tty_master);
		e.tty_master = -1;
		status = sk_supervise(&sv);
		sk_tty_end(&sv.tty);
	}
	goto out;
fail:
	status = -1;    /* main(): runc's 255 */
	if (e.exec_failed) {
		/* the process's own status: 1 when execve failed, as runc's init */
		sk_log_error("%s", err->msg);
		status = 1;
	}
out:
	if (sv.sigfd >= 0)
		close(sv.sigfd);
	if (e.pidfd >= 0)
		close(e.pidfd);
	if (e.tty_master >= 0)
		close(e.tty_master);
	if (e.init_pidfd >= 0)
		close(e.init_pidfd);
	if (e.cgroup_fd >= 0)
		close(e.cgroup_fd);
	if (e.lockfd >= 0)
		close(e.lockfd);
	sk_cgroup_release(&cg);
	sk_seccomp_prog_free(&e.seccomp);
	built_free(&b);
	sk_process_free(&file_proc);
	sk_config_free(cfg);
	sk_container_release(&c);
	free(o.env);
	free(o.caps);
	free(o.gids);
	return status;
}
