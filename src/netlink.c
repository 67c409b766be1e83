/* A small rtnetlink client on libmnl: look links up, set them up, move
 * them between network namespaces, list and add addresses.  Every request
 * asks for an ACK; replies are bounded by a receive timeout. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "netlink.h"
#include "skiff/error.h"
#include "skiff/util.h"

#define NL_TIMEOUT_S 10

int sk_nl_open(struct sk_nl *nl, struct sk_error *err)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };

	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return sk_error_sys(err, "netlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		sk_error_sys(err, "netlink bind");
		sk_nl_close(nl);
		return -1;
	}
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

void sk_nl_close(struct sk_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static struct nlmsghdr *new_msg(struct sk_nl *nl, char *buf, int type, int flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);

	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	h->nlmsg_seq = ++nl->seq;
	return h;
}

/* Send `h` and read replies through `cb` until the ACK or DONE.  Returns
 * 0, or -1 with errno (the kernel's error for a NACK). */
static int talk(struct sk_nl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN)
				errno = ETIMEDOUT;
			return -1;
		}
		r = mnl_cb_run(buf, (size_t)n, h->nlmsg_seq, nl->portid, cb, data);
	} while (r > 0);
	return r < 0 ? -1 : 0;
}

/* ---- links ---------------------------------------------------------- */

struct link_info { int index; char name[IFNAMSIZ]; };

static int link_cb(const struct nlmsghdr *h, void *data)
{
	struct link_info *li = data;
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct nlattr *a;

	li->index = ifi->ifi_index;
	mnl_attr_for_each(a, h, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_IFNAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(a));
	}
	return MNL_CB_OK;
}

static int get_link(struct sk_nl *nl, int index, const char *name, struct link_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = new_msg(nl, buf, RTM_GETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (name)
		mnl_attr_put_strz(h, IFLA_IFNAME, name);
	memset(li, 0, sizeof(*li));
	return talk(nl, h, link_cb, li);
}

int sk_nl_link_index(struct sk_nl *nl, const char *name, struct sk_error *err)
{
	struct link_info li;

	if (get_link(nl, 0, name, &li) < 0) {
		if (errno == ENODEV)
			return 0;
		return sk_error_sys(err, "netlink: look up link \"%s\"", name);
	}
	return li.index;
}

int sk_nl_link_name(struct sk_nl *nl, int index, char *buf, struct sk_error *err)
{
	struct link_info li;

	if (get_link(nl, index, NULL, &li) < 0)
		return sk_error_sys(err, "netlink: look up link %d", index);
	memcpy(buf, li.name, IFNAMSIZ);
	return 0;
}

int sk_nl_link_up(struct sk_nl *nl, int index, struct sk_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = new_msg(nl, buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (talk(nl, h, NULL, NULL) < 0)
		return sk_error_sys(err, "netlink: set link %d up", index);
	return 0;
}

int sk_nl_link_move(struct sk_nl *nl, int index, int netns_fd, const char *new_name,
		    struct sk_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = new_msg(nl, buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (new_name)
		mnl_attr_put_strz(h, IFLA_IFNAME, new_name);
	if (talk(nl, h, NULL, NULL) < 0)
		return sk_error_sys(err, "netlink: move link %d to the container", index);
	return 0;
}

/* ---- addresses ------------------------------------------------------ */

struct addr_list { int index; struct sk_nl_addr *v; size_t n; };

static void copy_attr(uint8_t *dst, size_t max, const struct nlattr *a, bool *has)
{
	size_t len = mnl_attr_get_payload_len(a);

	if (len > max)
		return;
	memcpy(dst, mnl_attr_get_payload(a), len);
	*has = true;
}

static int addr_cb(const struct nlmsghdr *h, void *data)
{
	struct addr_list *l = data;
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	struct sk_nl_addr x = { 0 };
	size_t alen = ifa->ifa_family == AF_INET6 ? 16 : 4;
	struct nlattr *a;

	if ((int)ifa->ifa_index != l->index)
		return MNL_CB_OK;
	x.family = ifa->ifa_family;
	x.prefixlen = ifa->ifa_prefixlen;
	x.scope = ifa->ifa_scope;
	x.flags = ifa->ifa_flags;
	mnl_attr_for_each(a, h, sizeof(*ifa)) {
		switch (mnl_attr_get_type(a)) {
		case IFA_LOCAL:
			copy_attr(x.local, alen, a, &x.has_local);
			break;
		case IFA_ADDRESS:
			copy_attr(x.address, alen, a, &x.has_address);
			break;
		case IFA_BROADCAST:
			copy_attr(x.broadcast, 4, a, &x.has_broadcast);
			break;
		case IFA_FLAGS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				x.flags = mnl_attr_get_u32(a);
			break;
		}
	}
	l->v = sk_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = x;
	return MNL_CB_OK;
}

int sk_nl_addr_list(struct sk_nl *nl, int index, struct sk_nl_addr **out, size_t *n,
		    struct sk_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = new_msg(nl, buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	struct addr_list l = { .index = index };

	ifa->ifa_family = AF_UNSPEC;
	if (talk(nl, h, addr_cb, &l) < 0) {
		free(l.v);
		return sk_error_sys(err, "netlink: list addresses of link %d", index);
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int sk_nl_addr_add(struct sk_nl *nl, int index, const struct sk_nl_addr *a,
		   struct sk_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = new_msg(nl, buf, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	size_t alen = a->family == AF_INET6 ? 16 : 4;
	/* the flags a caller may set (not tentative, deprecated ...) */
	uint32_t flags = a->flags & (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_NOPREFIXROUTE |
				     IFA_F_MANAGETEMPADDR | IFA_F_PERMANENT);

	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_scope = a->scope;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_index = (uint32_t)index;
	if (a->has_local)
		mnl_attr_put(h, IFA_LOCAL, alen, a->local);
	if (a->has_address)
		mnl_attr_put(h, IFA_ADDRESS, alen, a->address);
	if (a->has_broadcast && a->family == AF_INET)
		mnl_attr_put(h, IFA_BROADCAST, 4, a->broadcast);
	mnl_attr_put_u32(h, IFA_FLAGS, flags);
	if (talk(nl, h, NULL, NULL) < 0 && errno != EEXIST)
		return sk_error_sys(err, "netlink: add an address to link %d", index);
	return 0;
}
