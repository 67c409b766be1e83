/* process.terminal: the pty is created inside the container (its devpts),
 * the slave becomes /dev/console, the controlling terminal and stdio of the
 * process; the master goes to skiff (run) or to --console-socket. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

int sk_pty_open(const struct sk_process *p, int *slave, int *num, struct sk_error *err)
{
	int master, unlock = 0;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return sk_error_sys(err, "process.terminal: open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, num) < 0) {
		sk_error_sys(err, "process.terminal: unlock pty");
		goto fail;
	}
	/* Open the slave through the master (TIOCGPTPEER): no path race. */
	*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		sk_error_sys(err, "process.terminal: open /dev/pts/%d", *num);
		goto fail;
	}
	if (p->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };

		if (ioctl(*slave, TIOCSWINSZ, &ws) < 0) {
			sk_error_sys(err, "process.consoleSize");
			close(*slave);
			goto fail;
		}
	}
	return master;
fail:
	close(master);
	return -1;
}

int sk_pty_take(int slave, struct sk_error *err)
{
	int r = -1;

	if (setsid() < 0 && errno != EPERM)
		sk_error_sys(err, "process.terminal: setsid");
	else if (ioctl(slave, TIOCSCTTY, 0) < 0)
		sk_error_sys(err, "process.terminal: make the pty the controlling terminal");
	else if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		sk_error_sys(err, "process.terminal: dup2");
	else
		r = 0;
	close(slave);
	return r;
}

/* /dev/console is a bind mount of our own slave (CVE-2025-52565): the
 * target is a plain file opened without following symlinks and the mount
 * goes through that fd, then /dev/console must be the slave (same
 * device), or the setup fails. */
static int bind_console(int slave, int num, struct sk_error *err)
{
	char src[SK_ARRAY_SIZE("/proc/self/fd/") + 12], dst[SK_ARRAY_SIZE("/proc/self/fd/") + 12];
	struct stat st, sst, cst;
	int tfd, r;

	if (lstat("/dev/console", &st) == 0 && !S_ISREG(st.st_mode))
		unlink("/dev/console");
	tfd = open("/dev/console", O_CREAT | O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (tfd < 0)
		return sk_error_sys(err, "process.terminal: create /dev/console");
	if (fstat(tfd, &cst) < 0 || !S_ISREG(cst.st_mode)) {
		close(tfd);
		return sk_error(err, EPERM, "process.terminal: /dev/console is not a regular file we made");
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", slave);
	snprintf(dst, sizeof(dst), "/proc/self/fd/%d", tfd);
	r = mount(src, dst, NULL, MS_BIND, NULL);
	close(tfd);
	if (r < 0)
		return sk_error_sys(err, "process.terminal: bind /dev/pts/%d on /dev/console", num);
	if (fstat(slave, &sst) < 0 || stat("/dev/console", &cst) < 0 ||
	    !S_ISCHR(cst.st_mode) || cst.st_rdev != sst.st_rdev)
		return sk_error(err, EPERM, "process.terminal: /dev/console is not the pty skiff made");
	return 0;
}

int sk_terminal_setup(const struct sk_process *p, struct sk_error *err)
{
	int slave, num, master = sk_pty_open(p, &slave, &num, err);

	if (master < 0)
		return -1;
	if (bind_console(slave, num, err) < 0) {
		close(slave);
		close(master);
		return -1;
	}
	if (sk_pty_take(slave, err) < 0) {
		close(master);
		return -1;
	}
	return master;
}
