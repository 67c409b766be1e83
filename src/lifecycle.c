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

/* state.json (and the config it was made from) of a container whose init
 * is pid: what create and restore record. */
int sk_lifecycle_save_state(struct sk_container *c, pid_t pid, const char *bundle,
			    const char *rootfs, const struct sk_cgroup *cg,
			    const struct sk_config *cfg, const char *raw, size_t raw_len,
			    struct sk_error *err)
{
	struct sk_state *st = sk_xcalloc(1, sizeof(*st));
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	st->id = sk_xstrdup(c->id);
	st->pid = pid;
	st->start_time = sk_proc_start_time(pid, NULL);
	st->bundle = sk_xstrdup(bundle);
	st->rootfs = sk_xstrdup(rootfs);
	st->created = sk_format_utc(ts.tv_sec, ts.tv_nsec);
	if (cg) {
		st->cgroup_path = sk_xstrdup(cg->dir);
		st->cgroup_rel = sk_xstrdup(cg->path);
		st->cgroup_owned = cg->owned;
		st->cgroup_owned_v1 = sk_cgroup_owned_v1(cg);
		st->cgroup_unit = cg->unit ? sk_xstrdup(cg->unit) : NULL;
	}
	st->n_annotations = cfg->n_annotations;
	st->annotations = sk_xcalloc(st->n_annotations, sizeof(struct sk_kv));
	for (size_t i = 0; i < st->n_annotations; i++) {
		st->annotations[i].key = sk_xstrdup(cfg->annotations[i].key);
		st->annotations[i].value = sk_xstrdup(cfg->annotations[i].value);
	}
	c->state = st;
	/* Always kept: exec needs the container's namespaces, seccomp,
	 * capabilities and process as they were at create, whatever happens
	 * to the bundle afterwards; start and delete read the
	 * poststart/poststop hooks from it. */
	if (sk_write_file_new(c->dirfd, "config.json", raw, raw_len, 0600, err) < 0)
		return -1;
	return sk_state_write(c->dirfd, st, err);
}

static int save_state(struct sk_container *c, struct sk_spawn *s, struct sk_error *err)
{
	return sk_lifecycle_save_state(c, s->pid, s->bundle, s->rootfs,
				       s->has_cgroup ? &s->cgroup : NULL, s->config,
				       s->raw_config, s->raw_config_len, err);
}

/* The state files are written while the init sets itself up (the
 * directory's lock keeps `state` and the others waiting until create is
 * done, and a failed create removes the directory). */
static int spawned_save_state(struct sk_spawn *s, void *arg, struct sk_error *err)
{
	if (save_state(arg, s, err) < 0)
		return sk_state_dir_error(s->id, err);
	return 0;
}

/* The hooks of `phase` from the config saved at create (or the one in
 * memory when this process created the container): failures are
 * warnings (warn), or the first one is returned. */
static int saved_hooks(struct sk_container *c, enum sk_hook_phase phase, const char *status,
		       bool warn, struct sk_error *err)
{
	_cleanup_free_ char *json = NULL, *raw = NULL;
	struct sk_config *cfg = NULL;
	const struct sk_config *use = c->config;
	size_t len;
	int r = 0;

	if (!c->state)
		return 0;
	if (!use) {
		if (sk_read_file_at(c->dirfd, "config.json", &raw, &len, 0, err) < 0)
			return 0;
		/* config.json is always saved (exec reads it): parse it only
		 * when it names hooks of this phase */
		if (!strstr(raw, sk_hook_phase_name(phase)))
			return 0;
		if (sk_config_parse(raw, len, "config.json", &cfg, err) < 0) {
			sk_error_ctx(err, "hooks.%s", sk_hook_phase_name(phase));
			if (warn)
				sk_log_warn("%s", err->msg);
			return warn ? 0 : -1;
		}
		use = cfg;
	}
	if (use->hooks.n[phase]) {
		json = sk_state_oci_json(c->state, status, false);
		if (warn)
			sk_hooks_run_warn(use, phase, json);
		else
			r = sk_hooks_run(use, phase, json, err);
	}
	sk_config_free(cfg);
	return r;
}

void sk_lifecycle_hooks(struct sk_container *c, enum sk_hook_phase phase, const char *status)
{
	struct sk_error err = { 0 };

	saved_hooks(c, phase, status, true, &err);
}

int sk_lifecycle_poststart(struct sk_container *c, struct sk_error *err)
{
	return saved_hooks(c, SK_HOOK_POSTSTART, "running", false, err);
}

