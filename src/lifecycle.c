/* Shared steps of the commands: create a container (create, run) and
 * destroy one (delete, run). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lifecycle.h"
#include "skiff/util.h"

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - (size_t)n, ".%09ldZ", ts.tv_nsec);
	return sk_xstrdup(buf);
}

static int write_pid_file(const char *path, pid_t pid, struct sk_error *err)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	/* runc writes the pid without a newline, atomically. */
	if (sk_write_file_atomic(AT_FDCWD, path, buf, (size_t)n, 0644, err) < 0)
		return sk_error_ctx(err, "--pid-file");
	return 0;
}

static int save_state(struct sk_container *c, struct sk_spawn *s, struct sk_error *err)
{
	struct sk_state *st = sk_xcalloc(1, sizeof(*st));

	st->id = sk_xstrdup(c->id);
	st->pid = s->pid;
	st->start_time = sk_proc_start_time(s->pid, NULL);
	st->bundle = sk_xstrdup(s->bundle);
	st->rootfs = sk_xstrdup(s->rootfs);
	st->created = now_rfc3339();
	if (s->has_cgroup) {
		st->cgroup_path = sk_xstrdup(s->cgroup.dir);
		st->cgroup_owned = s->cgroup.owned;
	}
	st->n_annotations = s->config->n_annotations;
	st->annotations = sk_xcalloc(st->n_annotations, sizeof(struct sk_kv));
	for (size_t i = 0; i < st->n_annotations; i++) {
		st->annotations[i].key = sk_xstrdup(s->config->annotations[i].key);
		st->annotations[i].value = sk_xstrdup(s->config->annotations[i].value);
	}
	c->state = st;
	if (s->config->hooks.n[SK_HOOK_POSTSTART] || s->config->hooks.n[SK_HOOK_POSTSTOP]) {
		/* start and delete run these later: keep the config they come from */
		_cleanup_free_ char *path = sk_xasprintf("%s/config.json", s->bundle), *raw = NULL;
		size_t len;

		if (sk_read_file_at(AT_FDCWD, path, &raw, &len, 0, err) < 0 ||
		    sk_write_file_atomic(c->dirfd, "config.json", raw, len, 0600, err) < 0)
			return -1;
	}
	return sk_state_write(c->dirfd, st, err);
}

void sk_lifecycle_hooks(struct sk_container *c, enum sk_hook_phase phase, const char *status)
{
	_cleanup_free_ char *dir = NULL, *json = NULL;
	struct sk_config *cfg = NULL;
	struct sk_error err = { 0 };

	if (!c->state || faccessat(c->dirfd, "config.json", F_OK, 0) < 0)
		return;
	dir = sk_xasprintf("%s/%s", sk_g.root, c->id);
	if (sk_config_load(dir, &cfg, &err) < 0) {
		sk_log_warn("hooks.%s: %s", sk_hook_phase_name(phase), err.msg);
		return;
	}
	json = sk_state_oci_json(c->state, status, false);
	sk_hooks_run_warn(cfg, phase, json);
	sk_config_free(cfg);
}

