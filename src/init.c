/* The container init: runs in the child of clone3(), inside the new
 * namespaces and the container's cgroup.  In a fixed order:
 *   join namespaces -> root filesystem, pivot_root -> hostname, sysctl ->
 *   terminal -> masked/read-only paths -> cwd, executable lookup ->
 *   rlimits and the other process attributes -> user/groups ->
 *   capabilities -> no_new_privs -> READY to skiff -> wait for start ->
 *   startContainer hooks -> close stray fds -> signal mask -> seccomp ->
 *   execve.
 * The seccomp filter is the last step: after it only execve(2) runs
 * (and capset(2) without no_new_privs, see sk_process_prepare), so a
 * profile that denies what skiff itself needs still starts.  A filter
 * with notify rules is the exception: it is loaded before READY, as in
 * runc's order, because its agent gets the listener during create.
 * Every error before READY goes to skiff, which prints it and removes
 * the container; so a bad user, capability or filter (its flags are
 * probed) fails `create`. */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "netlink.h"
#include "skiff.h"
#include "skiff/rootfs.h"
#include "skiff/seccomp.h"
#include "skiff/util.h"

/* Before READY: errors go to the parent, which prints them. */
__attribute__((noreturn)) static void fail_setup(struct sk_init_args *a, struct sk_error *err)
{
	sk_sync_send(a->sync_fd, SK_SYNC_ERROR, err, -1);
	_exit(1);
}

/* After start nobody listens on the sync socket: the container's stderr
 * is where the error can be seen; the status is 1, as runc's init. */
__attribute__((noreturn)) static void fail_exec(struct sk_error *err)
{
	dprintf(2, "skiff: %s\n", err->msg);
	_exit(1);
}

/* The same, and `start` (waiting on start.ack) gets the error too. */
__attribute__((noreturn)) static void fail_start(struct sk_init_args *a, struct sk_error *err)
{
	if (a->ack_fd >= 0)
		sk_write_all(a->ack_fd, err->msg, strlen(err->msg));
	fail_exec(err);
}

static int join_namespaces(struct sk_init_args *a, struct sk_error *err)
{
	/* The user namespace first: it owns the others. */
	static const enum sk_ns_type order[] = { SK_NS_USER, SK_NS_IPC, SK_NS_UTS, SK_NS_NET,
						 SK_NS_MOUNT, SK_NS_CGROUP, SK_NS_TIME };

	for (size_t i = 0; i < SK_ARRAY_SIZE(order); i++) {
		int fd = a->join_fds[order[i]];

		if (fd < 0)
			continue;
		if (setns(fd, 0) < 0)
			return sk_error_sys(err, "join %s namespace %s", sk_ns_type_name(order[i]),
					    sk_config_ns(a->config, order[i])->path);
		close(fd);
		a->join_fds[order[i]] = -1;
	}
	if (a->join_fds[SK_NS_PID] >= 0)
		close(a->join_fds[SK_NS_PID]);
	if (a->unshare_flags && unshare((int)a->unshare_flags) < 0)
		return sk_error_sys(err, "create namespaces in the joined user namespace");
	return 0;
}

/* The next message from skiff must be `type`; *fd gets its fd or -1 (with
 * fd NULL an fd that came with it is closed). */
static int expect(struct sk_init_args *a, int type, int *fd, struct sk_error *err)
{
	struct sk_sync_msg m;
	int got;

	if (sk_sync_recv(a->sync_fd, &m, &got, err) < 0)
		return -1;
	if (m.type == type && fd) {
		*fd = got;
		return 0;
	}
	if (got >= 0)
		close(got);
	if (m.type == type)
		return 0;
	return sk_error(err, EPROTO, "unexpected message %d from skiff", m.type);
}

/* The network namespace skiff made ahead (lo is up in it), joined as late
 * as can be, for skiff to make it meanwhile: before the first sysfs mount
 * (the rootfs code calls this), else after the mounts, still before any
 * hook.  Nothing to do once joined, or without one. */
