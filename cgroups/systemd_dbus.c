/* systemd's D-Bus API for the systemd cgroup driver (cgroups/systemd.h):
 * org.freedesktop.systemd1.Manager's transient units and jobs, over the
 * native client of src/dbus.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systemd.h"
#include "skiff/error.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_NO_SUCH_UNIT "org.freedesktop.systemd1.NoSuchUnit"
#define JOBS_SEEN 16

/* the JobRemoved signals seen (a job may end before its caller reads the
 * reply that names it), and the job waited for */
struct jobs {
	char job[JOBS_SEEN][128], result[JOBS_SEEN][32];
	unsigned next;
	const char *want;
	int found;	/* index in job[], -1 */
};

static void manager_call(struct sk_dbus_msg *h, const char *member, const char *sig)
{
	*h = (struct sk_dbus_msg){ .dest = SD_DEST, .path = SD_PATH, .iface = SD_MANAGER,
				   .member = member, .sig = sig };
}

int sk_sd_job_removed(const struct sk_dbus_msg *m, uint32_t *id, const char **job,
		      const char **unit, const char **result)
{
	struct sk_error e;

	if (m->type != SK_DBUS_SIGNAL || strcmp(m->path, SD_PATH) || strcmp(m->iface, SD_MANAGER) ||
	    strcmp(m->member, "JobRemoved"))
		return -1;
	return sk_dbus_read(m, "uoss", &e, id, job, unit, result);
}

static void on_msg(void *data, const struct sk_dbus_msg *m)
{
	struct jobs *j = data;
	const char *job, *unit, *result;
	uint32_t id;
	unsigned i;

	if (!j || sk_sd_job_removed(m, &id, &job, &unit, &result) < 0)
		return;
	i = j->next++ % JOBS_SEEN;
	snprintf(j->job[i], sizeof(j->job[i]), "%s", job);
	snprintf(j->result[i], sizeof(j->result[i]), "%s", result);
	if (j->want && !strcmp(j->want, job))
		j->found = (int)i;
}

static bool job_done(void *data)
{
	return ((struct jobs *)data)->found >= 0;
}

int sk_sd_connect(struct sk_dbus *c, bool private, int timeout_ms, struct sk_error *err)
{
	struct sk_dbus_msg h, r;
	struct sk_dbus_w w = { 0 };
	int rc;

	if (sk_dbus_open(c, private ? SK_SD_PRIVATE : SK_SD_BUS, !private, timeout_ms, err) < 0)
		return -1;
	rc = 0;
	if (!private) {
		/* the bus routes systemd's signals to us once asked */
		h = (struct sk_dbus_msg){ .dest = "org.freedesktop.DBus", .path = "/org/freedesktop/DBus",
					  .iface = "org.freedesktop.DBus", .member = "AddMatch", .sig = "s" };
		sk_dbus_w_s(&w, "type='signal',sender='" SD_DEST "',path='" SD_PATH "',"
			    "interface='" SD_MANAGER "',member='JobRemoved'");
		rc = sk_dbus_call(c, &h, &w, &r, timeout_ms, err);
		sk_dbus_w_free(&w);
	}
	/* systemd sends its signals to subscribed clients only */
	manager_call(&h, "Subscribe", NULL);
	if (rc == 0)
		rc = sk_dbus_call(c, &h, NULL, &r, timeout_ms, err);
	if (rc < 0) {
		sk_dbus_close(c);
		return sk_error_ctx(err, "systemd");
	}
	return 0;
}

void sk_sd_transient_begin(struct sk_dbus_w *w, const char *unit, const char *mode)
{
	sk_dbus_w_s(w, unit);
	sk_dbus_w_s(w, mode);
	sk_dbus_w_array_open(w, '(');
}

void sk_sd_transient_end(struct sk_dbus_w *w)
{
	sk_dbus_w_array_close(w);
	sk_dbus_w_array_open(w, '(');	/* no auxiliary units */
	sk_dbus_w_array_close(w);
}

void sk_sd_prop_s(struct sk_dbus_w *w, const char *name, const char *v)
{
	sk_dbus_w_prop(w, name, "s");
	sk_dbus_w_s(w, v);
}

void sk_sd_prop_b(struct sk_dbus_w *w, const char *name, bool v)
{
	sk_dbus_w_prop(w, name, "b");
	sk_dbus_w_b(w, v);
}

void sk_sd_prop_t(struct sk_dbus_w *w, const char *name, uint64_t v)
{
	sk_dbus_w_prop(w, name, "t");
	sk_dbus_w_t(w, v);
}

void sk_sd_prop_pids(struct sk_dbus_w *w, const pid_t *pids, size_t n)
{
	sk_dbus_w_prop(w, "PIDs", "au");
	sk_dbus_w_array_open(w, 'u');
	for (size_t i = 0; i < n; i++)
		sk_dbus_w_u(w, (uint32_t)pids[i]);
	sk_dbus_w_array_close(w);
}

void sk_sd_prop_devices(struct sk_dbus_w *w, const char *const (*allow)[2], size_t n)
{
	sk_dbus_w_prop(w, "DeviceAllow", "a(ss)");
	sk_dbus_w_array_open(w, '(');
	for (size_t i = 0; i < n; i++) {
		sk_dbus_w_struct(w);
		sk_dbus_w_s(w, allow[i][0]);
		sk_dbus_w_s(w, allow[i][1]);
	}
	sk_dbus_w_array_close(w);
}