int sk_lifecycle_create(const char *id, const struct sk_create_opts *o,
			struct sk_container *c, struct sk_spawn *s, struct sk_error *err)
{
	_cleanup_free_ char *bundle = realpath(o->bundle ? o->bundle : ".", NULL);
	enum sk_spawn_mode mode = s->mode;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->pidfd = s->sync_fd = s->tty_master = s->state_dirfd = -1;
	if (!bundle)
		return sk_error_sys(err, "bundle %s", o->bundle ? o->bundle : ".");
	if (sk_validate_id(id, err) < 0)
		return -1;
	if (sk_config_load(bundle, &s->config, err) < 0)
		return -1;
	if (sk_config_check_supported(s->config, err) < 0 ||
	    sk_seccomp_compile(&s->config->linux.seccomp, &s->seccomp, err) < 0)
		goto fail_config;
	if (s->config->process.terminal && !o->console_socket && (o->detach || s->mode == SK_SPAWN_CREATE)) {
		sk_error(err, EINVAL, "process.terminal is true but no --console-socket was given "
			 "(a detached container cannot use skiff's terminal)");
		goto fail_config;
	}
	if (sk_container_new(id, c, err) < 0)
		goto fail_config;
	s->id = c->id;
	s->bundle = sk_xstrdup(bundle);
	s->state_dirfd = c->dirfd;
	s->console_socket = o->console_socket;
	s->preserve_fds = o->preserve_fds;
	s->no_pivot = o->no_pivot;
	if (sk_spawn_container(s, err) < 0)
		goto fail;
	if (save_state(c, s, err) < 0)
		goto fail_spawned;
	if (o->pid_file && write_pid_file(o->pid_file, s->pid, err) < 0)
		goto fail_spawned;
	return 0;
fail_spawned:
	sk_spawn_cleanup(s);
fail:
	sk_container_remove(c);
	sk_container_release(c);
	free((char *)s->bundle);
	free(s->rootfs);
fail_config:
	sk_seccomp_prog_free(&s->seccomp);
	sk_config_free(s->config);
	s->config = NULL;
	return -1;
}

void sk_lifecycle_spawn_free(struct sk_spawn *s)
{
	free((char *)s->bundle);
	free(s->rootfs);
	sk_seccomp_prog_free(&s->seccomp);
	sk_config_free(s->config);
	s->bundle = NULL;
	s->rootfs = NULL;
	s->config = NULL;
}

/* Wait (bounded) until the process behind pidfd has exited. */
static int wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

int sk_lifecycle_kill_init(struct sk_container *c, int sig, struct sk_error *err)
{
	int pidfd = sk_container_pidfd(c);

	if (pidfd < 0)
		return sk_error(err, ESRCH, "container \"%s\" is not running", c->id);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		sk_error_sys(err, "container \"%s\": send signal %d", c->id, sig);
		close(pidfd);
		return -1;
	}
	if (sig == SIGKILL && wait_exit(pidfd, 10000) < 0) {
		close(pidfd);
		return sk_error(err, ETIMEDOUT, "container \"%s\": init did not exit after SIGKILL", c->id);
	}
	close(pidfd);
	return 0;
}

/* A create that died before writing state.json left only "cgroup". */
static void recorded_cgroup(struct sk_container *c, char **dir, bool *owned)
{
	_cleanup_free_ char *rec = NULL;
	struct sk_error e;
	char *sp;

	if (sk_read_file_at(c->dirfd, "cgroup", &rec, NULL, 4096, &e) < 0)
		return;
	sp = strchr(rec, ' ');
	if (!sp || sp[1] != '/')
		return;
	*owned = rec[0] == '1';
	*dir = sk_xstrdup(sp + 1);
}

int sk_lifecycle_destroy(struct sk_container *c, struct sk_error *err)
{
	struct sk_cgroup cg;
	_cleanup_free_ char *cg_dir = NULL;
	bool cg_owned = false;
	int pidfd = sk_container_pidfd(c);

	if (pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		if (wait_exit(pidfd, 10000) < 0) {
			close(pidfd);
			return sk_error(err, ETIMEDOUT, "container \"%s\": init did not exit after SIGKILL", c->id);
		}
		close(pidfd);
	}
	if (!c->state)
		recorded_cgroup(c, &cg_dir, &cg_owned);
	else if (c->state->cgroup_path)
		cg_dir = sk_xstrdup(c->state->cgroup_path), cg_owned = c->state->cgroup_owned;
	if (cg_dir) {
		if (sk_cgroup_open(cg_dir, cg_owned, &cg, err) == 0) {
			int r = sk_cgroup_destroy(&cg, err);

			sk_cgroup_release(&cg);
			if (r < 0)
				return sk_error_ctx(err, "container \"%s\"", c->id);
		} else if (err->errnum != ENOENT) {
			return sk_error_ctx(err, "container \"%s\"", c->id);
		}
	}
	sk_lifecycle_hooks(c, SK_HOOK_POSTSTOP, "stopped");
	sk_container_remove(c);
	return 0;
}
