/* Starting a process in a running container, and supervising it in the
 * foreground.
 *
 * skiff joins the container's pid (and time) namespace for its children
 * with setns() on the init's pidfd, then one clone3() with CLONE_PIDFD and
 * CLONE_INTO_CGROUP puts the child straight into the container's cgroup
 * and pid namespace, as a child of skiff (so skiff can wait for it, and
 * its host pid is known for --pid-file).  The child joins every other
 * namespace with a second setns() on the same pidfd (one atomic call for
 * user, mount, network, ipc, uts and cgroup), then takes the container's
 * process attributes in the init's order and execs.  Its end of the sync
 * socket is close-on-exec: EOF there means execve happened. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec.h"
#include "skiff/util.h"

#define EXEC_SETUP_TIMEOUT_MS (60 * 1000)

static const struct { const char *name; int flag; } ns_files[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "net", CLONE_NEWNET },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP },
	{ "pid", CLONE_NEWPID }, { "time", CLONE_NEWTIME },
};

/* The namespaces of the init that differ from ours: joining one's own
 * user namespace is an error (EINVAL), so only those are joined. */
static int ns_to_join(pid_t pid, int *flags, struct sk_error *err)
{
	*flags = 0;
	for (size_t i = 0; i < SK_ARRAY_SIZE(ns_files); i++) {
		char path[64], self[64];
		struct stat a, b;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_files[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_files[i].name);
		if (stat(path, &a) < 0) {
			if (errno == ENOENT && ns_files[i].flag == CLONE_NEWTIME)
				continue;   /* kernel without time namespaces */
			return sk_error_sys(err, "namespace %s of the container's init", ns_files[i].name);
		}
		if (stat(self, &b) < 0)
			return sk_error_sys(err, "stat %s", self);
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			*flags |= ns_files[i].flag;
	}
	return 0;
}

/* ---- the child ---- */

__attribute__((noreturn)) static void child_fail(int sync, struct sk_error *err)
{
	sk_sync_send(sync, SK_SYNC_ERROR, err, -1);
	_exit(127);
}

/* A pty from the container's devpts (/dev/ptmx after joining its mount
 * namespace): the slave becomes the controlling terminal and stdio, the
 * master goes to skiff.  Unlike the init's, /dev/console is left alone. */
static int exec_terminal(const struct sk_process *p, int sync, struct sk_error *err)
{
	int slave, num, master = sk_pty_open(p, &slave, &num, err);

	if (master < 0)
		return -1;
	if (sk_pty_take(slave, err) < 0)
		goto fail;
	if (sk_sync_send(sync, SK_SYNC_TTY, NULL, master) < 0) {
		sk_error_sys(err, "process.terminal: send the pty master");
		goto fail;
	}
	close(master);
	return 0;
fail:
	close(master);
	return -1;
}