static int enter_netns(void *arg, struct sk_error *err)
{
	struct sk_init_args *a = arg;
	int fd, r;

	if (!a->netns_ahead)
		return 0;
	if (expect(a, SK_SYNC_NETNS, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return sk_error(err, EPROTO, "skiff sent no network namespace");
	r = setns(fd, CLONE_NEWNET);
	if (r < 0)
		sk_error_sys(err, "join the network namespace");
	close(fd);
	a->netns_ahead = false;
	return r;
}

/* The bind sources skiff opened for a new user namespace (one message
 * each, in order, before SK_SYNC_GO). */
static int receive_sources(struct sk_init_args *a, int **fds, struct sk_error *err)
{
	const struct sk_config *c = a->config;

	for (size_t i = 0; i < c->n_mounts; i++) {
		if (!sk_mount_source_opened_ahead(c, a->rootfs, i))
			continue;
		if (!*fds) {
			*fds = sk_xcalloc(c->n_mounts, sizeof(int));
			for (size_t j = 0; j < c->n_mounts; j++)
				(*fds)[j] = -1;
		}
		if (expect(a, SK_SYNC_MOUNTSRC, &(*fds)[i], err) < 0)
			return -1;
	}
	return 0;
}

/* Stdio that is the host's /dev/null (conmon gives it for stdin) becomes
 * the container's own, as runc's reOpenDevNull does: checkpointing tools
 * (criu) cannot name a file of a mount outside the container. */
static void reopen_devnull(void)
{
	struct stat st, null;
	int fd = -1;

	for (int i = 0; i < 3; i++) {
		if (fstat(i, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
			continue;
		if (fd < 0) {
			fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0 || fstat(fd, &null) < 0 || !S_ISCHR(null.st_mode) ||
			    null.st_rdev != makedev(1, 3))
				break;
		}
		if (st.st_dev != null.st_dev || st.st_ino != null.st_ino)
			dup3(fd, i, 0);
	}
	if (fd >= 0)
		close(fd);
}

static int set_uts(const struct sk_config *c, struct sk_error *err)
{
	if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
		return sk_error_sys(err, "hostname \"%s\"", c->hostname);
	if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
		return sk_error_sys(err, "domainname \"%s\"", c->domainname);
	return 0;
}

static int set_sysctls(const struct sk_config *c, struct sk_error *err)
{
	for (size_t i = 0; i < c->linux.n_sysctl; i++) {
		const struct sk_kv *kv = &c->linux.sysctl[i];
		_cleanup_free_ char *path = sk_xasprintf("/proc/sys/%s", kv->key);

		_cleanup_free_ char *field = sk_xasprintf("linux.sysctl \"%s\"", kv->key);

		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (sk_proc_write(path, kv->value, field, err) < 0)
			return -1;
	}
	return 0;
}

/* process.cwd is resolved in the new root (after pivot_root): it cannot
 * name anything outside.  A missing cwd is created, as runc does, right
 * after the pivot: before root.readonly and the read-only paths. */
static int make_cwd(const struct sk_process *p, struct sk_error *err)
{
	struct stat st;

	if (stat(p->cwd, &st) == 0 || errno != ENOENT)
		return 0;   /* (enter_cwd reports what is wrong with it) */
	if (sk_mkdir_p(p->cwd, 0755) < 0)
		return sk_error_sys(err, "process.cwd %s", p->cwd);
	return 0;
}

static int enter_cwd(const struct sk_process *p, struct sk_error *err)
{
	if (chdir(p->cwd) < 0)
		return sk_error_sys(err, "process.cwd %s", p->cwd);
	return 0;
}

static int wait_start(struct sk_init_args *a, struct sk_error *err)
{
	char b;
	ssize_t r;

	if (a->fifo_fd < 0)
		return expect(a, SK_SYNC_START, NULL, err);
	do
		r = read(a->fifo_fd, &b, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		return sk_error_sys(err, "wait for start on exec.fifo");
	close(a->fifo_fd);
	return 0;
}

/* With the mounts in place and before pivot_root: skiff runs the prestart
 * and createRuntime hooks in the runtime namespace and sends back the
 * state, then the createContainer hooks run here, in the container's
 * namespaces.  The state is kept for the startContainer hooks. */
static int creation_hooks(struct sk_init_args *a, char **state, struct sk_error *err)
{
	const struct sk_hooks *h = &a->config->hooks;
	size_t cap = 1 << 20;
	ssize_t n;

	if (!h->n[SK_HOOK_PRESTART] && !h->n[SK_HOOK_CREATE_RUNTIME] &&
	    !h->n[SK_HOOK_CREATE_CONTAINER] && !h->n[SK_HOOK_START_CONTAINER])
		return 0;
	if (sk_sync_send(a->sync_fd, SK_SYNC_HOOKS, NULL, -1) < 0)
		return sk_error_sys(err, "ask skiff to run hooks");
	*state = sk_xmalloc(cap);
	do
		n = recv(a->sync_fd, *state, cap - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return sk_error(err, EPIPE, "skiff did not send the state (a hook failed?)");
	(*state)[n] = '\0';
	/* they run in the container's root directory, as runc runs them */
	if (chdir(a->rootfs) < 0)
		return sk_error_sys(err, "hooks.createContainer: chdir to rootfs \"%s\"", a->rootfs);
	return sk_hooks_run(a->config, SK_HOOK_CREATE_CONTAINER, *state, err);
}

/* A seccomp notify listener goes to skiff, which hands it to the agent
 * at linux.seccomp.listenerPath. */
static int send_listener(int fd, void *arg, struct sk_error *err)
{
	struct sk_init_args *a = arg;

	if (sk_sync_send(a->sync_fd, SK_SYNC_SECCOMP, NULL, fd) < 0)
		return sk_error_sys(err, "send the seccomp listener");
	return 0;
}

/* execve wants NULL-terminated vectors; the model has counted arrays. */
static char **strv(char **v, size_t n)
{
	char **out = sk_xcalloc(n + 1, sizeof(char *));

	if (n)
		memcpy(out, v, n * sizeof(char *));
	return out;
}

static int cmp_int(const void *x, const void *y)
{
	return *(const int *)x - *(const int *)y;
}

/* The clone copied every fd of skiff: the state dir lock among them, which
 * must go away with the `create` process.  Keep only what the init uses. */
static void close_inherited(struct sk_init_args *a)
{
	size_t n_mounts = a->idmap_fds ? a->config->n_mounts : 0;
	_cleanup_free_ int *keep = sk_xcalloc(SK_NS_TYPES + 4 + n_mounts, sizeof(int));
	int n = 0, from = 3 + (int)a->preserve_fds;

	for (size_t i = 0; i < n_mounts; i++)
		if (a->idmap_fds[i] >= 0)
			keep[n++] = a->idmap_fds[i];
	keep[n++] = a->sync_fd;
	if (a->fifo_fd >= 0)
		keep[n++] = a->fifo_fd;
	if (a->ack_fd >= 0)
		keep[n++] = a->ack_fd;
	for (int t = 0; t < SK_NS_TYPES; t++)
		if (a->join_fds[t] >= 0)
			keep[n++] = a->join_fds[t];
	qsort(keep, (size_t)n, sizeof(int), cmp_int);
	for (int i = 0; i < n; i++) {
		if (keep[i] > from)
			syscall(SYS_close_range, from, keep[i] - 1, 0);
		if (keep[i] + 1 > from)
			from = keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
}

void sk_init_run(struct sk_init_args *a)
{
	const struct sk_config *c = a->config;
	const struct sk_process *p = &c->process;
	struct sk_rootfs r = { .config = c, .rootfs = a->rootfs, .bundle = a->bundle,
			       .no_pivot = a->no_pivot,
			       .shared_mntns = !sk_config_ns(c, SK_NS_MOUNT) };
	struct sk_error err = { 0 };
	_cleanup_free_ char *exe = NULL, *state = NULL;
	_cleanup_free_ int *src_fds = NULL;
	struct sk_late_seccomp late;
	char **argv, **envp;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close_inherited(a);
	sk_signals_reset_ignored();
	r.userns = a->userns || a->join_fds[SK_NS_USER] >= 0;
	r.idmap_fds = a->idmap_fds;
	if (a->userns && receive_sources(a, &src_fds, &err) < 0)
		fail_setup(a, &err);
	r.src_fds = src_fds;
	if ((a->userns || a->wait_go) && expect(a, SK_SYNC_GO, NULL, &err) < 0)
		fail_setup(a, &err);
	if (join_namespaces(a, &err) < 0)
		fail_setup(a, &err);
	/* root of the user namespace; where root is not mapped (the caller's
	 * own id mapped to itself, as skiff sandbox and bwrap --unshare-user
	 * do: EINVAL) the creator's capabilities in it are kept as they are */
	if (r.userns && ((setresgid(0, 0, 0) < 0 && errno != EINVAL) ||
			 (setresuid(0, 0, 0) < 0 && errno != EINVAL))) {
		sk_error_sys(&err, "become root in the user namespace");
		fail_setup(a, &err);
	}
	if (a->cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		sk_error_sys(&err, "unshare cgroup namespace");
		fail_setup(a, &err);
	}
	/* a new network namespace of its own: lo up, before any hook runs */
	if (!a->netns_ahead && sk_config_ns(c, SK_NS_NET) && !sk_config_ns(c, SK_NS_NET)->path &&
	    sk_netdev_lo_up(&err) < 0)
		fail_setup(a, &err);
	if (a->netns_ahead) {
		r.enter_netns = enter_netns;
		r.netns_arg = a;
	}
	if ((!r.userns && sk_process_set_oom_score_adj(p, &err) < 0) ||
	    sk_rootfs_prepare(&r, &err) < 0 ||
	    enter_netns(a, &err) < 0 ||
	    creation_hooks(a, &state, &err) < 0 ||
	    sk_rootfs_pivot(&r, &err) < 0 ||
	    make_cwd(p, &err) < 0 ||
	    set_uts(c, &err) < 0 ||
	    set_sysctls(c, &err) < 0)
		fail_setup(a, &err);
	if (a->tty) {
		int master = sk_terminal_setup(p, &err);

		if (master < 0)
			fail_setup(a, &err);
		if (sk_sync_send(a->sync_fd, SK_SYNC_TTY, NULL, master) < 0) {
			sk_error_sys(&err, "send terminal");
			fail_setup(a, &err);
		}
		close(master);
	} else {
		/* a session of its own, as runc's init (nsexec: setsid):
		 * criu refuses to dump a container whose session leader is
		 * outside its pid namespace */
		setsid();
		reopen_devnull();
	}
	if (sk_rootfs_finish(&r, &err) < 0 ||
	    enter_cwd(p, &err) < 0 ||
	    sk_process_resolve_exec(p, &exe, &err) < 0 ||
	    sk_process_set_rlimits(p, &err) < 0 ||
	    sk_process_set_extra(c, &err) < 0)
		fail_setup(a, &err);
	envp = sk_process_envp(p);
	if (sk_process_prepare(p, a->seccomp, send_listener, a, &late, &err) < 0)
		fail_setup(a, &err);

	/* From READY on, skiff may exit: the container lives on its own, so
	 * the parent-death signal must be off before skiff can see READY. */
	prctl(PR_SET_PDEATHSIG, 0);
	if (sk_sync_send(a->sync_fd, SK_SYNC_READY, NULL, -1) < 0)
		_exit(1);
	if (wait_start(a, &err) < 0)
		fail_exec(&err);
	close(a->sync_fd);
	if (c->hooks.n[SK_HOOK_START_CONTAINER] &&
	    sk_hooks_run(c, SK_HOOK_START_CONTAINER, state, &err) < 0)
		fail_start(a, &err);
	if (sk_process_close_fds(a->preserve_fds, &err) < 0)
		fail_start(a, &err);
	argv = strv(p->args, p->n_args);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sk_process_load_late(&late, &err) < 0)
		fail_exec(&err);
	execve(exe, argv, envp);
	/* runc's text: "exec /run.sh: no such file or directory" */
	sk_error_sys(&err, "exec %s", exe);
	fail_exec(&err);
}
