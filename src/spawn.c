/* The parent side of creating a container: cgroup, one clone3() with the
 * namespaces, CLONE_INTO_CGROUP and CLONE_PIDFD, then the sync protocol
 * with the init until it reports ready. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netlink.h"
#include "skiff.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"

#define SETUP_TIMEOUT_MS (120 * 1000)

static const int ns_flags[SK_NS_TYPES] = {
	[SK_NS_PID] = CLONE_NEWPID, [SK_NS_NET] = CLONE_NEWNET, [SK_NS_MOUNT] = CLONE_NEWNS,
	[SK_NS_IPC] = CLONE_NEWIPC, [SK_NS_UTS] = CLONE_NEWUTS, [SK_NS_USER] = CLONE_NEWUSER,
	[SK_NS_CGROUP] = CLONE_NEWCGROUP, [SK_NS_TIME] = CLONE_NEWTIME,
};

static int resolve_rootfs(struct sk_spawn *s, struct sk_error *err)
{
	const char *p = s->config->root_path ? s->config->root_path : "rootfs";
	_cleanup_free_ char *joined = p[0] == '/' ? sk_xstrdup(p) : sk_xasprintf("%s/%s", s->bundle, p);
	struct stat st;

	s->rootfs = realpath(joined, NULL);
	if (!s->rootfs)
		return sk_error_sys(err, "root.path %s", p);
	if (stat(s->rootfs, &st) < 0)
		return sk_error_sys(err, "root.path %s", p);
	if (!S_ISDIR(st.st_mode))
		return sk_error(err, ENOTDIR, "root.path %s: not a directory", p);
	return 0;
}

/* Open namespaces joined by path and check their type. */
static int open_join_fds(const struct sk_config *c, int fds[SK_NS_TYPES], struct sk_error *err)
{
	for (size_t i = 0; i < c->linux.n_namespaces; i++) {
		const struct sk_namespace *ns = &c->linux.namespaces[i];
		int fd, type;

		if (!ns->path)
			continue;
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return sk_error_sys(err, "linux.namespaces[%zu]: %s namespace path %s", i,
					    sk_ns_type_name(ns->type), ns->path);
		fds[ns->type] = fd;
		type = ioctl(fd, NS_GET_NSTYPE);
		if (type < 0)
			return sk_error(err, EINVAL, "linux.namespaces[%zu]: %s is not a namespace", i, ns->path);
		if (type != ns_flags[ns->type])
			return sk_error(err, EINVAL, "linux.namespaces[%zu]: %s is not a %s namespace", i,
					ns->path, sk_ns_type_name(ns->type));
	}
	return 0;
}

static int write_id_maps(struct sk_spawn *s, struct sk_error *err)
{
	bool denied;

	return sk_userns_write_maps(s->pid, &s->config->linux, &denied, err);
}

/* Time namespace offsets are set on a namespace nobody has entered yet:
 * unshare it for our children, write the offsets, then clone. */
static int setup_timens(const struct sk_config *c, struct sk_error *err)
{
	char buf[128];
	int n = 0;

	if (unshare(CLONE_NEWTIME) < 0)
		return sk_error_sys(err, "unshare time namespace");
	if (c->linux.time_monotonic.present)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "monotonic %lld %u\n",
			      (long long)c->linux.time_monotonic.secs, c->linux.time_monotonic.nanosecs);
	if (c->linux.time_boottime.present)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "boottime %lld %u\n",
			      (long long)c->linux.time_boottime.secs, c->linux.time_boottime.nanosecs);
	if (n && sk_write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf, (size_t)n, err) < 0)
		return sk_error_ctx(err, "linux.timeOffsets");
	return 0;
}

/* Back to skiff's own pid and time namespaces for its next children. */
static void restore_own_ns(int own_ns[2])
{
	static const int types[2] = { CLONE_NEWPID, CLONE_NEWTIME };

	for (int i = 0; i < 2; i++) {
		if (own_ns[i] < 0)
			continue;
		if (setns(own_ns[i], types[i]) < 0)
			sk_log_warn("return to skiff's own %s namespace: %s",
				    i ? "time" : "pid", sk_strerror(errno));
		close(own_ns[i]);
		own_ns[i] = -1;
	}
}

/* A new user namespace: the bind sources, opened by a child of skiff in
 * the init's mount namespace (with the host's privileges, before the id
 * maps let the init go on), sent to the init in order. */