__attribute__((noreturn)) static void exec_child(struct sk_exec *e, int sync, int flags)
{
	const struct sk_process *p = e->process;
	struct sk_config cfg = *e->config;      /* the container's, with our process */
	struct sk_error err = { 0 };
	struct sk_late_seccomp late = { 0 };
	char *exe = NULL, **envp;
	sigset_t none;
	int from = 3 + (int)e->preserve_fds;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	cfg.process = *p;
	if (e->cgroup && sk_cgroup_needs_attach(e->cgroup)) {
		/* skiff writes our pid into the v1 hierarchies first */
		if (sk_sync_expect(sync, SK_SYNC_GO, NULL, &err) < 0)
			_exit(127);
	}
	sk_signals_reset_ignored();     /* before the host's /proc is gone */
	if (flags && setns(e->init_pidfd, flags) < 0) {
		sk_error_sys(&err, "join the namespaces of container \"%s\"", e->id);
		child_fail(sync, &err);
	}
	/* Keep stdio, the preserved fds and the sync socket (above them). */
	if (sync > from)
		syscall(SYS_close_range, from, sync - 1, 0);
	syscall(SYS_close_range, sync + 1, ~0U, 0);
	if (!sk_config_ns(e->config, SK_NS_MOUNT)) {
		/* skiff's own mount namespace: the init's root is a chroot */
		char root[64];

		snprintf(root, sizeof(root), "/proc/%d/root", (int)e->init_pid);
		if (chroot(root) < 0 || chdir("/") < 0) {
			sk_error_sys(&err, "chroot to the root of container \"%s\"", e->id);
			child_fail(sync, &err);
		}
	}
	if (p->has_oom_score_adj && sk_process_set_oom_score_adj(p, &err) < 0)
		child_fail(sync, &err);
	if (p->terminal && exec_terminal(p, sync, &err) < 0)
		child_fail(sync, &err);
	if (chdir(p->cwd) < 0) {
		sk_error_sys(&err, "process.cwd %s", p->cwd);
		child_fail(sync, &err);
	}
	if (sk_process_resolve_exec(p, &exe, &err) < 0)
		child_fail(sync, &err);
	envp = sk_process_envp(p);
	if (sk_process_set_rlimits(p, &err) < 0 ||
	    sk_process_set_extra(&cfg, &err) < 0 ||
	    sk_process_prepare(p, &e->seccomp, sk_sync_send_listener, &sync, &late, &err) < 0 ||
	    sk_process_close_fds(e->preserve_fds, &err) < 0)
		child_fail(sync, &err);
	prctl(PR_SET_PDEATHSIG, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The filter goes on last: only execve runs under it. */
	if (sk_process_load_late(&late, &err) < 0)
		child_fail(sync, &err);
	execve(exe, sk_strv_copy(p->args, p->n_args, 0), envp);
	/* runc's text: "exec /run.sh: no such file or directory" */
	sk_error_sys(&err, "exec %s", exe);
	sk_sync_send(sync, SK_SYNC_EXEC_FAILED, &err, -1);
	_exit(1);
}

/* ---- the parent ---- */

static int on_exec_failed(struct sk_sync_peer *p, const struct sk_sync_msg *m, int *fd,
			  struct sk_error *err)
{
	((struct sk_exec *)p->arg)->exec_failed = true;
	return sk_sync_on_error(p, m, fd, err);
}

/* Messages from the child until its end of the socket closes at execve. */
static int wait_exec(struct sk_exec *e, int sync, struct sk_error *err)
{
	struct sk_sync_peer p = {
		.who = "the exec process", .timeout_ms = EXEC_SETUP_TIMEOUT_MS,
		.timeout_text = "the exec process did not start in %d s", .eof_done = true,
		.on = { [SK_SYNC_EXEC_FAILED] = on_exec_failed, [SK_SYNC_ERROR] = sk_sync_on_error,
			[SK_SYNC_TTY] = sk_sync_on_tty, [SK_SYNC_SECCOMP] = sk_sync_on_seccomp },
		.arg = e, .console_socket = e->console_socket, .tty_master = &e->tty_master,
		.seccomp = &e->config->linux.seccomp, .status = SK_STATUS_RUNNING,
		.state = { .id = (char *)e->id, .pid = e->pid, .bundle = "" },
	};

	return sk_sync_wait(sync, &p, err);
}

int sk_exec_start(struct sk_exec *e, struct sk_error *err)
{
	struct clone_args ca = { .exit_signal = SIGCHLD };
	int sv[2] = { -1, -1 }, flags, hi;
	long pid;

	e->pid = 0;
	e->pidfd = e->tty_master = -1;
	if (ns_to_join(e->init_pid, &flags, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return sk_error_sys(err, "socketpair");
	/* The child's end must not land among the preserved fds. */
	hi = fcntl(sv[1], F_DUPFD_CLOEXEC, 3 + (int)e->preserve_fds);
	if (hi < 0) {
		sk_error_sys(err, "dup sync socket");
		goto fail;
	}
	close(sv[1]);
	sv[1] = hi;
	/* pid and time namespaces apply to children: join them here. */
	if ((flags & (CLONE_NEWPID | CLONE_NEWTIME)) &&
	    setns(e->init_pidfd, flags & (CLONE_NEWPID | CLONE_NEWTIME)) < 0) {
		sk_error_sys(err, "join the pid namespace of container \"%s\"", e->id);
		goto fail;
	}
	ca.flags = CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)&e->pidfd;
	if (e->cgroup_fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)e->cgroup_fd;
	}
	/* The lock goes now, not after the child is set up: the child would
	 * hold it too, and in a paused container it waits frozen until
	 * `resume`, which needs the lock.  A delete racing us makes clone3
	 * (the cgroup is gone) or the setns fail cleanly. */
	if (e->lockfd >= 0)
		close(e->lockfd), e->lockfd = -1;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0) {
		sk_error_sys(err, "clone3 into the container's cgroup");
		goto fail;
	}
	if (pid == 0) {
		close(sv[0]);
		exec_child(e, sv[1], flags & ~(CLONE_NEWPID | CLONE_NEWTIME));
	}
	e->pid = (pid_t)pid;
	sk_fault("exec-cloned");
	close(sv[1]);
	sv[1] = -1;
	if (e->cgroup && sk_cgroup_needs_attach(e->cgroup)) {
		if (sk_cgroup_attach(e->cgroup, e->pid, err) < 0) {
			sk_error_ctx(err, "join the cgroup of container \"%s\"", e->id);
			goto fail_child;
		}
		if (sk_sync_send(sv[0], SK_SYNC_GO, NULL, -1) < 0) {
			sk_error_sys(err, "resume the exec process");
			goto fail_child;
		}
	}
	if (wait_exec(e, sv[0], err) < 0)
		goto fail_child;
	close(sv[0]);
	if (e->pidfd_socket &&
	    sk_send_fd_to_socket("--pidfd-socket", e->pidfd_socket, e->pidfd, "pidfd", err) < 0) {
		sv[0] = -1;
		goto fail_child;
	}
	return 0;
fail_child:
	sk_kill_reap(e->pid, e->pidfd);
	close(e->pidfd);
	e->pidfd = -1;
	e->pid = 0;
	if (e->tty_master >= 0)
		close(e->tty_master), e->tty_master = -1;
fail:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return -1;
}
