/* Id-mapped mounts (mounts[].uidMappings/gidMappings, the idmap and
 * ridmap options).  MOUNT_ATTR_IDMAP needs privilege over the source's
 * filesystem, which the container's init in its own user namespace does
 * not have: so skiff builds each id-mapped tree before clone3, detached
 * (open_tree OPEN_TREE_CLONE + mount_setattr), and the init attaches it
 * at its destination with move_mount (rootfs/mounts.c).  A source that
 * does not exist yet (an earlier mount of the container makes it) is
 * mapped by the init at its turn: skiff sends it the user namespace.
 *
 * The mappings are those of a user namespace made for the mount and
 * written as given ("containerID hostID size"): a file owned by
 * containerID on the source shows as hostID through the mount.  Without
 * mappings on the mount, the container's user namespace is used. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/linux_api.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "mountopts.h"

/* A user namespace with these mappings: a child that waits in it while
 * its maps are written and the namespace is opened, then exits. */
static int make_userns(const struct sk_idmap *u, size_t nu, const struct sk_idmap *g, size_t ng,
		       struct sk_error *err)
{
	struct clone_args ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	int p[2], fd = -1;
	char path[64];
	long pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return sk_error_sys(err, "pipe");
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0) {
		sk_error_sys(err, "create a user namespace for the mapping");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char b;

		close(p[1]);
		while (read(p[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	if (sk_write_id_map((pid_t)pid, "uid_map", u, nu, err) == 0 &&
	    sk_write_id_map((pid_t)pid, "gid_map", g, ng, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%ld/ns/user", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			sk_error_sys(err, "open %s", path);
	}
	close(p[1]);
	while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

/* The user namespace giving the mapping of mount `m`, or -1. */
static int mount_userns(const struct sk_config *c, const struct sk_mount *m,
			struct sk_error *err)
{
	const struct sk_namespace *user = sk_config_ns(c, SK_NS_USER);
	int fd;

	if (m->n_uid_mappings && m->n_gid_mappings)
		return make_userns(m->uid_mappings, m->n_uid_mappings,
				   m->gid_mappings, m->n_gid_mappings, err);
	if (m->n_uid_mappings || m->n_gid_mappings)
		return sk_error(err, EINVAL, "uidMappings and gidMappings must be given together");
	if (user && user->path) {
		fd = open(user->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			sk_error_sys(err, "open user namespace %s", user->path);
		return fd;
	}
	if (user && c->linux.n_uid_mappings && c->linux.n_gid_mappings)
		return make_userns(c->linux.uid_mappings, c->linux.n_uid_mappings,
				   c->linux.gid_mappings, c->linux.n_gid_mappings, err);
	return sk_error(err, EINVAL, "an id-mapped mount without uidMappings/gidMappings "
			"needs a user namespace in the container");
}

bool sk_mount_is_idmapped(const struct sk_mount *m)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (m->options[i] && (!strcmp(m->options[i], "idmap") || !strcmp(m->options[i], "ridmap")))
			return true;
	return m->n_uid_mappings || m->n_gid_mappings;
}

int sk_idmap_check(const struct sk_config *c, struct sk_error *err)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sk_mount *m = &c->mounts[i];
		struct sk_mount_opts o;
		bool bind;

		if (!sk_mount_is_idmapped(m))
			continue;
		if (sk_mount_opts_parse(m->options, m->n_options, &o, err) < 0)
			return sk_error_ctx(err, "config.json: mounts[%zu]", i);
		bind = (o.flags & MS_BIND) || (m->type && !strcmp(m->type, "bind"));
		sk_mount_opts_free(&o);
		if (!bind)
			return sk_error(err, EINVAL, "config.json: mounts[%zu]: id-mapped mounts "
					"(idmap, ridmap, uidMappings) are only supported on bind mounts", i);
		if (!!m->n_uid_mappings != !!m->n_gid_mappings)
			return sk_error(err, EINVAL, "config.json: mounts[%zu]: uidMappings and "
					"gidMappings must be given together", i);
		if (!m->n_uid_mappings && !sk_config_ns(c, SK_NS_USER))
			return sk_error(err, EINVAL, "config.json: mounts[%zu]: idmap without "
					"uidMappings/gidMappings needs a user namespace", i);
	}
	return 0;
}

int sk_idmap_open_mounts(const struct sk_config *c, const char *bundle, int *fds,
			 struct sk_error *err)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		fds[i] = -1;
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sk_mount *m = &c->mounts[i];
		_cleanup_free_ char *src = NULL;
		_cleanup_close_ int ns = -1;
		struct sk_mount_opts o;
		bool rec, ridmap;

		if (!sk_mount_is_idmapped(m))
			continue;
		if (!m->source || !*m->source)
			return sk_error(err, EINVAL, "mounts[%zu]: bind mount without a source", i);
		if (sk_mount_opts_parse(m->options, m->n_options, &o, err) < 0)
			return sk_error_ctx(err, "mounts[%zu]", i);
		rec = o.flags & MS_REC;
		ridmap = o.ridmap;
		sk_mount_opts_free(&o);
		src = m->source[0] == '/' ? sk_xstrdup(m->source) : sk_xasprintf("%s/%s", bundle, m->source);
		ns = mount_userns(c, m, err);
		if (ns < 0)
			return sk_error_ctx(err, "id-mapped mount \"%s\" on \"%s\"", m->source, m->destination);
		fds[i] = sk_idmap_tree(AT_FDCWD, src, rec, ridmap, ns);
		if (fds[i] < 0 && errno == ENOENT) {
			/* made by an earlier mount of the container (mounts
			 * are done in order, as runc does them): the init
			 * maps it at its turn, with this user namespace */
			fds[i] = ns;
			ns = -1;
			continue;
		}
		if (fds[i] < 0)
			return sk_error_sys(err, "id-mapped mount \"%s\" on \"%s\"",
					    m->source, m->destination);
	}
	return 0;
}

int sk_idmap_tree(int dirfd, const char *path, bool rec, bool ridmap, int userns)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	int fd = open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));

	if (fd >= 0 && mount_setattr(fd, "", AT_EMPTY_PATH | (ridmap ? AT_RECURSIVE : 0),
				     &a, sizeof(a)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

bool sk_mount_source_opened_ahead(const struct sk_config *c, const char *rootfs, size_t i)
{
	const struct sk_mount *m = &c->mounts[i];
	size_t rl = strlen(rootfs);
	struct sk_mount_opts o;
	struct sk_error e;
	bool bind;

	if (!m->source || m->source[0] != '/' || sk_mount_is_idmapped(m) ||
	    (!strncmp(m->source, rootfs, rl) && (m->source[rl] == '/' || !m->source[rl])))
		return false;
	if (m->type && !strcmp(m->type, "bind"))
		return true;
	if (sk_mount_opts_parse(m->options, m->n_options, &o, &e) < 0)
		return false;
	bind = (o.flags & MS_BIND) && !(o.flags & MS_REMOUNT);
	sk_mount_opts_free(&o);
	return bind;
}

void sk_idmap_close_mounts(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]), fds[i] = -1;
}
