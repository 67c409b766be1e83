/* src/net/: the container's network: rtnetlink and netDevices
 * (netlink.h), and its network namespace made ahead on a thread. */
#ifndef SKIFF_NET_H
#define SKIFF_NET_H

#include <stdbool.h>

#include "netlink.h"

struct sk_config;
struct sk_error;

/* ---- netns_ahead.c: a new network namespace (lo up) made on a thread
 * while skiff goes on with the state directory, the cgroup and the rest;
 * the init joins it. ---- */
struct sk_netns_ahead {
	int tid;          /* of the thread while it runs */
	int sock;         /* where it sends the namespace: -1 not yet, -2 nowhere */
	bool started;
	int fd;           /* the namespace once finished, else -1 */
	int errnum;       /* why not, */
	const char *step; /* at this step */
};
/* Start the thread when it is worth it (a new network namespace in
 * skiff's own user namespace, 2+ CPUs); n->started says whether it runs. */
void sk_netns_ahead_begin(struct sk_netns_ahead *n, const struct sk_config *c);
/* The thread sends the namespace (SK_SYNC_NETNS) on `sock`, skiff's end
 * of the sync socket, once it is made: call it when every message skiff
 * sends before has been sent. */
void sk_netns_ahead_send_on(struct sk_netns_ahead *n, int sock);
/* Wait for it: the namespace fd (kept in n->fd) once sent, or -1 with
 * err set.  Also before closing the socket given to send_on. */
int sk_netns_ahead_finish(struct sk_netns_ahead *n, struct sk_error *err);
/* Wait for the thread if it runs and close what it made. */
void sk_netns_ahead_drop(struct sk_netns_ahead *n);

#endif
