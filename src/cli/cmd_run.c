/* skiff run: create and start; in the foreground forward signals, proxy
 * the terminal, reap the init and exit with its status. */
#include <errno.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exit_cause.h"
#include "lifecycle.h"
#include "skiff/util.h"

/* --timeout: the whole tree (the init is its pid namespace's: the
 * others die with it) */
struct run_timer {
	struct sk_run_hooks *h;
	struct sk_spawn *s;
	int state_dirfd;
};

static void timeout_kill(struct sk_supervise *sv)
{
	struct run_timer *rt = sv->arg;
	struct sk_spawn *s = rt->s;
	struct sk_error e;

	rt->h->timed_out = true;
	sk_exit_cause_mark_kill(rt->state_dirfd, SIGKILL, "timeout");
	syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
	if (s->has_cgroup)
		sk_cgroup_signal_all(&s->cgroup, SIGKILL, &e);
}

/* The systemd driver: systemd removes the scope's cgroup once it is
 * empty, maybe before the init is reaped here; memory.events is read each
 * time it changes (an OOM kill changes it before the victim is gone), so
 * that the count of OOM kills outlives the cgroup (the driver keeps the
 * last one read).  -1: nothing to watch. */
static int watch_ooms(struct sk_spawn *s)
{
	_cleanup_free_ char *file = NULL;
	int fd;

	if (!s->has_cgroup || !s->cgroup.unit)
		return -1;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	file = sk_xasprintf("%s/memory.events", s->cgroup.dir);
	if (fd >= 0 && inotify_add_watch(fd, file, IN_MODIFY) < 0) {
		close(fd);
		return -1;
	}
	sk_cgroup_oom_kills(&s->cgroup);
	return fd;
}

static void read_ooms(struct sk_supervise *sv)
{
	struct run_timer *rt = sv->arg;
	char buf[4096];

	while (read(sv->watch_fd, buf, sizeof(buf)) > 0)
		;
	sk_cgroup_oom_kills(&rt->s->cgroup);
}

/* Record why the container stopped (state, --keep) and say it when a
 * limit was the cause. */
static void report_exit(struct sk_container *c, struct sk_spawn *s, int wstatus)
{
	struct sk_exit_cause e;

	sk_exit_cause_get(c->dirfd, s->has_cgroup ? &s->cgroup : NULL, wstatus, &e);
	sk_exit_cause_save(c->dirfd, &e);
	if (e.limit)
		sk_log_error("container \"%s\" %s", c->id, e.msg);
}

/* NOTIFY_SOCKET: detached, wait here for READY (as runc run -d does);
 * in the foreground a helper process waits while we supervise. */
static void notify_proxy(struct sk_container *c, struct sk_spawn *s, int nfd, bool detach)
{
	struct sk_error err = { 0 };
	pid_t helper;

	if (detach) {
		close(c->lockfd);
		c->lockfd = -1;
		if (sk_notify_wait(nfd, s->pidfd, s->pid, &err) < 0)
			sk_log_error("%s", err.msg);
		close(nfd);
		return;
	}
	helper = fork();
	if (helper == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(sk_notify_wait(nfd, s->pidfd, s->pid, &err) < 0 ? 1 : 0);
	}
	if (helper < 0)
		sk_log_warn("NOTIFY_SOCKET: fork: %s", sk_strerror(errno));
	close(nfd);
}

int sk_cmd_run(int argc, char **argv, struct sk_error *err)
{
	struct sk_create_opts o = { 0 };
	bool keep = false;
	const struct sk_opt opts[] = {
		SK_CREATE_OPTS(o),
		{ "detach", 'd', SK_OPT_FLAG, &o.detach },
		{ "keep", 0, SK_OPT_FLAG, &keep },
		{ NULL, 0, 0, NULL },
	};
	char *pos[1];

	if (sk_parse_id_opts(argc, argv, opts, pos, 1, err) < 0)
		return -1;
	return sk_run(pos[0], &o, keep, NULL);
}

int sk_run(const char *id, const struct sk_create_opts *opts, bool keep, struct sk_run_hooks *h)
{
	struct sk_create_opts o = *opts;
	struct sk_spawn s = { .mode = SK_SPAWN_RUN };
	struct sk_error err = { 0 };
	struct sk_container c;
	struct run_timer rt = { .h = h, .s = &s };
	struct sk_supervise sv = { .sigfd = -1, .tty.master = -1, .arg = &rt, .on_timeout = timeout_kill,
				   .timeout_ms = h ? h->timeout_ms : 0, .watch_fd = -1 };
	int status = 1, nfd;

	/* Signals wait in a signalfd from before the clone, so none is lost;
	 * the init unblocks them right before execve. */
	if ((!o.detach && (sv.sigfd = sk_signals_block(&err)) < 0) ||
	    sk_lifecycle_create(id, &o, &c, &s, &err) < 0) {
		sk_log_error("%s", err.msg);
		goto out_sig;
	}
	sk_tty_begin(&sv.tty, s.tty_master);
	s.tty_master = -1;
	/* NOTIFY_SOCKET: listen before the process can say READY */
	nfd = sk_notify_host_socket() ? sk_notify_bind(c.dirfd, c.id, &err) : -2;
	if (nfd == -1 || sk_spawn_start(&s, &err) < 0)
		goto fail;
	sk_log_debug("container %s: started, pid %d", c.id, (int)s.pid);
	sk_fault("run-started");
	if (sk_lifecycle_poststart(&c, &err) < 0)
		goto fail;
	if (nfd >= 0)
		notify_proxy(&c, &s, nfd, o.detach);
	if (o.detach) {
		status = 0;
		close(s.pidfd);
		s.pidfd = -1;
		s.pid = 0;
		if (s.has_cgroup)
			sk_cgroup_release(&s.cgroup);
		s.has_cgroup = false;
		goto out;
	}
	/* Other commands (state, exec, kill, pause) must not wait for the
	 * whole run: drop the lock while supervising, take it back to delete. */
	sk_container_unlock(&c);
	sv.pid = s.pid;
	sv.pidfd = s.pidfd;
	rt.state_dirfd = c.dirfd;
	if ((sv.watch_fd = watch_ooms(&s)) >= 0)
		sv.on_watch = read_ooms;
	status = sk_supervise(&sv);
	if (sv.watch_fd >= 0) {
		read_ooms(&sv);
		close(sv.watch_fd);
	}
	s.pid = 0;
	sk_container_relock(&c);
	sk_fault("run-exited");
	report_exit(&c, &s, sv.wstatus);
	if (h && h->stopped)
		h->stopped(&c, &s, sv.wstatus, h->arg);
	if (h && h->timed_out)
		status = 124;
	sk_tty_end(&sv.tty);
	if (keep)
		goto out_release;
	goto destroy;
fail:
	sk_log_error("%s", err.msg);
destroy:
	if (s.has_cgroup) {
		/* the state names the cgroup: destroy goes through it */
		sk_cgroup_release(&s.cgroup);
		s.has_cgroup = false;
	}
	if (s.pid > 0) {
		sk_kill_reap(s.pid, s.pidfd);
		s.pid = 0;
	}
	if (sk_lifecycle_destroy(&c, &err) < 0)
		sk_log_error("%s", err.msg);
out_release:
	if (s.has_cgroup)
		sk_cgroup_release(&s.cgroup);
	if (s.pidfd >= 0)
		close(s.pidfd);
out:
	sk_tty_end(&sv.tty);
	sk_lifecycle_spawn_free(&s);
	sk_container_release(&c);
out_sig:
	if (sv.sigfd >= 0)
		close(sv.sigfd);
	return status;
}