int sk_sd_prop_bitmask(struct sk_dbus_w *w, const char *name, const char *list,
		       struct sk_error *err)
{
	uint8_t mask[512] = { 0 };	/* 4096 CPUs or nodes */
	unsigned long a, b;
	const char *p = list;
	char *end;
	size_t len = 0;

	while (*p) {
		a = strtoul(p, &end, 10);
		b = a;
		if (end == p)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p)
				goto bad;
		}
		if (a > b || b >= sizeof(mask) * 8)
			goto bad;
		for (; a <= b; a++)
			mask[a / 8] |= (uint8_t)(1u << (a % 8));
		len = b / 8 + 1 > len ? b / 8 + 1 : len;
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	sk_dbus_w_prop(w, name, "ay");
	sk_dbus_w_array_open(w, 'y');
	for (size_t i = 0; i < len; i++)
		sk_dbus_w_y(w, mask[i]);
	sk_dbus_w_array_close(w);
	return 0;
bad:
	return sk_error(err, EINVAL, "%s: invalid list \"%s\"", name, list);
}

/* A Manager method that returns a job: its path in job; then its end. */
static int job_call(struct sk_dbus *c, struct sk_dbus_msg *h, const struct sk_dbus_w *body,
		    char *job, size_t jobsize, int wait_ms, struct sk_error *err)
{
	struct jobs *j = calloc(1, sizeof(*j));
	struct sk_dbus_msg r;
	const char *path;
	int rc = -1;

	if (!j)
		return sk_error(err, ENOMEM, "systemd: out of memory");
	j->found = -1;
	c->on_msg = on_msg;
	c->data = j;
	if (sk_dbus_call(c, h, body, &r, wait_ms > 0 ? wait_ms : c->timeout_ms, err) < 0 ||
	    sk_dbus_read(&r, "o", err, &path) < 0)
		goto out;
	snprintf(job, jobsize, "%s", path);
	rc = 0;
	if (wait_ms <= 0)
		goto out;
	j->want = job;
	for (unsigned i = 0; i < JOBS_SEEN && i < j->next; i++)
		if (!strcmp(j->job[i], job))
			j->found = (int)i;
	if (sk_dbus_wait(c, job_done, wait_ms, err) < 0) {
		rc = sk_error_ctx(err, "systemd job %s", job);
		goto out;
	}
	if (strcmp(j->result[j->found], "done"))
		rc = sk_error(err, EIO, "systemd job %s: %s", job, j->result[j->found]);
out:
	c->on_msg = NULL;
	c->data = NULL;
	free(j);
	return rc;
}

int sk_sd_start_transient(struct sk_dbus *c, const struct sk_dbus_w *body, char *job,
			  size_t jobsize, int wait_ms, struct sk_error *err)
{
	struct sk_dbus_msg h;

	manager_call(&h, "StartTransientUnit", "ssa(sv)a(sa(sv))");
	return job_call(c, &h, body, job, jobsize, wait_ms, err);
}

int sk_sd_stop_unit(struct sk_dbus *c, const char *unit, char *job, size_t jobsize,
		    int wait_ms, struct sk_error *err)
{
	struct sk_dbus_msg h;
	struct sk_dbus_w w = { 0 };
	int rc;

	manager_call(&h, "StopUnit", "ss");
	sk_dbus_w_s(&w, unit);
	sk_dbus_w_s(&w, "replace");
	rc = job_call(c, &h, &w, job, jobsize, wait_ms, err);
	sk_dbus_w_free(&w);
	return rc;
}

/* a Manager method of one string argument */
static int unit_call(struct sk_dbus *c, const char *member, const char *unit,
		     struct sk_dbus_msg *r, struct sk_error *err)
{
	struct sk_dbus_msg h;
	struct sk_dbus_w w = { 0 };
	int rc;

	manager_call(&h, member, "s");
	sk_dbus_w_s(&w, unit);
	rc = sk_dbus_call(c, &h, &w, r, c->timeout_ms, err);
	sk_dbus_w_free(&w);
	return rc;
}

int sk_sd_reset_failed(struct sk_dbus *c, const char *unit, struct sk_error *err)
{
	struct sk_dbus_msg r = { 0 };

	if (unit_call(c, "ResetFailedUnit", unit, &r, err) == 0)
		return 0;
	/* a stopped transient unit is unloaded at once: nothing to reset */
	return r.type == SK_DBUS_ERROR && !strcmp(r.error, SD_NO_SUCH_UNIT) ? 0 : -1;
}

int sk_sd_get_unit(struct sk_dbus *c, const char *unit, char *path, size_t size,
		   struct sk_error *err)
{
	struct sk_dbus_msg r;
	const char *p;

	if (unit_call(c, "GetUnit", unit, &r, err) < 0 || sk_dbus_read(&r, "o", err, &p) < 0)
		return -1;
	snprintf(path, size, "%s", p);
	return 0;
}

void sk_sd_set_props_begin(struct sk_dbus_w *w, const char *unit, bool runtime)
{
	sk_dbus_w_s(w, unit);
	sk_dbus_w_b(w, runtime);
	sk_dbus_w_array_open(w, '(');
}

int sk_sd_set_props(struct sk_dbus *c, struct sk_dbus_w *body, struct sk_error *err)
{
	struct sk_dbus_msg h, r;

	sk_dbus_w_array_close(body);
	manager_call(&h, "SetUnitProperties", "sba(sv)");
	return sk_dbus_call(c, &h, body, &r, c->timeout_ms, err);
}
