/* rtnetlink (src/net/netlink.c) and the network setup of a
 * container's network namespace (src/net/netdev.c): lo up, linux.netDevices
 * moved in, renamed, their permanent global addresses kept, and up. */
#ifndef SKIFF_NETLINK_H
#define SKIFF_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sk_error;
struct sk_config;
struct sk_nl {
	int fd;	/* -1 when closed */
	unsigned int seq, portid;
};

/* One address of a link, as RTM_GETADDR gave it. */
struct sk_nl_addr {
	uint8_t family, prefixlen, scope;
	uint32_t flags;
	bool has_local, has_address, has_broadcast;
	uint8_t local[16], address[16], broadcast[4];
};

/* A NETLINK_ROUTE socket in the calling thread's network namespace. */
int sk_nl_open(struct sk_nl *nl, struct sk_error *err);
void sk_nl_close(struct sk_nl *nl);
/* ifindex of the link named `name`, 0 when there is none, -1 on error. */
int sk_nl_link_index(struct sk_nl *nl, const char *name, struct sk_error *err);
/* Name of the link `index` (buf of IFNAMSIZ). */
int sk_nl_link_name(struct sk_nl *nl, int index, char *buf, struct sk_error *err);
/* Set link `index` up, or when index is 0 the link named `name`. */
int sk_nl_link_up(struct sk_nl *nl, int index, const char *name, struct sk_error *err);
/* Move link `index` into the network namespace `netns_fd`, renamed to
 * `new_name` (may hold "%d") when not NULL. */
int sk_nl_link_move(struct sk_nl *nl, int index, int netns_fd, const char *new_name,
		    struct sk_error *err);
/* Addresses of link `index` (heap array). */
int sk_nl_addr_list(struct sk_nl *nl, int index, struct sk_nl_addr **out, size_t *n,
		    struct sk_error *err);
int sk_nl_addr_add(struct sk_nl *nl, int index, const struct sk_nl_addr *a,
		   struct sk_error *err);

/* tests/fuzz: a received datagram parsed as the reply to a link
 * (addr false) or address-list request. */
int sk_nl_fuzz_reply(const void *buf, size_t n, bool addr);

/* netdev.c */
/* Static checks of linux.netDevices (before anything is created): a
 * network namespace, valid names, no duplicates, host devices exist. */
int sk_netdev_check(const struct sk_config *c, struct sk_error *err);
/* In the container init, in its new network namespace: lo up (two
 * ioctls, as crun does; no netlink socket, no setns). */
int sk_netdev_lo_up(struct sk_error *err);
/* In skiff, after clone3: the netDevices moved into the container's
 * network namespace: `netns_fd` when skiff made it (netns_ahead.c), else
 * the one of init `pid` (or the configured path). */
int sk_netdev_setup(const struct sk_config *c, pid_t pid, int netns_fd, struct sk_error *err);


#endif