static int send_mount_sources(struct sk_spawn *s, struct sk_error *err)
{
	const struct sk_config *c = s->config;
	int status;
	pid_t pid;
	size_t n = 0;

	for (size_t i = 0; i < c->n_mounts; i++)
		n += sk_mount_source_opened_ahead(c, s->rootfs, i);
	if (!n)
		return 0;
	pid = fork();
	if (pid < 0)
		return sk_error_sys(err, "fork to open the mount sources");
	if (pid == 0) {
		/* a rootless skiff cannot join the namespace (and has no
		 * more rights than the init): the init tries every path */
		bool joined = setns(s->pidfd, CLONE_NEWNS) == 0;

		for (size_t i = 0; i < c->n_mounts; i++) {
			int fd;

			if (!sk_mount_source_opened_ahead(c, s->rootfs, i))
				continue;
			/* not there (yet): the init tries the path */
			fd = joined ? open(c->mounts[i].source, O_PATH | O_CLOEXEC) : -1;
			if (sk_sync_send(s->sync_fd, SK_SYNC_MOUNTSRC, NULL, fd) < 0)
				_exit(1);
			if (fd >= 0)
				close(fd);
		}
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return sk_error_sys(err, "wait for the mount sources");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return sk_error(err, EIO, "open the mount sources in the container's mount namespace");
	return 0;
}

/* The container's cgroup, recorded before it is made (intent: where it
 * will be, and whether it will be ours), and again once made when the
 * outcome differs: `delete` finds it whenever skiff dies (docs/state.md).
 * create and restore; `what` names their fault points. */
int sk_cgroup_create_recorded(const struct sk_config *config, const char *id, int dirfd,
			      const char *what, struct sk_cgroup *cg, bool *made,
			      struct sk_error *err)
{
	struct sk_cgroup_rec plan = { 0 }, done;
	struct sk_error e = { 0 };
	bool exists = false, planned;
	char point[64];
	int r = -1;

	*made = false;
	planned = sk_cgroup_plan(config, id, &plan.dir, &plan.path, &exists, &e) == 0;
	plan.owned = !exists;
	plan.unit = sk_cgroup_plan_unit(config, id);
	/* when no plan could be made, create fails the same way */
	if (planned && sk_cgroup_rec_write(dirfd, &plan, false, err) < 0) {
		sk_state_dir_error(id, err);
		goto out;
	}
	snprintf(point, sizeof(point), "%s-cgroup-intent", what);
	sk_fault(point);
	if (sk_cgroup_create(config, id, cg, err) < 0)
		goto out;
	*made = true;
	snprintf(point, sizeof(point), "%s-cgroup-made", what);
	sk_fault(point);
	done = (struct sk_cgroup_rec){ .owned = cg->owned, .dir = cg->dir, .path = cg->path };
	/* which v1 hierarchies are ours, when not all or none; and a leading
	 * "/" for an absolute cgroupsPath (sk_cgroup_v1_owned) */
	done.owned_v1 = sk_cgroup_owned_v1(cg);
	if (done.owned_v1 && done.owned_v1[0] != '/' && sk_cgroup_owned_uniform(cg)) {
		free(done.owned_v1);
		done.owned_v1 = NULL;
	}
	done.unit = cg->unit;
	r = 0;
	if (!planned || done.owned != plan.owned || done.owned_v1 || strcmp(done.dir, plan.dir))
		if ((r = sk_cgroup_rec_write(dirfd, &done, planned, err)) < 0)
			sk_state_dir_error(id, err);
	free(done.owned_v1);
out:
	sk_cgroup_rec_free(&plan);
	return r;
}

/* The init exited while skiff sent it something: the error it sent
 * before says why, better than the broken pipe. */
static void init_error_instead(struct sk_spawn *s, struct sk_error *err)
{
	struct pollfd pfd = { .fd = s->sync_fd, .events = POLLIN };
	struct sk_error e = { 0 };
	struct sk_sync_msg m;
	int fd;

	if (poll(&pfd, 1, 1000) <= 0 || sk_sync_recv(s->sync_fd, &m, &fd, &e) < 0)
		return;
	if (fd >= 0)
		close(fd);
	if (m.type == SK_SYNC_ERROR)
		sk_error(err, m.errnum, "%s", m.msg);
}

static int wait_ready(struct sk_spawn *s, bool net_done, struct sk_error *err)
{
	struct sk_sync_msg m;
	int fd;

	for (;;) {
		struct pollfd pfd = { .fd = s->sync_fd, .events = POLLIN };
		int r = poll(&pfd, 1, SETUP_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return sk_error_sys(err, "wait for container init");
		if (r == 0)
			return sk_error(err, ETIMEDOUT, "container init did not finish its setup in %d s",
					SETUP_TIMEOUT_MS / 1000);
		if (sk_sync_recv(s->sync_fd, &m, &fd, err) < 0)
			return -1;
		/* linux.netDevices: once the init is in its network
		 * namespace (it unshares it itself after joining a user
		 * namespace), before any hook runs */
		if (!net_done && (m.type == SK_SYNC_READY || m.type == SK_SYNC_HOOKS)) {
			net_done = true;
			if (sk_netdev_setup(s->config, s->pid, -1, err) < 0) {
				if (fd >= 0)
					close(fd);
				return -1;
			}
		}
		switch (m.type) {
		case SK_SYNC_READY:
			return 0;
		case SK_SYNC_ERROR:
			return sk_error(err, m.errnum, "%s", m.msg);
		case SK_SYNC_SECCOMP: {
			struct sk_state st = { .id = (char *)s->id, .pid = s->pid,
					       .bundle = (char *)s->bundle };
			_cleanup_free_ char *json = sk_state_oci_json(&st, "creating", false);
			int r2;

			if (fd < 0)
				return sk_error(err, EPROTO, "container init sent no seccomp listener");
			r2 = sk_seccomp_send_state(&s->config->linux.seccomp, fd, json, err);
			close(fd);
			if (r2 < 0)
				return -1;
			break;
		}
		case SK_SYNC_HOOKS: {
			struct sk_state st = { .id = (char *)s->id, .pid = s->pid,
					       .bundle = (char *)s->bundle,
					       .annotations = s->config->annotations,
					       .n_annotations = s->config->n_annotations };
			_cleanup_free_ char *json = sk_state_oci_json(&st, "creating", false);

			if (fd >= 0)
				close(fd);
			if (sk_hooks_run(s->config, SK_HOOK_PRESTART, json, err) < 0 ||
			    sk_hooks_run(s->config, SK_HOOK_CREATE_RUNTIME, json, err) < 0)
				return -1;
			if (sk_send_fd(s->sync_fd, -1, json, strlen(json) + 1) < 0)
				return sk_error_sys(err, "send state to container init");
			break;
		}
		case SK_SYNC_TTY:
			if (fd < 0)
				return sk_error(err, EPROTO, "container init sent no terminal");
			if (s->console_socket) {
				int r2 = sk_terminal_send(s->console_socket, fd, err);

				close(fd);
				if (r2 < 0)
					return -1;
			} else {
				s->tty_master = fd;
			}
			break;
		default:
			if (fd >= 0)
				close(fd);
			return sk_error(err, EPROTO, "unexpected message %d from container init", m.type);
		}
	}
}

int sk_spawn_container(struct sk_spawn *s, struct sk_error *err)
{
	const struct sk_config *c = s->config;
	struct sk_init_args a = { .config = c, .bundle = s->bundle, .fifo_fd = -1, .ack_fd = -1,
				  .preserve_fds = s->preserve_fds, .no_pivot = s->no_pivot,
				  .tty = c->process.terminal, .seccomp = &s->seccomp };
	struct clone_args ca = { .exit_signal = SIGCHLD };
	int sv[2] = { -1, -1 }, own_ns[2] = { -1, -1 };
	uint64_t flags = 0;
	bool net_early;
	long pid;

	s->pid = 0;
	s->pidfd = s->sync_fd = s->tty_master = -1;
	s->cgroup.dirfd = -1;
	for (int t = 0; t < SK_NS_TYPES; t++)
		a.join_fds[t] = -1;

	a.netns_ahead = s->netns.started;
	if (resolve_rootfs(s, err) < 0)
		goto fail;
	a.rootfs = s->rootfs;
	if (open_join_fds(c, a.join_fds, err) < 0)
		goto fail;
	for (size_t i = 0; i < c->n_mounts && !a.idmap_fds; i++)
		if (sk_mount_is_idmapped(&c->mounts[i])) {
			a.idmap_fds = sk_xcalloc(c->n_mounts, sizeof(int));
			if (sk_idmap_open_mounts(c, s->bundle, a.idmap_fds, err) < 0)
				goto fail;
		}
	for (size_t i = 0; i < c->linux.n_namespaces; i++) {
		const struct sk_namespace *ns = &c->linux.namespaces[i];

		if (!ns->path && ns->type != SK_NS_CGROUP && ns->type != SK_NS_TIME &&
		    !(ns->type == SK_NS_NET && a.netns_ahead))
			flags |= (uint64_t)ns_flags[ns->type];
		if (!ns->path && ns->type == SK_NS_CGROUP)
			a.cgroupns = true;
		if (!ns->path && ns->type == SK_NS_USER)
			a.userns = true;
	}
	if (a.join_fds[SK_NS_USER] >= 0) {
		/* new namespaces must belong to the joined user namespace:
		 * the init makes them after joining it */
		a.unshare_flags = flags & ~(uint64_t)CLONE_NEWPID;
		flags &= (uint64_t)CLONE_NEWPID;
	}

	if (!sk_g.cgroups_disabled) {
		int r = sk_cgroup_create_recorded(s->config, s->id, s->state_dirfd, "create",
						  &s->cgroup, &s->has_cgroup, err);

		if (r < 0)
			goto fail;
		if (s->cgroup.dirfd >= 0) {
			flags |= CLONE_INTO_CGROUP;
			ca.cgroup = (uint64_t)s->cgroup.dirfd;
		}
		a.wait_go = sk_cgroup_needs_attach(&s->cgroup);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		sk_error_sys(err, "socketpair");
		goto fail;
	}
	/* the thread sends the network namespace as soon as it is made; the
	 * init reads it before its first sysfs mount, after any GO */
	if (a.netns_ahead && !a.wait_go)
		sk_netns_ahead_send_on(&s->netns, sv[0]);
	if (s->mode == SK_SPAWN_CREATE) {
		if (mkfifoat(s->state_dirfd, "exec.fifo", 0600) < 0) {
			sk_error_sys(err, "create exec.fifo");
			sk_state_dir_error(s->id, err);
			goto fail;
		}
		/* O_RDWR never blocks and keeps a writer: the init's read()
		 * waits until `start` writes a byte. */
		a.fifo_fd = openat(s->state_dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
		if (a.fifo_fd < 0) {
			sk_error_sys(err, "open exec.fifo");
			sk_state_dir_error(s->id, err);
			goto fail;
		}
		/* startContainer hooks run after `start` released the init:
		 * it reports their failure on start.ack, whose last writer
		 * goes away at execve (close-on-exec) when all went well */
		if (c->hooks.n[SK_HOOK_START_CONTAINER] &&
		    (mkfifoat(s->state_dirfd, "start.ack", 0600) < 0 ||
		     (a.ack_fd = openat(s->state_dirfd, "start.ack", O_RDWR | O_CLOEXEC)) < 0)) {
			sk_error_sys(err, "create start.ack");
			sk_state_dir_error(s->id, err);
			goto fail;
		}
		if (a.ack_fd >= 0 && a.ack_fd < 3 + (int)s->preserve_fds) {
			/* above the fds the container is given */
			int hi = fcntl(a.ack_fd, F_DUPFD_CLOEXEC, 3 + (int)s->preserve_fds);

			close(a.ack_fd);
			a.ack_fd = hi;
			if (hi < 0) {
				sk_error_sys(err, "start.ack");
				goto fail;
			}
		}
	}
	/* joining a pid namespace and making a time namespace change skiff's
	 * namespaces for its children: remember its own to go back after
	 * clone3 (hooks run later must be in the runtime namespaces) */
	if (a.join_fds[SK_NS_PID] >= 0)
		own_ns[0] = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (sk_config_ns(c, SK_NS_TIME) && !sk_config_ns(c, SK_NS_TIME)->path)
		own_ns[1] = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
	if (a.join_fds[SK_NS_PID] >= 0 && setns(a.join_fds[SK_NS_PID], CLONE_NEWPID) < 0) {
		sk_error_sys(err, "join pid namespace %s", sk_config_ns(c, SK_NS_PID)->path);
		goto fail;
	}
	if (sk_config_ns(c, SK_NS_TIME) && !sk_config_ns(c, SK_NS_TIME)->path &&
	    setup_timens(c, err) < 0)
		goto fail;

	ca.flags = flags | CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)&s->pidfd;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid != 0)
		restore_own_ns(own_ns);
	if (pid < 0) {
		sk_error_sys(err, "clone3");
		goto fail;
	}
	if (pid == 0) {
		close(sv[0]);
		a.sync_fd = sv[1];
		sk_init_run(&a);
	}
	s->pid = (pid_t)pid;
	sk_log_debug("container %s: init spawned, pid %d", s->id, (int)pid);
	sk_fault("create-cloned");
	close(sv[1]);
	sv[1] = -1;
	s->sync_fd = sv[0];
	sv[0] = -1;
	if (a.fifo_fd >= 0)
		close(a.fifo_fd);
	a.fifo_fd = -1;
	if (a.ack_fd >= 0)
		close(a.ack_fd), a.ack_fd = -1;
	for (int t = 0; t < SK_NS_TYPES; t++)
		if (a.join_fds[t] >= 0)
			close(a.join_fds[t]), a.join_fds[t] = -1;
	sk_idmap_close_mounts(a.idmap_fds, c->n_mounts);

	/* in a user namespace the init cannot open its own /proc files once
	 * it changed its ids (not dumpable): its oom_score_adj is set here */
	if (sk_config_ns(c, SK_NS_USER) && c->process.has_oom_score_adj) {
		char path[64], val[16];

		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)s->pid);
		snprintf(val, sizeof(val), "%d", c->process.oom_score_adj);
		if (sk_write_file_at(AT_FDCWD, path, val, strlen(val), err) < 0) {
			sk_error_ctx(err, "process.oomScoreAdj %d", c->process.oom_score_adj);
			goto fail;
		}
	}
	if (a.userns || a.wait_go) {
		if (a.wait_go && sk_cgroup_attach(&s->cgroup, s->pid, err) < 0)
			goto fail;
		if (a.userns && (send_mount_sources(s, err) < 0 || write_id_maps(s, err) < 0))
			goto fail;
		if (sk_sync_send(s->sync_fd, SK_SYNC_GO, NULL, -1) < 0) {
			sk_error_sys(err, "resume container init");
			goto fail;
		}
		if (a.netns_ahead)
			sk_netns_ahead_send_on(&s->netns, s->sync_fd);
	}
	/* While the init sets itself up: the network (when its namespace
	 * exists already; one the init unshares itself waits for its
	 * message) and the caller's own work, e.g. the state files. */
	net_early = !(a.unshare_flags & CLONE_NEWNET);
	if (s->spawned && s->spawned(s, s->spawned_arg, err) < 0)
		goto fail;
	sk_fault("create-state-saved");
	/* the network namespace the thread made and sent (netns_ahead.c) */
	if (a.netns_ahead && sk_netns_ahead_finish(&s->netns, err) < 0) {
		if (err->errnum == EPIPE || err->errnum == ECONNRESET)
			init_error_instead(s, err);
		goto fail;
	}
	if (net_early && sk_netdev_setup(c, s->pid, s->netns.fd, err) < 0)
		goto fail;
	sk_netns_ahead_drop(&s->netns);
	if (wait_ready(s, net_early, err) < 0)
		goto fail;
	sk_fault("create-ready");
	free(a.idmap_fds);
	return 0;
