/* Fields skiff cannot honour (here, or yet) are refused before anything
 * is created: a config is never silently half-applied. */
#include <errno.h>
#include <string.h>

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
	const struct sk_namespace *uts = sk_config_ns(c, SK_NS_UTS);
	const struct sk_namespace *user = sk_config_ns(c, SK_NS_USER);
	const struct sk_namespace *timens = sk_config_ns(c, SK_NS_TIME);

	if (!c->process.present)
		return sk_error(err, EINVAL, "config.json: process: required to run a container");
	if (!sk_config_ns(c, SK_NS_MOUNT) && shared_mntns_check(c, err) < 0)
		return -1;
	if ((c->hostname && *c->hostname) && (!uts || uts->path))
		return sk_error(err, EINVAL, "config.json: hostname: cannot set the hostname without a new UTS namespace");
	if ((c->domainname && *c->domainname) && (!uts || uts->path))
		return sk_error(err, EINVAL, "config.json: domainname: cannot set the domainname without a new UTS namespace");
	for (size_t i = 0; i < l->n_sysctl; i++) {
		enum sk_ns_type t = sysctl_ns(l->sysctl[i].key);
		const struct sk_namespace *ns = t == SK_NS_TYPES ? NULL : sk_config_ns(c, t);

		if (t == SK_NS_TYPES)
			return sk_error(err, EINVAL, "config.json: linux.sysctl: \"%s\" is not namespaced: "
					"a container cannot set it", l->sysctl[i].key);
		if (!ns || ns->path)
			return sk_error(err, EINVAL, "config.json: linux.sysctl: \"%s\" needs a new %s namespace",
					l->sysctl[i].key, sk_ns_type_name(t));
	}
	if (user && user->path && sk_config_ns(c, SK_NS_PID) && !sk_config_ns(c, SK_NS_PID)->path)
		return sk_error(err, ENOTSUP, "config.json: linux.namespaces: a new pid namespace with a "
				"user namespace joined by path is not supported (join the pid namespace too)");
	if (user && !user->path && (!l->n_uid_mappings || !l->n_gid_mappings))
		return sk_error(err, EINVAL, "config.json: linux.uidMappings/gidMappings: a new user namespace needs both");
	if (!user && (l->n_uid_mappings || l->n_gid_mappings))
		return sk_error(err, EINVAL, "config.json: linux.uidMappings: mappings need a user namespace");
	if ((l->time_monotonic.present || l->time_boottime.present) && (!timens || timens->path))
		return sk_error(err, EINVAL, "config.json: linux.timeOffsets: offsets need a new time namespace");
	if (sk_netdev_check(c, err) < 0 || sk_idmap_check(c, err) < 0)
		return -1;
	if (l->intel_rdt.present)
		return sk_error(err, ENOTSUP, "config.json: linux.intelRdt: Intel RDT is not supported by skiff");
	if (sk_g.cgroups_disabled && resources_beyond_devices(&l->resources))
		return sk_error(err, EINVAL, "config.json: linux.resources: limits need a cgroup, "
				"but --cgroup-manager is disabled");
	return 0;
}
