/* Fields skiff cannot honour (here, or yet) are refused before anything
 * is created: a config is never silently half-applied. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "netlink.h"
#include "skiff.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"

/* Which namespace a sysctl belongs to (runc's rules); SK_NS_TYPES when
 * it is not namespaced and so must not be set from a container. */
static enum sk_ns_type sysctl_ns(const char *key)
{
	static const char *const ipc[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};

	for (size_t i = 0; i < SK_ARRAY_SIZE(ipc); i++)
		if (!strcmp(key, ipc[i]))
			return SK_NS_IPC;
	if (sk_str_has_prefix(key, "fs.mqueue."))
		return SK_NS_IPC;
	if (sk_str_has_prefix(key, "net."))
		return SK_NS_NET;
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return SK_NS_UTS;
	return SK_NS_TYPES;
}

/* Would the container be in skiff's own namespace of type t (none in the
 * config, or a path naming the one skiff is in)?  Then a namespaced sysctl
 * would change the host's.  A path that cannot be looked at is left to the
 * join, which fails with its own error. */
static bool in_host_ns(const struct sk_config *c, enum sk_ns_type t)
{
	static const char *const proc_name[SK_NS_TYPES] = {
		[SK_NS_NET] = "net", [SK_NS_IPC] = "ipc", [SK_NS_UTS] = "uts",
	};
	const struct sk_namespace *ns = sk_config_ns(c, t);
	char self[32];
	struct stat a, b;

	if (!ns)
		return true;
	if (!ns->path || !proc_name[t])
		return false;
	snprintf(self, sizeof(self), "/proc/self/ns/%s", proc_name[t]);
	return stat(ns->path, &a) == 0 && stat(self, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool resources_beyond_devices(const struct sk_resources *r)
{
	return r->memory.present || r->cpu.present || r->pids.present || r->blkio.present ||
	       r->n_hugepage_limits || r->network.present || r->n_rdma || r->n_unified;
}

/* No mount namespace in linux.namespaces: the container shares skiff's
 * (config-linux.md), chroot'ed into its root.  Like runc, maskedPaths and
 * readonlyPaths cannot be honoured there; unlike runc (which mounts them
 * in the host's namespace and leaves them there), neither can anything
 * else that changes mounts or files of the host: mounts, devices, a
 * read-only root or its propagation. */
static int shared_mntns_check(const struct sk_config *c, struct sk_error *err)
{
	const struct sk_linux *l = &c->linux;
	const char *what = NULL;

	if (l->n_masked_paths || l->n_readonly_paths)
		return sk_error(err, EINVAL, "config.json: linux.%s: unable to restrict sys entries "
				"without a private MNT namespace",
				l->n_masked_paths ? "maskedPaths" : "readonlyPaths");
	if (c->n_mounts)
		what = "mounts";
	else if (l->n_devices)
		what = "linux.devices";
	else if (c->root_readonly)
		what = "root.readonly";
	else if (l->rootfs_propagation)
		what = "linux.rootfsPropagation";
	if (what)
		return sk_error(err, EINVAL, "config.json: %s: needs a mount namespace of the container's "
				"own (without one it shares skiff's, whose mounts skiff does not change)",
				what);
	return 0;
}

int sk_config_check_supported(const struct sk_config *c, struct sk_error *err)
{
	const struct sk_linux *l = &c->linux;
	const struct sk_namespace *user = sk_config_ns(c, SK_NS_USER);

	if (!c->process.present)
		return sk_error(err, EINVAL, "config.json: process: required to run a container");
	if (!c->process.n_args)
		return sk_error(err, EINVAL, "config.json: process.args: required: the command to run");
	if (!sk_config_ns(c, SK_NS_MOUNT) && shared_mntns_check(c, err) < 0)
		return -1;
	/* A UTS (network, ipc) namespace joined by path is the container's
	 * as much as a new one: only the host's own is off limits. */
	if ((c->hostname && *c->hostname) && in_host_ns(c, SK_NS_UTS))
		return sk_error(err, EINVAL, "config.json: hostname: cannot set the hostname in the host's UTS namespace "
				"(it needs a UTS namespace of its own)");
	if ((c->domainname && *c->domainname) && in_host_ns(c, SK_NS_UTS))
		return sk_error(err, EINVAL, "config.json: domainname: cannot set the domainname in the host's UTS namespace "
				"(it needs a UTS namespace of its own)");
	for (size_t i = 0; i < l->n_sysctl; i++) {
		enum sk_ns_type t = sysctl_ns(l->sysctl[i].key);

		if (t == SK_NS_TYPES)
			return sk_error(err, EINVAL, "config.json: linux.sysctl: \"%s\" is not namespaced: "
					"a container cannot set it", l->sysctl[i].key);
		if (in_host_ns(c, t))
			return sk_error(err, EINVAL, "config.json: linux.sysctl: \"%s\" would change the host's "
					"%s namespace (it needs a %s namespace of its own)",
					l->sysctl[i].key, sk_ns_type_name(t), sk_ns_type_name(t));
	}
	if (user && user->path && sk_config_ns(c, SK_NS_PID) && !sk_config_ns(c, SK_NS_PID)->path)
		return sk_error(err, ENOTSUP, "config.json: linux.namespaces: a new pid namespace with a "
				"user namespace joined by path is not supported (join the pid namespace too)");
	/* the namespace pairings that need no host are oci/validate.c's */
	if (sk_netdev_check(c, err) < 0 || sk_idmap_check(c, err) < 0)
		return -1;
	if (l->intel_rdt.present)
		return sk_error(err, ENOTSUP, "config.json: linux.intelRdt: Intel RDT is not supported by skiff");
	if (sk_g.cgroups_disabled && resources_beyond_devices(&l->resources))
		return sk_error(err, EINVAL, "config.json: linux.resources: limits need a cgroup, "
				"but --cgroup-manager is disabled");
	sk_process_warn_unknown_caps(&c->process);
	return 0;
}

void sk_resources_normalize(struct sk_resources *r)
{
	/* runc: pids.limit 0 is no limit at all (negative: "max") */
	if (r->pids.has_limit && r->pids.limit == 0) {
		r->pids.has_limit = false;
		r->pids.present = false;
	}
	/* deprecated in the spec; runc ignores them with a warning */
	if (r->memory.has_kernel)
		sk_log_warn("warning: linux.resources.memory.kernel is deprecated and ignored");
	if (r->memory.has_kernel_tcp)
		sk_log_warn("warning: linux.resources.memory.kernelTCP is deprecated and ignored");
	r->memory.has_kernel = r->memory.has_kernel_tcp = false;
}
