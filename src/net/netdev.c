/* The container's network namespace: lo up in a new namespace (by the
 * container init, in it), and each of linux.netDevices moved in from skiff
 * (the runtime namespace) right after clone3, under its new name with its
 * permanent global addresses, and set up.  As config-linux.md says, devices are not moved
 * back on delete: the kernel returns physical devices to the initial
 * namespace and destroys virtual ones when the namespace goes away. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netlink.h"
#include "skiff.h"
#include "skiff/util.h"

static const char *target_name(const struct sk_net_device *d)
{
	return d->name && *d->name ? d->name : d->host_name;
}

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
			return false;
	return true;
}

int sk_netdev_check(const struct sk_config *c, struct sk_error *err)
{
	const struct sk_linux *l = &c->linux;

	if (!l->n_net_devices)
		return 0;
	if (!sk_config_ns(c, SK_NS_NET))
		return sk_error(err, EINVAL, "config.json: linux.netDevices: moving devices needs a "
				"network namespace in linux.namespaces");
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct sk_net_device *d = &l->net_devices[i];

		if (!d->host_name || !valid_ifname(d->host_name))
			return sk_error(err, EINVAL, "config.json: linux.netDevices: \"%s\" is not a valid "
					"interface name", d->host_name ? d->host_name : "");
		if (!valid_ifname(target_name(d)))
			return sk_error(err, EINVAL, "config.json: linux.netDevices.%s.name: \"%s\" is not a "
					"valid interface name", d->host_name, target_name(d));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(target_name(d), target_name(&l->net_devices[j])) &&
			    !strstr(target_name(d), "%d"))
				return sk_error(err, EINVAL, "config.json: linux.netDevices.%s.name: \"%s\" "
						"is used twice", d->host_name, target_name(d));
		if (!if_nametoindex(d->host_name))
			return sk_error(err, ENODEV, "config.json: linux.netDevices: the host has no "
					"network device \"%s\"", d->host_name);
	}
	return 0;
}

/* A netlink socket in the namespace `nsfd`: enter it, open, come back. */
static int open_nl_in(int nsfd, struct sk_nl *nl, struct sk_error *err)
{
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int r;

	if (self < 0)
		return sk_error_sys(err, "open /proc/self/ns/net");
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return sk_error_sys(err, "enter the container's network namespace");
	r = sk_nl_open(nl, err);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* skiff must not go on in the wrong namespace */
		sk_log_error("return to the runtime network namespace: %s", sk_strerror(errno));
		_exit(1);
	}
	return r;
}

/* Permanent addresses of global scope, as the spec asks to keep. */
static bool keep_addr(const struct sk_nl_addr *a)
{
	return (a->flags & IFA_F_PERMANENT) && a->scope == RT_SCOPE_UNIVERSE;
}

static int move_one(struct sk_nl *host, struct sk_nl *ctr, int nsfd,
		    const struct sk_net_device *d, struct sk_error *err)
{
	const char *name = target_name(d);
	bool tmpl = strstr(name, "%d") != NULL;
	_cleanup_free_ struct sk_nl_addr *addrs = NULL;
	size_t n = 0;
	int idx, nidx;

	idx = sk_nl_link_index(host, d->host_name, err);
	if (idx < 0)
		return -1;
	if (!idx)
		return sk_error(err, ENODEV, "the host has no network device \"%s\"", d->host_name);
	if (!tmpl) {
		int exists = sk_nl_link_index(ctr, name, err);

		if (exists < 0)
			return -1;
		if (exists)
			return sk_error(err, EEXIST, "a device named \"%s\" already exists in the "
					"container's network namespace", name);
	}
	if (sk_nl_addr_list(host, idx, &addrs, &n, err) < 0 ||
	    sk_nl_link_move(host, idx, nsfd, name, err) < 0)
		return -1;
	/* the kernel keeps the ifindex when it is free in the namespace */
	if (tmpl) {
		char got[IFNAMSIZ];

		if (sk_nl_link_name(ctr, idx, got, err) < 0)
			return -1;
		nidx = idx;
	} else {
		nidx = sk_nl_link_index(ctr, name, err);
		if (nidx < 0)
			return -1;
		if (!nidx)
			return sk_error(err, ENODEV, "\"%s\" is not in the container after the move", name);
	}
	for (size_t i = 0; i < n; i++)
		if (keep_addr(&addrs[i]) && sk_nl_addr_add(ctr, nidx, &addrs[i], err) < 0)
			return -1;
	return sk_nl_link_up(ctr, nidx, NULL, err);
}

int sk_netdev_lo_up(struct sk_error *err)
{
	struct ifreq ifr;
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return sk_error_sys(err, "bring up lo");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return sk_error_sys(err, "bring up lo");
	return 0;
}

int sk_netdev_setup(const struct sk_config *c, pid_t pid, int netns_fd, struct sk_error *err)
{
	const struct sk_namespace *ns = sk_config_ns(c, SK_NS_NET);
	const struct sk_linux *l = &c->linux;
	struct sk_nl host = { .fd = -1 }, ctr = { .fd = -1 };
	_cleanup_close_ int own = -1;
	char path[64];
	int ret = -1, nsfd = netns_fd;

	if (!ns || !l->n_net_devices)
		return 0;
	if (nsfd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		nsfd = own = open(ns->path ? ns->path : path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			return sk_error_sys(err, "open the container's network namespace");
	}
	if (open_nl_in(nsfd, &ctr, err) < 0 || sk_nl_open(&host, err) < 0)
		goto out;
	for (size_t i = 0; i < l->n_net_devices; i++)
		if (move_one(&host, &ctr, nsfd, &l->net_devices[i], err) < 0) {
			sk_error_ctx(err, "linux.netDevices.%s", l->net_devices[i].host_name);
			goto out;
		}
	ret = 0;
out:
	sk_nl_close(&host);
	sk_nl_close(&ctr);
	return ret;
}
