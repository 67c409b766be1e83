/* skiff events: runc-compatible JSON events of a container, one per line:
 * {"type":"stats","id":ID,"data":{...runc's stats...}} every --interval
 * (once with --stats) and {"type":"oom","id":ID} when the kernel OOM
 * killer kills in its cgroup; a last {"type":"exit","id":ID,"data":{"cause",
 * "message"}} says why it stopped (exit_cause.c).  Ends when the init exits. */
#include <errno.h>
#include <fcntl.h>
#include <yajl/yajl_gen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "exit_cause.h"
#include "skiff.h"
#include "skiff/json.h"
#include "skiff/util.h"

/* Go-style durations: "5s", "500ms", "1m", "2" (seconds). */
static int parse_interval(const char *s, int *ms, struct sk_error *err)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		goto bad;
	if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else if (strcmp(end, "ms"))
		goto bad;
	if (v < 1 || v > 86400000.0)
		goto bad;
	*ms = (int)v;
	return 0;
bad:
	return sk_error(err, EINVAL, "events: --interval: invalid duration \"%s\" (e.g. 5s, 500ms)", s);
}

static void kstr(yajl_gen g, const char *k, const char *v)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
	yajl_gen_string(g, (const unsigned char *)v, strlen(v));
}

static void print_stats(const char *id, struct sk_cgroup *cg)
{
	char *data = sk_cgroup_stats_json(cg);

	printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
	fflush(stdout);
	free(data);
}

static void check_oom(const char *id, struct sk_cgroup *cg, long long *seen)
{
	long long n = sk_cgroup_oom_kills(cg);

	if (n > *seen) {
		printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
		fflush(stdout);
	}
	if (n > *seen)
		*seen = n;
}

/* The last event: why the container stopped (exit_cause.c). */
static void print_exit(const char *id, int sdir, struct sk_cgroup *cg)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	_cleanup_free_ char *out = NULL;
	struct sk_exit_cause e;

	sk_exit_cause_get(sdir, cg, -1, &e);
	yajl_gen_map_open(g);
	kstr(g, "type", "exit");
	kstr(g, "id", id);
	yajl_gen_string(g, (const unsigned char *)"data", 4);
	yajl_gen_map_open(g);
	kstr(g, "cause", e.cause);
	kstr(g, "message", e.msg);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	out = sk_json_finish(g, true);
	fputs(out, stdout);
	fflush(stdout);
}

int sk_cmd_events(int argc, char **argv, struct sk_error *err)
{
	bool stats = false;
	const char *interval = "5s";
	const struct sk_opt opts[] = {
		{ "stats", 0, SK_OPT_FLAG, &stats },
		{ "interval", 0, SK_OPT_STRING, &interval },
		{ NULL, 0, 0, NULL },
	};
	struct sk_container c;
	struct sk_cgroup cg;
	_cleanup_free_ char *id = NULL, *events = NULL;
	enum sk_status status;
	char *pos[1];
	int ms = 5000, pidfd, ino = -1, sdir, rc;
	long long seen = 0;

	if (sk_parse_id_opts(argc, argv, opts, pos, 1, err) < 0)
		return -1;
	if (parse_interval(interval, &ms, err) < 0)
		return -1;
	if (sk_container_load(pos[0], &c, err) < 0)
		return -1;
	status = sk_container_status(&c);
	if (status == SK_STATUS_STOPPED || status == SK_STATUS_CREATING)
		/* runc's text */
		rc = sk_error(err, EINVAL, "container with id %s is not running (it is %s): no events", c.id,
			      sk_status_name(status));
	else
		rc = sk_container_cgroup(&c, &cg, err);
	if (rc < 0) {
		sk_container_release(&c);
		return -1;
	}
	id = sk_xstrdup(c.id);
	pidfd = sk_container_pidfd(&c);
	sdir = fcntl(c.dirfd, F_DUPFD_CLOEXEC, 3);
	/* do not hold the container's lock while waiting */
	sk_container_release(&c);
	if (stats) {
		print_stats(id, &cg);
		goto out;
	}
	seen = sk_cgroup_oom_kills(&cg);
	if (seen < 0)
		seen = 0;
	events = sk_xasprintf("%s/memory.events", cg.dir);
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino >= 0 && inotify_add_watch(ino, events, IN_MODIFY) < 0) {
		close(ino);
		ino = -1;
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = ino, .events = POLLIN } };
		int r = poll(p, 2, ms);

		if (r < 0 && errno != EINTR)
			break;
		if (r == 0) {
			print_stats(id, &cg);
			continue;
		}
		if (p[1].revents & POLLIN) {
			char buf[4096];

			while (read(ino, buf, sizeof(buf)) > 0)
				;
			check_oom(id, &cg, &seen);
		}
		if (pidfd < 0 || (p[0].revents & (POLLIN | POLLHUP))) {
			check_oom(id, &cg, &seen);
			print_exit(id, sdir, &cg);
			break;
		}
	}
	if (ino >= 0)
		close(ino);
out:
	if (sdir >= 0)
		close(sdir);
	if (pidfd >= 0)
		close(pidfd);
	sk_cgroup_release(&cg);
	return 0;
}
