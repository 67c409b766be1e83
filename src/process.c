/* Process attributes applied in the container init: the executable, rlimits,
 * oom_score_adj, user and groups, capabilities. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* 0, or the errno of stat(2), or EACCES (a directory, no x bit). */
static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	return S_ISREG(st.st_mode) && access(path, X_OK) == 0 ? 0 : EACCES;
}

/* Like execvp's lookup, but with the container's PATH (process.env), so
 * that a missing binary is an error of `create`, as with runc. */
int sk_process_resolve_exec(const struct sk_process *p, char **out, struct sk_error *err)
{
	const char *name = p->args[0], *path = DEFAULT_PATH;
	_cleanup_free_ char *copy = NULL;
	char *dir, *save = NULL;

	if (strchr(name, '/')) {
		int e = check_executable(name);

		/* runc's (Go's exec.LookPath) texts */
		if (e == EACCES)
			return sk_error(err, e, "exec: \"%s\": %s", name, sk_strerror(e));
		if (e)
			return sk_error(err, e, "exec: \"%s\": stat %s: %s", name, name, sk_strerror(e));
		*out = sk_xstrdup(name);
		return 0;
	}
	for (size_t i = 0; i < p->n_env; i++)
		if (sk_str_has_prefix(p->env[i], "PATH="))
			path = p->env[i] + 5;
	copy = sk_xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = sk_xasprintf("%s/%s", *dir ? dir : ".", name);

		if (!check_executable(cand)) {
			*out = cand;
			cand = NULL;
			return 0;
		}
	}
	return sk_error(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

/* The home directory of uid in the container's /etc/passwd, "/" without
 * one (runc and crun's fallback). */
static char *passwd_home(uid_t uid)
{
	_cleanup_free_ char *buf = NULL;
	struct sk_error err = { 0 };
	char *line, *save = NULL;
	size_t len;

	if (sk_read_file_at(AT_FDCWD, "/etc/passwd", &buf, &len, 16u << 20, &err) < 0)
		return sk_xstrdup("/");
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7], *q = line;
		int n = 0;

		while (n < 7 && (f[n++] = strsep(&q, ":")))
			;
		if (n == 7 && f[6] && f[2][0] && strtoul(f[2], NULL, 10) == uid && f[5][0])
			return sk_xstrdup(f[5]);
	}
	return sk_xstrdup("/");
}

/* The NULL-terminated environment for execve: process.env, and HOME from
 * the container's /etc/passwd when process.env has none (as runc).  Made
 * before any seccomp filter is on: reading the file must not meet it. */
char **sk_process_envp(const struct sk_process *p)
{
	char **out = sk_xcalloc(p->n_env + 2, sizeof(char *));
	_cleanup_free_ char *home = NULL;
	bool has_home = false;

	for (size_t i = 0; i < p->n_env; i++) {
		out[i] = p->env[i];
		has_home |= sk_str_has_prefix(p->env[i], "HOME=");
	}
	if (has_home)
		return out;
	home = passwd_home(p->user.uid);
	out[p->n_env] = sk_xasprintf("HOME=%s", home);
	return out;
}

int sk_process_set_rlimits(const struct sk_process *p, struct sk_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct sk_rlimit *rl = &p->rlimits[i];
		struct rlimit v = { .rlim_cur = rl->soft, .rlim_max = rl->hard };

		if (setrlimit(rl->type, &v) < 0)
			return sk_error_sys(err, "process.rlimits[%zu]: %s soft %llu hard %llu", i,
					    sk_enum_name(&sk_enum_rlimit, (unsigned long)rl->type),
					    (unsigned long long)rl->soft, (unsigned long long)rl->hard);
	}
	return 0;
}

int sk_process_set_oom_score_adj(const struct sk_process *p, struct sk_error *err)
{
	char buf[16];
	int n;

	if (!p->has_oom_score_adj)
		return 0;
	n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
	if (sk_write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", buf, (size_t)n, err) < 0)
		return sk_error_ctx(err, "process.oomScoreAdj %d", p->oom_score_adj);
	return 0;
}

/* A user namespace whose gid_map was written with setgroups denied
 * (an unprivileged single-gid map): setgroups(2) always fails there. */
static bool userns_groups_denied(void)
{
	char b[8] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, b, sizeof(b) - 1) < 0)
		b[0] = '\0';
	close(fd);
	return !strncmp(b, "deny", 4);
}

/* The container user must be able to reopen its stdio (/proc/self/fd/1
 * of a pipe, its terminal): stdio not already its own and not /dev/null
 * goes to its uid, the group left as it is (runc's fixStdioPermissions).
 * Not mapped in the user namespace, or on a read-only /dev: left alone. */
