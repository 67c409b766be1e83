/* A small rtnetlink client: look links up, set them up, move them
 * between network namespaces, list and add addresses.  Every request asks
 * for an ACK; replies are bounded by a receive timeout.  Requests are
 * built in a fixed buffer (they carry at most a name and an address);
 * replies are checked against the request's sequence number and our port
 * before they are read. */
#include <errno.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "netlink.h"
#include "skiff/error.h"
#include "skiff/util.h"

#define NL_TIMEOUT_S 10
#define REQ_SIZE 256	/* a request: headers, a name, an address, a u32 */
#define REPLY_SIZE 32768

/* The callback for each data message of a reply. */
typedef void (*nl_cb)(const struct nlmsghdr *h, void *data);

int sk_nl_open(struct sk_nl *nl, struct sk_error *err)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return sk_error_sys(err, "netlink socket");
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &len) < 0) {
		sk_error_sys(err, "netlink bind");
		sk_nl_close(nl);
		return -1;
	}
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nl->portid = sa.nl_pid;
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

void sk_nl_close(struct sk_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* ---- messages ------------------------------------------------------- */

static struct nlmsghdr *new_msg(struct sk_nl *nl, void *buf, int type, int flags)
{
	struct nlmsghdr *h = buf;

	memset(buf, 0, REQ_SIZE);
	h->nlmsg_len = NLMSG_HDRLEN;
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	h->nlmsg_seq = ++nl->seq;
	return h;
}

/* Room for `len` more bytes at the end of `h` (zeroed by new_msg).  The
 * requests are small and fixed in shape: running out of REQ_SIZE is a
 * bug in this file, not an input error. */
static void *put(struct nlmsghdr *h, size_t len)
{
	void *p = (char *)h + NLMSG_ALIGN(h->nlmsg_len);

	if (NLMSG_ALIGN(h->nlmsg_len) + NLMSG_ALIGN(len) > REQ_SIZE)
		abort();
	h->nlmsg_len = (uint32_t)(NLMSG_ALIGN(h->nlmsg_len) + NLMSG_ALIGN(len));
	return p;
}

static void put_attr(struct nlmsghdr *h, uint16_t type, size_t len, const void *data)
{
	struct nlattr *a = put(h, NLA_HDRLEN + len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
}

static void put_u32(struct nlmsghdr *h, uint16_t type, uint32_t v)
{
	put_attr(h, type, sizeof(v), &v);
}

static void put_str(struct nlmsghdr *h, uint16_t type, const char *s)
{
	put_attr(h, type, strlen(s) + 1, s);
}

/* The attributes after a family header of `hdrlen` bytes, each checked to
 * lie inside the message. */
#define for_each_attr(a, h, hdrlen)                                                       \
	for (const struct nlattr *a = (const void *)((const char *)NLMSG_DATA(h) +          \
						     NLMSG_ALIGN(hdrlen));                   \
	     (const char *)(h) + (h)->nlmsg_len - (const char *)a >= NLA_HDRLEN &&           \
	     a->nla_len >= NLA_HDRLEN &&                                                    \
	     a->nla_len <= (const char *)(h) + (h)->nlmsg_len - (const char *)a;            \
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))

static const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static size_t attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* One datagram of the replies to request `seq`: each data message
 * through `cb`.  Returns 1 when more is to come, 0 at the ACK (or DONE
 * for a dump), -1 with errno (the kernel's error for a NACK).  (Not
 * NLMSG_NEXT: with a last message whose length is not a multiple of 4,
 * its length left goes below 0, and NLMSG_OK(r, (size_t)n) read on.) */
static int parse_reply(const char *buf, size_t n, unsigned int seq, unsigned int portid,
		       size_t hdrlen, nl_cb cb, void *data)
{
	const struct nlmsghdr *r;

	for (size_t off = 0, step; n - off >= sizeof(*r); off += step) {
		r = (const void *)(buf + off);
		if (r->nlmsg_len < sizeof(*r) || r->nlmsg_len > n - off)
			break;
		step = NLMSG_ALIGN(r->nlmsg_len);
		if (step > n - off)
			step = n - off;
		if (r->nlmsg_seq != seq || (r->nlmsg_pid && r->nlmsg_pid != portid)) {
			errno = EPROTO;
			return -1;
		}
		switch (r->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_DONE:
			return 0;
		case NLMSG_ERROR: {
			const struct nlmsgerr *e = NLMSG_DATA(r);

			if (r->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
				errno = EPROTO;
				return -1;
			}
			if (e->error == 0)
				return 0;
			/* an errno, negated (-INT_MIN would overflow) */
			errno = e->error < 0 && e->error > -4096 ? -e->error : EPROTO;
			return -1;
		}
		default:
			if (r->nlmsg_len < NLMSG_LENGTH(hdrlen)) {
				errno = EPROTO;
				return -1;
			}
			if (cb)
				cb(r, data);
		}
	}
	return 1;
}

/* Send `h` and read the replies until the ACK (or DONE). */
static int talk(struct sk_nl *nl, struct nlmsghdr *h, size_t hdrlen, nl_cb cb, void *data)
{
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_cleanup_free_ char *buf = sk_xmalloc(REPLY_SIZE);
	ssize_t n;
	int r;

	if (sendto(nl->fd, h, h->nlmsg_len, 0, (const struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -1;
	do {
		n = recv(nl->fd, buf, REPLY_SIZE, 0);
		if (n < 0) {
			if (errno == EAGAIN)
				errno = ETIMEDOUT;
			return -1;
		}
		r = parse_reply(buf, (size_t)n, h->nlmsg_seq, nl->portid, hdrlen, cb, data);
	} while (r > 0);
	return r;
}

/* ---- links ---------------------------------------------------------- */

struct link_info { int index; char name[IFNAMSIZ]; };

static void link_cb(const struct nlmsghdr *h, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);

	li->index = ifi->ifi_index;
	for_each_attr(a, h, sizeof(*ifi)) {
		size_t len = attr_len(a);

		if (a->nla_type == IFLA_IFNAME && len > 0 && len <= IFNAMSIZ &&
		    memchr(attr_data(a), 0, len))
			memcpy(li->name, attr_data(a), len);
	}
}

/* A RTM_NEWLINK/GETLINK request for the link `index` (or, when it is 0,
 * the one named `name`): the kernel looks a link up by either. */
static struct nlmsghdr *link_msg(struct sk_nl *nl, void *buf, int type, int index,
				 const char *name)
{
	struct nlmsghdr *h = new_msg(nl, buf, type, NLM_F_ACK);
	struct ifinfomsg *ifi = put(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (name)
		put_str(h, IFLA_IFNAME, name);
	return h;
}

static int get_link(struct sk_nl *nl, int index, const char *name, struct link_info *li)
{
	char buf[REQ_SIZE];
	struct nlmsghdr *h = link_msg(nl, buf, RTM_GETLINK, index, name);

	memset(li, 0, sizeof(*li));
	return talk(nl, h, sizeof(struct ifinfomsg), link_cb, li);
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

int sk_nl_link_up(struct sk_nl *nl, int index, const char *name, struct sk_error *err)
{
	char buf[REQ_SIZE];
	struct nlmsghdr *h = link_msg(nl, buf, RTM_NEWLINK, index, index ? NULL : name);
	struct ifinfomsg *ifi = NLMSG_DATA(h);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (talk(nl, h, 0, NULL, NULL) < 0) {
		if (index)
			return sk_error_sys(err, "netlink: set link %d up", index);
		return sk_error_sys(err, "netlink: set link \"%s\" up", name);
	}
	return 0;
}

int sk_nl_link_move(struct sk_nl *nl, int index, int netns_fd, const char *new_name,
		    struct sk_error *err)
{
	char buf[REQ_SIZE];
	struct nlmsghdr *h = link_msg(nl, buf, RTM_NEWLINK, index, NULL);

	put_u32(h, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (new_name)
		put_str(h, IFLA_IFNAME, new_name);
	if (talk(nl, h, 0, NULL, NULL) < 0)
		return sk_error_sys(err, "netlink: move link %d to the container", index);
	return 0;
}

/* ---- addresses ------------------------------------------------------ */

struct addr_list { int index; struct sk_nl_addr *v; size_t n; };

static void copy_attr(uint8_t *dst, size_t want, const struct nlattr *a, bool *has)
{
	if (attr_len(a) != want)
		return;
	memcpy(dst, attr_data(a), want);
	*has = true;
}

static void addr_cb(const struct nlmsghdr *h, void *data)
{
	struct addr_list *l = data;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct sk_nl_addr x = { 0 };
	size_t alen = ifa->ifa_family == AF_INET6 ? 16 : 4;

	if ((int)ifa->ifa_index != l->index)
		return;
	x.family = ifa->ifa_family;
	x.prefixlen = ifa->ifa_prefixlen;
	x.scope = ifa->ifa_scope;
	x.flags = ifa->ifa_flags;
	for_each_attr(a, h, sizeof(*ifa)) {
		switch (a->nla_type) {
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
			if (attr_len(a) == sizeof(uint32_t))
				memcpy(&x.flags, attr_data(a), sizeof(uint32_t));
			break;
		}
	}
	l->v = sk_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = x;
}

int sk_nl_addr_list(struct sk_nl *nl, int index, struct sk_nl_addr **out, size_t *n,
		    struct sk_error *err)
{
	char buf[REQ_SIZE];
	struct nlmsghdr *h = new_msg(nl, buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = put(h, sizeof(*ifa));
	struct addr_list l = { .index = index };

	ifa->ifa_family = AF_UNSPEC;
	if (talk(nl, h, sizeof(*ifa), addr_cb, &l) < 0) {
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
	char buf[REQ_SIZE];
	struct nlmsghdr *h = new_msg(nl, buf, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = put(h, sizeof(*ifa));
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
		put_attr(h, IFA_LOCAL, alen, a->local);
	if (a->has_address)
		put_attr(h, IFA_ADDRESS, alen, a->address);
	if (a->has_broadcast && a->family == AF_INET)
		put_attr(h, IFA_BROADCAST, 4, a->broadcast);
	put_u32(h, IFA_FLAGS, flags);
	if (talk(nl, h, 0, NULL, NULL) < 0 && errno != EEXIST)
		return sk_error_sys(err, "netlink: add an address to link %d", index);
	return 0;
}

/* tests/fuzz: a datagram read as the replies to a link or address-list
 * request (sequence 1, port 1). */
int sk_nl_fuzz_reply(const void *buf, size_t n, bool addr)
{
	struct link_info li = { 0 };
	struct addr_list l = { .index = 1 };
	int r;

	if (n > REPLY_SIZE)
		n = REPLY_SIZE;
	if (addr)
		r = parse_reply(buf, n, 1, 1, sizeof(struct ifaddrmsg), addr_cb, &l);
	else
		r = parse_reply(buf, n, 1, 1, sizeof(struct ifinfomsg), link_cb, &li);
	free(l.v);
	return r;
}