/* Socket activation (LISTEN_FDS for our pid): those fds (3..) go to the
 * container first, then --preserve-fds ones; the process gets
 * LISTEN_FDS=N and LISTEN_PID=1, as runc does. */
static int listen_fds(struct sk_spawn *s)
{
	const char *n = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	struct sk_process *p = &s->config->process;
	long long v, lp;

	if (!n || !*n || !pid || sk_parse_long(pid, &lp) < 0 || lp != (long long)getpid())
		return 0;
	if (sk_parse_long(n, &v) < 0 || v < 0 || v > 1024)
		return -1;
	if (!v)
		return 0;
	s->preserve_fds += (unsigned)v;
	p->env = sk_xrealloc(p->env, (p->n_env + 3) * sizeof(char *));
	p->env[p->n_env++] = sk_xasprintf("LISTEN_FDS=%lld", v);
	p->env[p->n_env++] = sk_xstrdup("LISTEN_PID=1");
	p->env[p->n_env] = NULL;
	return 0;
}

int sk_lifecycle_create(const char *id, const struct sk_create_opts *o,
			struct sk_container *c, struct sk_spawn *s, struct sk_error *err)
{
	_cleanup_free_ char *bundle = realpath(o->bundle ? o->bundle : ".", NULL);
	enum sk_spawn_mode mode = s->mode;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->pidfd = s->sync_fd = s->tty_master = s->state_dirfd = s->netns.fd = -1;
	if (!bundle)
		return sk_error_sys(err, "bundle %s", o->bundle ? o->bundle : ".");
	/* state.json holds it, and JSON strings are UTF-8 */
	if (!sk_utf8_valid(bundle))
		return sk_error(err, EILSEQ, "bundle path %s is not valid UTF-8", bundle);
	if (sk_validate_id(id, err) < 0)
		return -1;
	if (o->config_json) {
		s->raw_config_len = strlen(o->config_json);
		s->raw_config = sk_xstrdup(o->config_json);
		if (sk_config_parse(s->raw_config, s->raw_config_len, "config", &s->config, err) < 0) {
			free(s->raw_config);
			s->raw_config = NULL;
			return -1;
		}
	} else if (sk_config_load_raw(bundle, &s->config, &s->raw_config, &s->raw_config_len, err) < 0) {
		return -1;
	}
	sk_log_debug("container %s: loaded %s/config.json", id, bundle);
	/* CVE-2019-5736: re-executes skiff from a sealed copy (nothing has
	 * changed on the system yet) when the init will be visible to the
	 * processes of an existing pid namespace. */
	if (sk_exe_protect_needed(s->config) && sk_g.argv && sk_exe_protect(sk_g.argv, err) < 0)
		goto fail_config;
	/* from here on a thread makes the network namespace (netns_ahead.c) */
	sk_netns_ahead_begin(&s->netns, s->config);
	sk_resources_normalize(&s->config->linux.resources);
	if (sk_config_check_supported(s->config, err) < 0 ||
	    sk_seccomp_compile_cached(&s->config->linux.seccomp, &s->seccomp, err) < 0)
		goto fail_config;
	if (o->no_pivot && !sk_config_ns(s->config, SK_NS_MOUNT)) {
		/* the move and chroot would change skiff's own mounts */
		sk_error(err, EINVAL, "--no-pivot: unable to use no-pivot without a private MNT namespace");
		goto fail_config;
	}
	if (s->config->process.terminal && !o->console_socket && (o->detach || s->mode == SK_SPAWN_CREATE)) {
		sk_error(err, EINVAL, "process.terminal is true but no --console-socket was given "
			 "(a detached container cannot use skiff's terminal)");
		goto fail_config;
	}
	if (sk_container_new(id, c, err) < 0)
		goto fail_config;
	sk_fault("create-dir");
	s->id = c->id;
	s->bundle = sk_xstrdup(bundle);
	s->state_dirfd = c->dirfd;
	s->console_socket = o->console_socket;
	s->preserve_fds = o->preserve_fds;
	s->no_pivot = o->no_pivot;
	if (sk_notify_host_socket() &&
	    sk_notify_setup_config(s->config, c->id, c->dirfd, err) < 0)
		goto fail;
	if (listen_fds(s) < 0) {
		sk_error(err, EINVAL, "LISTEN_FDS=%s: expected a small number", getenv("LISTEN_FDS"));
		goto fail;
	}
	s->spawned = spawned_save_state;
	s->spawned_arg = c;
	c->config = s->config;
	if (sk_spawn_container(s, err) < 0) {
		if (s->config->hooks.n[SK_HOOK_POSTSTOP]) {
			/* runtime.md lifecycle: a failed create continues at
			 * destroy, then the poststop hooks (failures logged) */
			struct sk_state st = { .id = c->id, .bundle = (char *)s->bundle,
					       .annotations = s->config->annotations,
					       .n_annotations = s->config->n_annotations };
			_cleanup_free_ char *json = sk_state_oci_json(&st, "stopped", false);

			sk_hooks_run_warn(s->config, SK_HOOK_POSTSTOP, json);
		}
		goto fail;
	}
	if (o->pid_file && sk_write_pid_file(o->pid_file, s->pid, err) < 0)
		goto fail_spawned;
	if (o->pidfd_socket &&
	    sk_send_fd_to_socket("--pidfd-socket", o->pidfd_socket, s->pidfd, "pidfd", err) < 0)
		goto fail_spawned;
	sk_fault("create-pid-file");
	sk_container_created(c);
	sk_log_debug("container %s: created, init pid %d", c->id, (int)s->pid);
	sk_fault("create-done");
	return 0;
fail_spawned:
	sk_spawn_cleanup(s);
fail:
	c->config = NULL;
	sk_container_remove(c);
	sk_container_release(c);
	free((char *)s->bundle);
	free(s->rootfs);
fail_config:
	sk_netns_ahead_drop(&s->netns);
	sk_seccomp_prog_free(&s->seccomp);
	free(s->raw_config);
	s->raw_config = NULL;
	sk_config_free(s->config);
	s->config = NULL;
	return -1;
}