static int fix_stdio_owner(uid_t uid, struct sk_error *err)
{
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;

		if (fstat(fd, &st) < 0) {
			if (errno == EBADF)
				continue;
			return sk_error_sys(err, "stat stdio fd %d", fd);
		}
		if (st.st_uid == uid || (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))
			continue;
		if (fchown(fd, uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
			return sk_error_sys(err, "give stdio fd %d to uid %u", fd, (unsigned)uid);
	}
	return 0;
}

/* Bounding set first (it needs CAP_SETPCAP, which we still have), then
 * the ids with PR_SET_KEEPCAPS so the permitted set survives setuid. */
int sk_process_set_identity(const struct sk_process *p, bool setgroups_denied, struct sk_error *err)
{
	const struct sk_user *u = &p->user;

	if (p->caps.present) {
		uint64_t keep = 0;

		for (size_t i = 0; i < p->caps.n[SK_CAP_BOUNDING]; i++) {
			cap_value_t v;

			if (cap_from_name(p->caps.set[SK_CAP_BOUNDING][i], &v) < 0 || v > 63)
				continue;       /* unknown: warned about by skiff, ignored */
			keep |= 1ULL << v;
		}
		for (cap_value_t cap = 0; cap <= CAP_LAST_CAP; cap++)
			if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
			    errno != EINVAL)
				return sk_error_sys(err, "drop %s from the bounding set", cap_to_name(cap));
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return sk_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
	}
	if (fix_stdio_owner(u->uid, err) < 0)
		return -1;
	if (!setgroups_denied && setgroups(u->n_additional_gids, (gid_t *)u->additional_gids) < 0 &&
	    !(errno == EPERM && !u->n_additional_gids && userns_groups_denied()))
		return sk_error_sys(err, "process.user.additionalGids");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return sk_error_sys(err, "process.user.gid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return sk_error_sys(err, "process.user.uid %u", u->uid);
	umask(u->has_umask ? (mode_t)u->umask : 022);
	return 0;
}

/* Unknown names are skipped (skiff warned about them, as runc does). */
static int add_caps(cap_t caps, cap_flag_t flag, char **names, size_t n, const char *set,
		    struct sk_error *err)
{
	for (size_t i = 0; i < n; i++) {
		cap_value_t v;

		if (cap_from_name(names[i], &v) < 0)
			continue;
		if (cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
			return sk_error_sys(err, "process.capabilities.%s: %s", set, names[i]);
	}
	return 0;
}

/* The capability sets; `extra` (>= 0) is also kept in effective and
 * permitted: CAP_SYS_ADMIN for a seccomp load without no_new_privs that
 * comes after the drop (see sk_process_prepare). */
static int set_capabilities(const struct sk_process *p, int extra, struct sk_error *err)
{
	const struct sk_capabilities *c = &p->caps;
	cap_t caps;
	int r = -1;

	if (!c->present)
		return 0;
	caps = cap_init();
	if (!caps)
		return sk_error_sys(err, "cap_init");
	if (add_caps(caps, CAP_EFFECTIVE, c->set[SK_CAP_EFFECTIVE], c->n[SK_CAP_EFFECTIVE], "effective", err) < 0 ||
	    add_caps(caps, CAP_PERMITTED, c->set[SK_CAP_PERMITTED], c->n[SK_CAP_PERMITTED], "permitted", err) < 0 ||
	    add_caps(caps, CAP_INHERITABLE, c->set[SK_CAP_INHERITABLE], c->n[SK_CAP_INHERITABLE], "inheritable", err) < 0)
		goto out;
	if (extra >= 0) {
		cap_value_t v = extra;

		if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0) {
			sk_error_sys(err, "keep %s for seccomp", cap_to_name(v));
			goto out;
		}
	}
	if (cap_set_proc(caps) < 0) {
		sk_error_sys(err, "set capabilities");
		goto out;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		sk_error_sys(err, "clear ambient capabilities");
		goto out;
	}
	for (size_t i = 0; i < c->n[SK_CAP_AMBIENT]; i++) {
		cap_value_t v;

		if (cap_from_name(c->set[SK_CAP_AMBIENT][i], &v) < 0)
			continue;
		/* The kernel refuses an ambient cap not in permitted and
		 * inheritable; runc skips those with a warning, so do we. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0 && errno != EPERM) {
			sk_error_sys(err, "raise ambient capability %s", c->set[SK_CAP_AMBIENT][i]);
			goto out;
		}
	}
	r = 0;
out:
	cap_free(caps);
	return r;
}

/* A capability this skiff does not know (a config from a newer engine) is
 * ignored with one warning line, as runc does ("ignoring unknown or
 * unavailable capabilities"). */
void sk_process_warn_unknown_caps(const struct sk_process *p)
{
	const struct sk_capabilities *c = &p->caps;
	char list[512] = "";
	size_t len = 0;

	for (int s = 0; s < SK_CAP_SETS; s++)
		for (size_t i = 0; i < c->n[s]; i++) {
			const char *name = c->set[s][i];

			if (sk_cap_name_known(name) || strstr(list, name))
				continue;
			len += (size_t)snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0,
						"%s%s", len ? ", " : "", name);
			if (len >= sizeof(list))
				len = sizeof(list) - 1;
		}
	if (len)
		sk_log_warn("warning: process.capabilities: ignoring unknown capabilities: %s", list);
}

int sk_process_set_capabilities(const struct sk_process *p, struct sk_error *err)
{
	return set_capabilities(p, -1, err);
}

static int load_seccomp(const struct sk_seccomp_prog *prog,
			int (*send_listener)(int fd, void *arg, struct sk_error *err), void *arg,
			struct sk_error *err)
{
	int fd, r;

	if (!prog || !prog->len)
		return 0;
	fd = sk_seccomp_load(prog, err);
	if (fd <= 0)
		return fd;
	r = send_listener ? send_listener(fd, arg, err)
			  : sk_error(err, EINVAL, "linux.seccomp: a notify listener cannot be handed over here");
	close(fd);
	return r;
}

static bool has_cap(char **names, size_t n, cap_value_t want)
{
	for (size_t i = 0; i < n; i++) {
		cap_value_t v;

		if (cap_from_name(names[i], &v) == 0 && v == want)
			return true;
	}
	return false;
}

int sk_process_prepare(const struct sk_process *p, const struct sk_seccomp_prog *prog,
		       int (*send_listener)(int fd, void *arg, struct sk_error *err), void *arg,
		       struct sk_late_seccomp *late, struct sk_error *err)
{
	const struct sk_capabilities *c = &p->caps;
	int extra = -1;

	late->prog = NULL;
	/* Deferred unless the filter notifies (its listener must reach the
	 * agent during create) or, without no_new_privs, nothing can keep
	 * CAP_SYS_ADMIN for the load: no capabilities object, or one that
	 * asks for CAP_SYS_ADMIN as ambient without it being permitted
	 * (keeping it would let the raise succeed). */
	if (prog && prog->len && !prog->notify &&
	    (p->no_new_privileges ||
	     (c->present && !(has_cap(c->set[SK_CAP_AMBIENT], c->n[SK_CAP_AMBIENT], CAP_SYS_ADMIN) &&
			      !has_cap(c->set[SK_CAP_PERMITTED], c->n[SK_CAP_PERMITTED], CAP_SYS_ADMIN))))) {
		if (sk_seccomp_check_loadable(prog, err) < 0)
			return -1;
		late->prog = prog;
		/* Without no_new_privs seccomp(2) needs CAP_SYS_ADMIN in the
		 * effective set: keep it (effective and permitted) until the
		 * load.  execve(2) then drops it without a capset(2) under
		 * the filter: the new permitted set is computed from the
		 * inheritable, ambient and bounding sets and the file's
		 * capabilities, never from the old permitted set, and
		 * CAP_SYS_ADMIN is in none of them unless the config put it
		 * there (for root, the bounding set is what it gets anyway). */
		if (!p->no_new_privileges)
			extra = CAP_SYS_ADMIN;
	} else if (!p->no_new_privileges && load_seccomp(prog, send_listener, arg, err) < 0) {
		/* runc's order: without no_new_privs, seccomp(2) needs
		 * CAP_SYS_ADMIN, so the filter goes on before the user and
		 * capabilities change. */
		return -1;
	}
	if (sk_process_set_identity(p, false, err) < 0 ||
	    set_capabilities(p, extra, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sk_error_sys(err, "process.noNewPrivileges");
	if (!late->prog && p->no_new_privileges && load_seccomp(prog, send_listener, arg, err) < 0)
		return -1;
	return 0;
}

int sk_process_load_late(const struct sk_late_seccomp *late, struct sk_error *err)
{
	if (!late->prog)
		return 0;
	return sk_seccomp_load(late->prog, err) < 0 ? -1 : 0;
}

int sk_process_close_fds(unsigned preserve, struct sk_error *err)
{
	for (unsigned i = 0; i < preserve; i++) {
		int fd = 3 + (int)i, fl = fcntl(fd, F_GETFD);

		if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return sk_error_sys(err, "--preserve-fds: fd %d", fd);
	}
	if (syscall(SYS_close_range, 3 + preserve, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return sk_error_sys(err, "close_range");
	return 0;
}
