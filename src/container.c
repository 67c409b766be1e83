/* The state directory <root>/<id>: creation, locking, status. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

int sk_validate_id(const char *id, struct sk_error *err)
{
	size_t n = strlen(id);

	if (!n || n > 1024)
		return sk_error(err, EINVAL, "invalid container id \"%s\"", id);
	/* "." and "..", and skiff's own entries in the state root
	 * (.seccomp-cache): never a container */
	if (id[0] == '.')
		return sk_error(err, EINVAL, "invalid container id \"%s\": must not start with '.'", id);
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return sk_error(err, EINVAL,
					"invalid container id \"%s\": use letters, digits and _ + - .", id);
	return 0;
}

int sk_root_open(struct sk_error *err)
{
	int fd = open(sk_g.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : sk_error_sys(err, "open state root %s", sk_g.root);
	if (sk_mkdir_p(sk_g.root, 0700) < 0)
		return sk_error_sys(err, "create state root %s", sk_g.root);
	fd = open(sk_g.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sk_error_sys(err, "open state root %s", sk_g.root);
	return fd;
}

/* Present in the state directory while a create holds its lock: create
 * keeps the lock until the container is set up, hooks included, and a
 * hook that asks skiff about the container must not wait for itself. */
#define CREATING "creating"

/* How long a command waits for another one's lock on a container. */
#define LOCK_WAIT_MS (30 * 1000)

/* flock(LOCK_EX), polling for at most LOCK_WAIT_MS: a holder that
 * hangs (or a killed create's init that has not closed its copy of the
 * lock yet) never stops a command for good. */
static int flock_bounded(int fd)
{
	struct timespec start, now, pause = { 0, 1000000 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    LOCK_WAIT_MS) {
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 32000000)
			pause.tv_nsec *= 2;
	}
}

/* Take the container's lock.  While a create holds it: LOCK_PEEK (state,
 * list) goes on without it and marks the container as creating;
 * LOCK_TRY fails at once; LOCK_WAIT (delete) waits for the create to end
 * or die.  Otherwise it waits for the holder (bounded). */
enum lock_mode { LOCK_TRY, LOCK_PEEK, LOCK_WAIT };

/* Whether the skiff whose pid the CREATING file holds still runs. */
static bool creator_alive(int dirfd)
{
	_cleanup_free_ char *pid = NULL;
	struct sk_error e;
	long n;

	if (sk_read_file_at(dirfd, CREATING, &pid, NULL, 32, &e) < 0)
		return false;
	n = strtol(pid, NULL, 10);
	return n > 0 && (kill((pid_t)n, 0) == 0 || errno == EPERM);
}

static int lock_dir(struct sk_container *c, enum lock_mode mode, struct sk_error *err)
{
	/* The directory itself is the lock: no file to create and remove.
	 * Its own open file description, so that closing lockfd alone
	 * releases the lock (dirfd stays open). */
	c->lockfd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->lockfd < 0)
		return sk_error_sys(err, "container %s: lock", c->id);
	if (flock(c->lockfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	/* LOCK_WAIT waits only when the create that made it is gone (its
	 * init may hold the lock a moment longer): never for a live create,
	 * which may be running a hook that is asking. */
	if (errno == EWOULDBLOCK && (mode != LOCK_WAIT || creator_alive(c->dirfd)) &&
	    faccessat(c->dirfd, CREATING, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		if (mode != LOCK_PEEK)
			return sk_error(err, EBUSY, "container \"%s\" is being created", c->id);
		close(c->lockfd);
		c->lockfd = -1;
		c->creating = true;
		return 0;
	}
	/* Commands on one container are short: wait for the holder. */
	if (flock_bounded(c->lockfd) < 0) {
		if (errno == ETIMEDOUT)
			return sk_error(err, ETIMEDOUT, "container \"%s\": another skiff command "
					"held its lock for %d s", c->id, LOCK_WAIT_MS / 1000);
		return sk_error_sys(err, "container %s: lock", c->id);
	}
	return 0;
}

/* <root>/<id> and what is left in it; needs no fd when it is empty. */
static int remove_dir(int rootfd, const char *id)
{
	_cleanup_free_ char *path = sk_xasprintf("%s/%s", sk_g.root, id);
	_cleanup_close_ int fd = -1;

	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	if (rootfd < 0)
		rootfd = fd = open(sk_g.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return rootfd < 0 ? -1 : sk_rm_rf_at(rootfd, id);
}

int sk_container_new(const char *id, struct sk_container *c, struct sk_error *err)
{
	_cleanup_close_ int rootfd = -1;
	char pid[16];

	memset(c, 0, sizeof(*c));
	c->dirfd = c->lockfd = -1;
	if (sk_validate_id(id, err) < 0)
		return -1;
	rootfd = sk_root_open(err);
	if (rootfd < 0)
		return -1;
	if (mkdirat(rootfd, id, 0700) < 0) {
		if (errno == EEXIST)
			/* runc's text (before 1.1: engines and scripts match it) */
			return sk_error(err, EEXIST, "container with id exists: %s", id);
		return sk_error_sys(err, "create state directory %s/%s", sk_g.root, id);
	}
	c->id = sk_xstrdup(id);
	c->dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (c->dirfd < 0)
		sk_error_sys(err, "open state directory %s/%s", sk_g.root, id);
	else if (lock_dir(c, LOCK_TRY, err) < 0)
		;
	else if (sk_write_file_new(c->dirfd, CREATING, pid, strlen(pid), 0600, err) < 0)
		sk_state_dir_error(id, err);
	else
		return 0;
	/* its fds back first: removal must work out of fds (EMFILE) */
	sk_container_release(c);
	remove_dir(rootfd, id);
	return -1;
}

int sk_state_dir_error(const char *id, struct sk_error *err)
{
	return sk_error_ctx(err, "state directory %s/%s", sk_g.root, id);
}

void sk_container_created(struct sk_container *c)
{
	unlinkat(c->dirfd, CREATING, 0);
}

static int load(const char *id, struct sk_container *c, enum lock_mode mode, bool any,
		struct sk_error *err)
{
	_cleanup_close_ int rootfd = -1;

	memset(c, 0, sizeof(*c));
	c->dirfd = c->lockfd = -1;
	if (sk_validate_id(id, err) < 0)
		return -1;
	rootfd = open(sk_g.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0)
		c->dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->dirfd < 0) {
		if (errno == ENOENT)
			return sk_error(err, ENOENT, "container \"%s\" does not exist", id);
		return sk_error_sys(err, "container \"%s\"", id);
	}
	c->id = sk_xstrdup(id);
	if (lock_dir(c, mode, err) < 0)
		goto fail;
	if (faccessat(c->dirfd, "state.json", F_OK, 0) < 0 && errno == ENOENT) {
		/* being created, or a create that died: its marker is there
		 * from the start (an empty directory: nothing was recorded) */
		c->no_record = !c->creating &&
			       faccessat(c->dirfd, CREATING, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
		return 0;
	}
	if (sk_state_read(c->dirfd, &c->state, err) < 0) {
		if (any) {
			c->damage = sk_xstrdup(err->msg);
			return 0;
		}
		sk_error_ctx(err, "container \"%s\"", id);
		goto fail;
	}
	return 0;
fail:
	sk_container_release(c);
	return -1;
}

int sk_container_load(const char *id, struct sk_container *c, struct sk_error *err)
{
	return load(id, c, LOCK_TRY, false, err);
}

int sk_container_load_any(const char *id, bool peek, struct sk_container *c,
			  struct sk_error *err)
{
	return load(id, c, peek ? LOCK_PEEK : LOCK_WAIT, true, err);
}

int sk_container_peek(const char *id, struct sk_container *c, struct sk_error *err)
{
	return load(id, c, LOCK_PEEK, false, err);
}

void sk_container_unlock(struct sk_container *c)
{
	if (c->lockfd >= 0)
		flock(c->lockfd, LOCK_UN);
}

void sk_container_relock(struct sk_container *c)
{
	if (c->lockfd >= 0 && flock_bounded(c->lockfd) < 0)
		sk_log_warn("container \"%s\": lock: %s (going on without it)", c->id,
			    strerror(errno));
}

void sk_container_release(struct sk_container *c)
{
	if (c->lockfd >= 0)
		close(c->lockfd);
	if (c->dirfd >= 0)
		close(c->dirfd);
	sk_state_free(c->state);
	free(c->damage);
	free(c->id);
	memset(c, 0, sizeof(*c));
	c->dirfd = c->lockfd = -1;
}

/* state.json goes last: a delete killed on the way leaves a directory
 * that still says what it is, or an empty one (docs/state.md). */
void sk_container_remove(struct sk_container *c)
{
	DIR *d;
	struct dirent *de;

	/* its fd back first, and the directory read on dirfd itself: out of
	 * fds (EMFILE), removal still works */
	if (c->lockfd >= 0)
		close(c->lockfd), c->lockfd = -1;
	d = c->dirfd >= 0 ? fdopendir(c->dirfd) : NULL;
	if (d) {
		rewinddir(d);
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    strcmp(de->d_name, "state.json"))
				sk_rm_rf_at(dirfd(d), de->d_name);
	}
	sk_fault("delete-state-partial");
	if (c->dirfd >= 0)
		unlinkat(c->dirfd, "state.json", 0);
	if (d)
		closedir(d), c->dirfd = -1;
	sk_fault("delete-state-emptied");
	if (remove_dir(-1, c->id) < 0)
		sk_log_warn("remove state directory %s/%s: %s", sk_g.root, c->id, sk_strerror(errno));
}

/* The "cgroup" record: what delete needs to find and remove the
 * container's cgroups when state.json is missing (a create killed before
 * it was written) or unreadable.  Lines "owned 0|1", "dir DIR",
 * "path PATH" and, with v1 hierarchies, "v1 LISTS" (docs/state.md). */
#define CGROUP_REC "cgroup"

int sk_cgroup_rec_write(int dirfd, const struct sk_cgroup_rec *r, bool replace,
			struct sk_error *err)
{
	_cleanup_free_ char *v1 = r->owned_v1 ? sk_xasprintf("v1 %s\n", r->owned_v1) : NULL;
	_cleanup_free_ char *unit = r->unit ? sk_xasprintf("unit %s\n", r->unit) : NULL;
	_cleanup_free_ char *rec = sk_xasprintf("owned %d\ndir %s\npath %s\n%s%s", r->owned, r->dir,
						r->path ? r->path : "", v1 ? v1 : "",
						unit ? unit : "");

	if (replace)
		return sk_write_file_atomic(dirfd, CGROUP_REC, rec, strlen(rec), 0600, err);
	return sk_write_file_new(dirfd, CGROUP_REC, rec, strlen(rec), 0600, err);
}

int sk_cgroup_rec_read(int dirfd, struct sk_cgroup_rec *r)
{
	_cleanup_free_ char *rec = NULL;
	struct sk_error e;
	char *line, *save = NULL;

	memset(r, 0, sizeof(*r));
	if (sk_read_file_at(dirfd, CGROUP_REC, &rec, NULL, 1 << 16, &e) < 0)
		return -1;
	for (line = strtok_r(rec, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "owned 1"))
			r->owned = true;
		else if (!strncmp(line, "dir /", 5) && !r->dir)
			r->dir = sk_xstrdup(line + 4);
		else if (!strncmp(line, "path /", 6) && !r->path)
			r->path = sk_xstrdup(line + 5);
		else if (!strncmp(line, "v1 ", 3) && !r->owned_v1)
			r->owned_v1 = sk_xstrdup(line + 3);
		else if (!strncmp(line, "unit ", 5) && line[5] && !r->unit)
			r->unit = sk_xstrdup(line + 5);
	}
	if (!r->dir) {
		sk_cgroup_rec_free(r);
		return -1;
	}
	return 0;
}

void sk_cgroup_rec_free(struct sk_cgroup_rec *r)
{
	free(r->dir);
	free(r->path);
	free(r->owned_v1);
	free(r->unit);
	memset(r, 0, sizeof(*r));
}

/* Field 22 of /proc/<pid>/stat, and the state letter. 0 when gone. */
uint64_t sk_proc_start_time(pid_t pid, char *state_char)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');           /* comm may hold spaces and ')' */
	if (!p || p[1] != ' ')
		return 0;
	if (state_char)
		*state_char = p[2];
	/* after ") " come fields 3.. ; starttime is field 22 */
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return 0;
	return start;
}