void sk_lifecycle_spawn_free(struct sk_spawn *s)
{
	free((char *)s->bundle);
	free(s->rootfs);
	sk_seccomp_prog_free(&s->seccomp);
	free(s->raw_config);
	s->raw_config = NULL;
	sk_config_free(s->config);
	s->bundle = NULL;
	s->rootfs = NULL;
	s->config = NULL;
}

/* v1 (legacy host): tasks frozen by freezer.state do not act on SIGKILL
 * until thawed (v2's cgroup.freeze lets fatal signals through): after a
 * SIGKILL to a paused container, thaw it so that the wait for its init ends. */
static void thaw_legacy(struct sk_container *c)
{
	struct sk_cgroup cg;
	struct sk_error e = { 0 };

	if (!c->state || !c->state->cgroup_path)
		return;
	if (sk_cgroup_open(c->state->cgroup_path, c->state->cgroup_owned,
			   c->state->cgroup_owned_v1, &cg, &e) == 0 &&
	    cg.mode == SK_CGROUP_LEGACY && sk_cgroup_is_frozen(&cg) == 1)
		sk_cgroup_freeze(&cg, false, &e);
	sk_cgroup_release(&cg);
}

int sk_lifecycle_kill_init(struct sk_container *c, int sig, struct sk_error *err)
{
	int pidfd = sk_container_pidfd(c);

	if (pidfd < 0)
		return sk_error(err, ESRCH, "container \"%s\": container not running", c->id);
	sk_log_debug("container %s: signal %d to init pid %d", c->id, sig, (int)c->state->pid);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		/* the init exited meanwhile: Go's text, which runc prints then
		 * and containerd's shim takes for "already finished" */
		if (errno == ESRCH)
			sk_error(err, ESRCH, "container \"%s\": send signal %d: os: process already finished",
				 c->id, sig);
		else
			sk_error_sys(err, "container \"%s\": send signal %d", c->id, sig);
		close(pidfd);
		return -1;
	}
	if (sig == SIGKILL)
		thaw_legacy(c);
	if (sig == SIGKILL && sk_pidfd_wait(pidfd, SK_KILL_WAIT_MS) < 0) {
		close(pidfd);
		return sk_error(err, ETIMEDOUT, "container \"%s\": init did not exit after SIGKILL", c->id);
	}
	close(pidfd);
	return 0;
}

/* What delete removes: from state.json, else from the "cgroup" record
 * (a create killed before state.json, or state.json unreadable), else,
 * when the state directory holds neither, the cgroup at the place create
 * uses without linux.cgroupsPath (<own cgroup>/<id>) if one is there. */
