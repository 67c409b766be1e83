/* skiff run: create and start; in the foreground forward signals, proxy
 * the terminal, reap the init and exit with its status. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "exit_cause.h"
#include "lifecycle.h"
#include "skiff/util.h"

struct tty_proxy {
	int master;
	bool in_open;
	bool raw;
	struct termios saved;
};

static void tty_raw(struct tty_proxy *t)
{
	struct termios raw;

	if (!isatty(0) || tcgetattr(0, &t->saved) < 0)
		return;
	raw = t->saved;
	cfmakeraw(&raw);
	if (tcsetattr(0, TCSANOW, &raw) == 0)
		t->raw = true;
}

static void tty_resize(struct tty_proxy *t)
{
	struct winsize ws;

	if (t->master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

/* Returns the exit status for skiff (the container's, 128+N on signal N). */
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

static void read_ooms(struct sk_spawn *s, int ino)
{
	char buf[4096];

	while (read(ino, buf, sizeof(buf)) > 0)
		;
	sk_cgroup_oom_kills(&s->cgroup);
}

static int supervise(struct sk_spawn *s, int sigfd, struct tty_proxy *t, int *wstatus,
		     struct sk_run_hooks *h, int state_dirfd)
{
	struct timespec end = { 0 }, now;
	int status = 0, wait_ms = -1, ino = watch_ooms(s);

	if (h && h->timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += h->timeout_ms / 1000;
		end.tv_nsec += (h->timeout_ms % 1000) * 1000000L;
	}

	for (;;) {
		struct pollfd p[4] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = t->master, .events = POLLIN },
			{ .fd = t->in_open ? 0 : -1, .events = POLLIN },
			{ .fd = ino, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		int r;

		if (end.tv_sec && !h->timed_out) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			wait_ms = (int)((end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000);
			if (wait_ms < 0)
				wait_ms = 0;
		}
		r = poll(p, 4, wait_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0 && end.tv_sec && !h->timed_out) {
			/* --timeout: the whole tree (the init is its pid
			 * namespace's: the others die with it) */
			struct sk_error e;

			h->timed_out = true;
			wait_ms = -1;
			sk_exit_cause_mark_kill(state_dirfd, SIGKILL, "timeout");
			syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
			if (s->has_cgroup)
				sk_cgroup_signal_all(&s->cgroup, SIGKILL, &e);
			continue;
		}
		if (p[3].revents & POLLIN)
			read_ooms(s, ino);
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!sk_copy_chunk(t->master, 1)) {
				close(t->master);
				t->master = -1;
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!sk_copy_chunk(0, t->master))
				t->in_open = false;
		}
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sigfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH) {
			tty_resize(t);
		} else if (si.ssi_signo != SIGCHLD) {
			syscall(SYS_pidfd_send_signal, s->pidfd, si.ssi_signo, NULL, 0);
			continue;
		}
		/* SIGCHLD: only the init is our child. */
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			break;
	}
	if (ino >= 0) {
		read_ooms(s, ino);
		close(ino);
	}
	/* Drain what the container wrote last. */
	while (t->master >= 0 && poll(&(struct pollfd){ .fd = t->master, .events = POLLIN }, 1, 0) > 0 &&
	       sk_copy_chunk(t->master, 1))
		;
	s->pid = 0;
	*wstatus = status;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
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

int sk_cmd_run(int argc, char **argv)
{
	struct sk_create_opts o = { 0 };
	bool keep = false;
	const struct sk_opt opts[] = {
		{ "bundle", 'b', SK_OPT_STRING, &o.bundle },
		{ "pid-file", 0, SK_OPT_STRING, &o.pid_file },
		{ "console-socket", 0, SK_OPT_STRING, &o.console_socket },
		{ "pidfd-socket", 0, SK_OPT_STRING, &o.pidfd_socket },
		{ "no-pivot", 0, SK_OPT_FLAG, &o.no_pivot },
		{ "preserve-fds", 0, SK_OPT_UINT, &o.preserve_fds },
		{ "detach", 'd', SK_OPT_FLAG, &o.detach },
		{ "keep", 0, SK_OPT_FLAG, &keep },
		{ "no-new-keyring", 0, SK_OPT_FLAG, &(bool){ 0 } },
		{ NULL, 0, 0, NULL },
	};
	struct sk_error err = { 0 };
	char *pos[1];

	if (sk_parse_opts(argc, argv, opts, pos, 1, &err) != 1) {
		sk_log_error("%s", err.msg[0] ? err.msg : "run: a container id is required");
		return 1;
	}
	return sk_run(pos[0], &o, keep, NULL);
}

int sk_run(const char *id, const struct sk_create_opts *opts, bool keep, struct sk_run_hooks *h)
{
	struct sk_create_opts o = *opts;
	struct sk_spawn s = { .mode = SK_SPAWN_RUN };
	struct tty_proxy t = { .master = -1 };
	struct sk_error err = { 0 };
	struct sk_container c;
	sigset_t all, old;
	int sigfd = -1, status = 1, nfd, wstatus = -1;

	/* Signals wait in a signalfd from before the clone, so none is lost;
	 * the init unblocks them right before execve. */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGABRT);
	if (!o.detach) {
		sigprocmask(SIG_BLOCK, &all, &old);
		sigfd = signalfd(-1, &all, SFD_CLOEXEC);
	}
	if (sk_lifecycle_create(id, &o, &c, &s, &err) < 0) {
		sk_log_error("%s", err.msg);
		return 1;
	}
	t.master = s.tty_master;
	s.tty_master = -1;
	t.in_open = t.master >= 0;
	if (t.master >= 0) {
		tty_raw(&t);
		tty_resize(&t);
	}
	/* NOTIFY_SOCKET: listen before the process can say READY */
	nfd = sk_notify_host_socket() ? sk_notify_bind(c.dirfd, c.id, &err) : -2;
	if (nfd == -1) {
		sk_log_error("%s", err.msg);
		goto destroy;
	}
	if (sk_spawn_start(&s, &err) < 0) {
		sk_log_error("%s", err.msg);
		goto destroy;
	}
	sk_log_debug("container %s: started, pid %d", c.id, (int)s.pid);
	sk_fault("run-started");
	if (sk_lifecycle_poststart(&c, &err) < 0) {
		sk_log_error("%s", err.msg);
		goto destroy;
	}
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
	status = supervise(&s, sigfd, &t, &wstatus, h, c.dirfd);
	sk_container_relock(&c);
	sk_fault("run-exited");
	report_exit(&c, &s, wstatus);
	if (h && h->stopped)
		h->stopped(&c, &s, wstatus, h->arg);
	if (h && h->timed_out)
		status = 124;
	if (t.raw)
		tcsetattr(0, TCSANOW, &t.saved);
	if (keep)
		goto out_release;
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
	if (t.master >= 0)
		close(t.master);
	sk_lifecycle_spawn_free(&s);
	sk_container_release(&c);
	return status;
}
