/* A new network namespace, made ahead on a thread.
 *
 * Making a network namespace is the costliest single step of a container
 * start: every pernet subsystem (ipv4, ipv6, netfilter, the sysctls, ...)
 * sets up its part, ~0.4 ms here, more than all of skiff's mounts.  When
 * the namespace belongs to skiff's own user namespace, nothing in it
 * depends on the container, so a thread makes it (and brings lo up) as
 * soon as the config is loaded, while skiff creates the state directory,
 * the cgroup and the init (cloned without CLONE_NEWNET).  The thread sends
 * the namespace to the init itself, on skiff's end of the sync socket once
 * skiff names it (so that it comes after any message skiff sends first),
 * and the init joins it with setns(2) where it would have brought lo up in
 * one of its own.  With one CPU there is nothing to overlap, and clone3
 * makes the namespace as before.  The scheduler tends to queue a new thread
 * on its creator's CPU, where it would wait until skiff blocks after the
 * clone3 (~0.3 ms later): the thread is moved to the other CPUs, so that
 * its namespace is ready by the time the init's first mounts are done.
 *
 * The thread is a bare clone(2), not a pthread: the init is a copy of
 * skiff made by clone3 while the thread may still run, and glibc in that
 * copy must not believe in a second thread (its set*id() calls would wait
 * for it forever).  So glibc never learns of it, and the thread must not
 * call into glibc where that matters: it shares skiff's TLS, so it makes
 * its system calls raw (no errno), on its own static stack, with every
 * signal blocked. */
#include <errno.h>
#include <stddef.h>
#include <linux/futex.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "skiff.h"

/* A system call that returns -errno and leaves errno alone. */
#if defined(__x86_64__)
#define HAVE_RAW_SYSCALL 1
static long raw_syscall(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__)
#define HAVE_RAW_SYSCALL 1
static long raw_syscall(long nr, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory", "cc");
	return x0;
}
#else
#define HAVE_RAW_SYSCALL 0
#endif

#if HAVE_RAW_SYSCALL
static char thread_stack[16 * 1024] __attribute__((aligned(16)));

/* SK_SYNC_NETNS with the namespace fd, on the socket skiff names in
 * n->sock: wait for it (-1), or for -2 (skiff gave up: nothing to send). */
static long send_to_init(struct sk_netns_ahead *n)
{
	struct sk_sync_msg m = { .type = SK_SYNC_NETNS };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &m, .iov_len = offsetof(struct sk_sync_msg, msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int sock;

	while ((sock = __atomic_load_n(&n->sock, __ATOMIC_ACQUIRE)) == -1)
		raw_syscall(SYS_futex, (long)&n->sock, FUTEX_WAIT, -1, 0);
	if (sock < 0)
		return 0;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &n->fd, sizeof(int));
	return raw_syscall(SYS_sendmsg, sock, (long)&mh, MSG_NOSIGNAL, 0);
}

static int make_netns(void *arg)
{
	struct sk_netns_ahead *n = arg;
	struct ifreq ifr;
	long r, sock;

	n->step = "create network namespace";
	r = raw_syscall(SYS_unshare, CLONE_NEWNET, 0, 0, 0);
	if (r < 0)
		goto fail;
	/* lo up as sk_netdev_lo_up does (netdev.c), in raw calls */
	n->step = "bring up lo";
	r = sock = raw_syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0);
	if (r < 0)
		goto fail;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	r = raw_syscall(SYS_ioctl, sock, SIOCGIFFLAGS, (long)&ifr, 0);
	if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = raw_syscall(SYS_ioctl, sock, SIOCSIFFLAGS, (long)&ifr, 0);
	}
	if (r == 0) {
		/* the namespace of the socket, as an fd (close-on-exec): no /proc */
		n->step = "open the network namespace";
		r = raw_syscall(SYS_ioctl, sock, SIOCGSKNS, 0, 0);
	}
	raw_syscall(SYS_close, sock, 0, 0, 0);
	if (r < 0)
		goto fail;
	n->fd = (int)r;
	r = send_to_init(n);
	if (r < 0) {
		n->step = "send the network namespace to the container init";
		goto fail;
	}
	return 0;
fail:
	n->errnum = (int)-r;
	return 0;
}
#endif

void sk_netns_ahead_begin(struct sk_netns_ahead *n, const struct sk_config *c)
{
	const struct sk_namespace *net = sk_config_ns(c, SK_NS_NET);
	const struct sk_namespace *pid = sk_config_ns(c, SK_NS_PID);
	cpu_set_t cpus;

	n->started = false;
	n->fd = n->sock = -1;
	n->errnum = 0;
	n->step = NULL;
	/* a namespace of a new or joined user namespace is made in it; and
	 * skiff must be single-threaded where it changes its own namespaces
	 * around clone3 (setns(2) back into a time namespace fails with
	 * EUSERS otherwise): a new time namespace, a pid namespace joined */
	if (!HAVE_RAW_SYSCALL || !net || net->path || sk_config_ns(c, SK_NS_USER) ||
	    sk_config_ns(c, SK_NS_TIME) || (pid && pid->path))
		return;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0 || CPU_COUNT(&cpus) < 2)
		return;
#if HAVE_RAW_SYSCALL
	sigset_t all, old;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	n->started = clone(make_netns, thread_stack + sizeof(thread_stack),
			   CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
				   CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
			   n, &n->tid, NULL, &n->tid) > 0;
	if (n->started) {
		/* off this CPU (n->tid stays valid: the thread waits for the socket) */
		int cpu = sched_getcpu();

		if (cpu >= 0 && CPU_ISSET(cpu, &cpus)) {
			CPU_CLR(cpu, &cpus);
			sched_setaffinity(n->tid, sizeof(cpus), &cpus);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
#endif
}

static void set_sock(struct sk_netns_ahead *n, int sock)
{
	__atomic_store_n(&n->sock, sock, __ATOMIC_RELEASE);
	syscall(SYS_futex, &n->sock, FUTEX_WAKE, 1, NULL, NULL, 0);
}

void sk_netns_ahead_send_on(struct sk_netns_ahead *n, int sock)
{
	if (n->started)
		set_sock(n, sock);
}

/* The kernel clears n->tid and wakes its futex when the thread exits. */
static void wait_thread(struct sk_netns_ahead *n)
{
	int tid;

	if (!n->started)
		return;
	if (__atomic_load_n(&n->sock, __ATOMIC_ACQUIRE) == -1)
		set_sock(n, -2);
	while ((tid = __atomic_load_n(&n->tid, __ATOMIC_ACQUIRE)) != 0)
		syscall(SYS_futex, &n->tid, FUTEX_WAIT, tid, NULL, NULL, 0);
	n->started = false;
}

int sk_netns_ahead_finish(struct sk_netns_ahead *n, struct sk_error *err)
{
	wait_thread(n);
	if (n->fd < 0 || n->errnum) {
		errno = n->errnum ? n->errnum : EINVAL;
		return sk_error_sys(err, "%s", n->step ? n->step : "network namespace");
	}
	return n->fd;
}

void sk_netns_ahead_drop(struct sk_netns_ahead *n)
{
	wait_thread(n);
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