static bool init_alive(const struct sk_state *s)
{
	char st = 0;

	if (!s || s->pid <= 0)
		return false;
	if (sk_proc_start_time(s->pid, &st) != s->start_time)
		return false;
	return st != 'Z' && st != 'X';
}

const char *sk_container_status(struct sk_container *c)
{
	if (c->damage)
		return "unknown";
	if (!c->state || c->creating)
		return "creating";
	if (!init_alive(c->state))
		return "stopped";
	if (faccessat(c->dirfd, "exec.fifo", F_OK, 0) == 0)
		return "created";
	if (c->state->cgroup_path && sk_cgroup_dir_paused(c->state->cgroup_path))
		return "paused";
	return "running";
}

int sk_pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

void sk_kill_reap(pid_t pid, int pidfd)
{
	int fd = pidfd >= 0 ? pidfd : (int)syscall(SYS_pidfd_open, pid, 0);
	pid_t r;

	if (fd >= 0) {
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		sk_pidfd_wait(fd, SK_KILL_WAIT_MS);
	} else {
		kill(pid, SIGKILL);
	}
	do
		r = waitpid(pid, NULL, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		sk_log_warn("process %d did not exit %d s after SIGKILL", (int)pid,
			    SK_KILL_WAIT_MS / 1000);
	if (fd >= 0 && fd != pidfd)
		close(fd);
}

int sk_container_pidfd(struct sk_container *c)
{
	int fd;

	if (!c->state || c->state->pid <= 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, c->state->pid, 0);
	if (fd < 0)
		return -1;
	/* The pidfd pins the process: if it is still the one we started,
	 * it will stay that one. */
	if (!init_alive(c->state)) {
		close(fd);
		return -1;
	}
	return fd;
}
