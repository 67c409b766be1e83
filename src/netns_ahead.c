/* A new network namespace, made ahead on a thread.
 *
 * Making a network namespace is the costliest single step of a container
 * start: every pernet subsystem (ipv4, ipv6, netfilter, the sysctls, ...)
 * sets up its part, ~0.4 ms here, more than all of skiff's mounts.  When
 * the namespace belongs to skiff's own user namespace, nothing in it
 * depends on the container, so a thread makes it (and brings lo up) as
 * soon as the config is loaded, while skiff creates the state directory,
 * the cgroup and the init (cloned without CLONE_NEWNET); the init gets the
 * namespace from skiff and joins it with setns(2) where it would have
 * brought lo up in one of its own.  With one CPU there is nothing to
 * overlap, and clone3 makes the namespace as before.
 *
 * The thread is a bare clone(2), not a pthread: the init is a copy of
 * skiff made by clone3 while the thread may still run, and glibc in that
 * copy must not believe in a second thread (its set*id() calls would wait
 * for it forever).  So glibc never learns of it, and the thread must not
 * call into glibc where that matters: it shares skiff's TLS, so it makes
 * its system calls raw (no errno), on its own static stack, with every
 * signal blocked. */
#include <errno.h>
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
static long raw_syscall(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__)
#define HAVE_RAW_SYSCALL 1
static long raw_syscall(long nr, long a, long b, long c)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory", "cc");
	return x0;
}
#else
#define HAVE_RAW_SYSCALL 0
#endif

#if HAVE_RAW_SYSCALL
static char thread_stack[16 * 1024] __attribute__((aligned(16)));

static int make_netns(void *arg)
{
	struct sk_netns_ahead *n = arg;
	struct ifreq ifr;
	long r, sock;

	n->step = "create network namespace";
	r = raw_syscall(SYS_unshare, CLONE_NEWNET, 0, 0);
	if (r < 0)
		goto fail;
	n->step = "bring up lo";
	r = sock = raw_syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r < 0)
		goto fail;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	r = raw_syscall(SYS_ioctl, sock, SIOCGIFFLAGS, (long)&ifr);
	if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = raw_syscall(SYS_ioctl, sock, SIOCSIFFLAGS, (long)&ifr);
	}
	if (r == 0) {
		/* the namespace of the socket, as an fd (close-on-exec): no /proc */
		n->step = "open the network namespace";
		r = raw_syscall(SYS_ioctl, sock, SIOCGSKNS, 0);
	}
	raw_syscall(SYS_close, sock, 0, 0);
	if (r < 0)
		goto fail;
	n->fd = (int)r;
	return 0;
fail:
	n->errnum = (int)-r;
	return 0;
}
#endif

void sk_netns_ahead_begin(struct sk_netns_ahead *n, const struct sk_config *c)
{
	const struct sk_namespace *net = sk_config_ns(c, SK_NS_NET);
	sigset_t all, old;
	cpu_set_t cpus;

	n->started = false;
	n->fd = -1;
	n->errnum = 0;
	n->step = NULL;
	/* a namespace of a new or joined user namespace is made in it */
	if (!HAVE_RAW_SYSCALL || !net || net->path || sk_config_ns(c, SK_NS_USER))
		return;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0 || CPU_COUNT(&cpus) < 2)
		return;
#if HAVE_RAW_SYSCALL
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	n->started = clone(make_netns, thread_stack + sizeof(thread_stack),
			   CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
				   CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
			   n, &n->tid, NULL, &n->tid) > 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
#endif
}

/* The kernel clears n->tid and wakes its futex when the thread exits. */
static void wait_thread(struct sk_netns_ahead *n)
{
	int tid;

	if (!n->started)
		return;
	while ((tid = __atomic_load_n(&n->tid, __ATOMIC_ACQUIRE)) != 0)
		syscall(SYS_futex, &n->tid, FUTEX_WAIT, tid, NULL, NULL, 0);
	n->started = false;
}

int sk_netns_ahead_finish(struct sk_netns_ahead *n, struct sk_error *err)
{
	wait_thread(n);
	if (n->fd < 0) {
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