static int find_cgroup(struct sk_container *c, struct sk_cgroup_rec *r, bool *guessed)
{
	struct sk_error e = { 0 };
	bool exists = false;

	*guessed = false;
	if (c->state) {
		if (!c->state->cgroup_path)
			return -1;
		r->dir = sk_xstrdup(c->state->cgroup_path);
		r->owned = c->state->cgroup_owned;
		r->owned_v1 = c->state->cgroup_owned_v1 ? sk_xstrdup(c->state->cgroup_owned_v1) : NULL;
		r->path = c->state->cgroup_rel ? sk_xstrdup(c->state->cgroup_rel) : NULL;
		r->unit = c->state->cgroup_unit ? sk_xstrdup(c->state->cgroup_unit) : NULL;
		return 0;
	}
	if (sk_cgroup_rec_read(c->dirfd, r) == 0)
		return 0;
	if (sk_g.cgroups_disabled || !(c->damage || c->no_record))
		return -1;
	if (sk_cgroup_plan(NULL, c->id, &r->dir, &r->path, &exists, &e) < 0 || !exists) {
		sk_cgroup_rec_free(r);
		return -1;
	}
	r->owned = *guessed = true;
	return 0;
}

/* The recorded cgroup; when /sys/fs/cgroup shows another view than at
 * create (the dir is not below it, or gone), the same path in the
 * hierarchy as mounted now. */
static int open_recorded(const struct sk_cgroup_rec *r, struct sk_cgroup *cg, struct sk_error *err)
{
	enum sk_cgroup_mode mode;
	const char *mnt;
	_cleanup_free_ char *alt = NULL;
	struct sk_error e = { 0 };

	if (sk_cgroup_open(r->dir, r->owned, r->owned_v1, cg, err) == 0)
		return 0;
	if (!r->path || (err->errnum != EINVAL && err->errnum != ENOENT) ||
	    sk_cgroup_detect(&mode, &mnt, &e) < 0 || mode == SK_CGROUP_LEGACY)
		return -1;
	alt = sk_xasprintf("%s%s", mnt, r->path);
	if (!strcmp(alt, r->dir) || access(alt, F_OK) < 0)
		return -1;
	sk_cgroup_release(cg);
	return sk_cgroup_open(alt, r->owned, r->owned_v1, cg, err);
}

/* 1: the cgroup was there and is gone now, 0: none was found. */
static int destroy_cgroup(struct sk_container *c, struct sk_error *err)
{
	struct sk_cgroup_rec rec = { 0 };
	struct sk_cgroup cg;
	bool guessed;
	int r = 1;

	if (find_cgroup(c, &rec, &guessed) < 0)
		return 0;
	if (open_recorded(&rec, &cg, err) == 0 ||
	    (rec.unit && err->errnum == ENOENT)) {
		/* the systemd driver: the unit goes, whether its cgroup is left or not */
		sk_cgroup_set_unit(&cg, rec.unit);
		/* only the v1 cgroups create made go (each hierarchy on its own) */
		if (sk_cgroup_destroy(&cg, err) < 0)
			r = -1;
		else if (guessed)
			sk_log_warn("container \"%s\": no record of its cgroup: removed %s, where "
				    "create puts it by default", c->id, rec.dir);
	} else if (err->errnum != ENOENT) {
		r = -1;
	}
	sk_cgroup_release(&cg);
	sk_cgroup_rec_free(&rec);
	return r < 0 ? sk_error_ctx(err, "container \"%s\": cgroup left", c->id) : r;
}

int sk_lifecycle_destroy(struct sk_container *c, struct sk_error *err)
{
	int pidfd = sk_container_pidfd(c), found;

	sk_log_debug("container %s: destroy%s", c->id, pidfd >= 0 ? " (killing its init)" : "");
	if (pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		thaw_legacy(c);
		if (sk_pidfd_wait(pidfd, SK_KILL_WAIT_MS) < 0) {
			close(pidfd);
			return sk_error(err, ETIMEDOUT, "container \"%s\": init did not exit after SIGKILL", c->id);
		}
		close(pidfd);
	}
	sk_fault("delete-init-killed");
	found = destroy_cgroup(c, err);
	if (found < 0)
		return -1;
	sk_fault("delete-cgroup-removed");
	sk_lifecycle_hooks(c, SK_HOOK_POSTSTOP, "stopped");
	sk_container_remove(c);
	if (c->damage && !found)
		/* nothing says where its init and cgroups were: say so */
		return sk_error(err, EIO, "container \"%s\": %s: its init process and cgroups are "
				"not known, any it had are left (state directory removed)",
				c->id, c->damage);
	if (c->no_record && !found)
		sk_log_warn("container \"%s\": its state directory held no record; no cgroup "
			    "found where create puts it by default (state directory removed)", c->id);
	return 0;
}