fail:
	sk_netns_ahead_drop(&s->netns); /* before its socket is closed */
	for (int t = 0; t < SK_NS_TYPES; t++)
		if (a.join_fds[t] >= 0)
			close(a.join_fds[t]);
	sk_idmap_close_mounts(a.idmap_fds, c->n_mounts);
	free(a.idmap_fds);
	restore_own_ns(own_ns);
	if (a.fifo_fd >= 0)
		close(a.fifo_fd);
	if (a.ack_fd >= 0)
		close(a.ack_fd);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	sk_spawn_cleanup(s);
	return -1;
}

int sk_spawn_start(struct sk_spawn *s, struct sk_error *err)
{
	int r = sk_sync_send(s->sync_fd, SK_SYNC_START, NULL, -1);

	close(s->sync_fd);
	s->sync_fd = -1;
	if (r < 0)
		return sk_error_sys(err, "start container process");
	return 0;
}

void sk_spawn_cleanup(struct sk_spawn *s)
{
	struct sk_error e = { 0 };

	if (s->pid > 0)
		sk_kill_reap(s->pid, s->pidfd);
	else if (s->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
	s->pid = 0;
	sk_netns_ahead_drop(&s->netns); /* before its socket is closed */
	if (s->sync_fd >= 0)
		close(s->sync_fd), s->sync_fd = -1;
	if (s->tty_master >= 0)
		close(s->tty_master), s->tty_master = -1;
	if (s->has_cgroup) {
		if (sk_cgroup_destroy(&s->cgroup, &e) < 0)
			sk_log_warn("%s", e.msg);
		sk_cgroup_release(&s->cgroup);
		s->has_cgroup = false;
	}
	if (s->state_dirfd >= 0)
		unlinkat(s->state_dirfd, "exec.fifo", 0);
}
