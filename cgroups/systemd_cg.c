/* The systemd cgroup driver (--systemd-cgroup, cgroup v2 hosts): the
 * container's cgroup is a transient scope unit that systemd makes, in the
 * slice linux.cgroupsPath names ("slice:prefix:name", runc's rules,
 * systemd_path.c).  Everything else is the v2 driver's: the scope is
 * delegated (Delegate=yes) and skiff reads and writes its cgroup files.
 *
 * The scope is started as runc does it: with the init's pid, after
 * clone3, while the init waits (sk_cgroup_needs_attach): StartTransientUnit
 * needs a process to put in the scope, and a scope whose last process
 * leaves is stopped by systemd, so a placeholder would have to outlive
 * clone3 and die after it, racing systemd's empty-cgroup check.  Then the
 * resources go to the files too (what has no property, and the device
 * program), before the init is let go.
 *
 * The unit is recorded (the "cgroup" record's `unit`, state.json's
 * cgroupUnit) before it is started: delete stops it, resets it when it
 * failed, and removes what is left of its cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "systemd.h"
#include "v2.h"
#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"

#define SD_SYSTEM "/run/systemd/system"	/* systemd is running (sd_booted) */
#define SD_TIMEOUT_MS 10000	/* connecting, each call */
#define SD_JOB_MS 30000		/* a start or stop job (runc: 30 s) */

struct sk_sd_cg {
	const struct sk_config *c;	/* borrowed from create's caller */
	char *id;
	struct sk_sd_path p;
	bool started;
	/* the last OOM kill count read, and memory.max then: systemd removes
	 * the cgroup once it is empty, maybe before `run` asks (cmd_run.c) */
	long long ooms;
	char mem[32];
	/* the parent slice's oom_kill (memory.events counts the cgroups
	 * below) when the count was first read, -1 unknown: the OOM kill's
	 * event may come after systemd removed the scope's cgroup */
	long long parent_ooms;
};
#define SD_UNREAD (-2)

/* oom_kill of the slice the scope is in, -1 when unreadable. */
static long long parent_oom_kills(const struct sk_cgroup *cg)
{
	_cleanup_free_ char *parent = cg->dir ? sk_xstrdup(cg->dir) : NULL;
	struct sk_error e;
	long long n = -1;
	char *slash = parent ? strrchr(parent, '/') : NULL;
	int fd;

	if (!slash || slash == parent)
		return -1;
	*slash = '\0';
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (sk_cg_read_key(fd, "memory.events", "oom_kill", &n, &e) < 0)
		n = -1;
	close(fd);
	return n;
}

static int not_running(struct sk_error *err)
{
	return sk_error(err, ENOENT, "--systemd-cgroup: no systemd is running "
			"(use --cgroup-manager cgroupfs)");
}

static int connect_sd(struct sk_dbus *conn, struct sk_error *err)
{
	struct sk_error e = { 0 };

	if (access(SD_SYSTEM, F_OK) < 0)
		return not_running(err);
	/* root: systemd's own socket (no bus daemon needed), else the bus */
	if (geteuid() == 0 && sk_sd_connect(conn, true, SD_TIMEOUT_MS, &e) == 0)
		return 0;
	return sk_sd_connect(conn, false, SD_TIMEOUT_MS, err);
}

static int plan(const struct sk_config *c, const char *id, struct sk_sd_path *p, char **dir,
		struct sk_error *err)
{
	enum sk_cgroup_mode mode;
	const char *mnt;

	if (access(SD_SYSTEM, F_OK) < 0)
		return not_running(err);
	if (sk_cgroup_detect(&mode, &mnt, err) < 0)
		return -1;
	if (mode != SK_CGROUP_UNIFIED)
		return sk_error(err, ENOTSUP, "--systemd-cgroup: the systemd cgroup driver needs a "
				"cgroup v2 host (this one is %s)", sk_cgroup_mode_name(mode));
	if (sk_sd_path_parse(c ? c->linux.cgroups_path : NULL, id, geteuid() != 0, p, err) < 0)
		return -1;
	if (!strcmp(p->unit + strlen(p->unit) - 6, ".slice"))
		return sk_error(err, EINVAL, "linux.cgroupsPath: the container's unit must be a "
				"scope, not the slice \"%s\"", p->unit);
	*dir = sk_xasprintf("%s%s", mnt, p->cgroup);
	return 0;
}

int sk_sd_cg_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		  char **unit, struct sk_error *err)
{
	struct sk_sd_path p;

	if (plan(c, id, &p, dir, err) < 0)
		return -1;
	*path = sk_xstrdup(p.cgroup);
	*unit = sk_xstrdup(p.unit);
	return 0;
}

/* The unit and its cgroup are checked and planned; systemd makes them
 * when attach starts the scope with the init. */
static int sd_create(const struct sk_config *c, const char *id, struct sk_cgroup *out,
		     struct sk_error *err)
{
	struct sk_sd_cg *sd = sk_xcalloc(1, sizeof(*sd));
	struct sk_cg_ctrls need;
	char *dir = NULL;

	sd->parent_ooms = SD_UNREAD;
	out->dirfd = -1;
	if (plan(c, id, &sd->p, &dir, err) < 0 ||
	    (c && sk_cg2_check(&c->linux.resources, &need, err) < 0))
		goto fail;
	if (access(dir, F_OK) == 0) {
		sk_error(err, EEXIST, "linux.cgroupsPath: the cgroup of unit %s (%s) exists already",
			 sd->p.unit, dir);
		goto fail;
	}
	sd->c = c;
	sd->id = sk_xstrdup(id);
	out->path = sk_xstrdup(sd->p.cgroup);
	out->dir = dir;
	out->owned = true;
	out->unit = sk_xstrdup(sd->p.unit);
	out->priv = sd;
	return 0;
fail:
	free(dir);
	free(sd);
	return -1;
}

static int sd_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		   struct sk_error *err)
{
	char *unit = NULL;
	int r = sk_sd_cg_plan(c, id, dir, path, &unit, err);

	free(unit);
	return r;
}

static void sd_release(struct sk_cgroup *cg)
{
	struct sk_sd_cg *sd = cg->priv;

	if (sd)
		free(sd->id);
	free(sd);
	cg->priv = NULL;
}

/* The resources in the cgroup files (after the properties: what has none,
 * and the device program), as the v2 driver writes them. */
static int apply_files(struct sk_cgroup *cg, const struct sk_config *c, struct sk_error *err)
{
	if (sk_cg2_enable_apply(cg, cg->dirfd, &c->linux.resources, false, err) < 0)
		return -1;
	if (c->linux.resources.n_devices && sk_cg2_devices(cg->dirfd, c, err) < 0)
		return -1;
	return 0;
}

static int start(struct sk_cgroup *cg, struct sk_sd_cg *sd, pid_t pid, struct sk_error *err)
{
	const struct sk_config *c = sd->c;
	struct sk_dbus conn;
	struct sk_dbus_w w = { 0 };
	_cleanup_free_ char *desc = sk_xasprintf("skiff container %s", sd->id);
	_cleanup_free_ char *devices = NULL;
	struct sk_error e;
	char job[128];
	int r = -1;

	if (connect_sd(&conn, err) < 0)
		return -1;
	sk_sd_transient_begin(&w, cg->unit, "replace");
	sk_sd_prop_s(&w, "Description", desc);
	sk_sd_prop_s(&w, "Slice", sd->p.slice);
	sk_sd_prop_b(&w, "Delegate", true);
	sk_sd_prop_b(&w, "DefaultDependencies", false);
	sk_sd_prop_pids(&w, &pid, 1);
	if (c) {
		if (sk_sd_props_resources(&w, &c->linux.resources, err) < 0)
			goto out;
		sk_read_file_at(AT_FDCWD, "/proc/devices", &devices, NULL, 1 << 16, &e);
		sk_sd_props_devices(&w, &c->linux.resources, devices);
	}
	sk_sd_transient_end(&w);
	if (w.oom) {
		sk_error(err, ENOMEM, "systemd: out of memory");
		goto out;
	}
	if (sk_sd_start_transient(&conn, &w, job, sizeof(job), SD_JOB_MS, err) < 0) {
		sk_error_ctx(err, "start systemd unit %s", cg->unit);
		goto out;
	}
	cg->dirfd = open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dirfd < 0) {
		sk_error_sys(err, "open cgroup %s of unit %s", cg->dir, cg->unit);
		goto out;
	}
	if (c && apply_files(cg, c, err) < 0)
		goto out;
	sd->started = true;
	r = 0;
out:
	sk_dbus_w_free(&w);
	sk_dbus_close(&conn);
	return r;
}

/* The init (create) starts the scope; later processes are written into
 * its cgroup as the v2 driver does. */
static int sd_attach(struct sk_cgroup *cg, pid_t pid, struct sk_error *err)
{
	struct sk_sd_cg *sd = cg->priv;

	if (sd && !sd->started)
		return start(cg, sd, pid, err);
	return sk_cg2_attach(cg, pid, err);
}

static bool sd_needs_attach(const struct sk_cgroup *cg)
{
	return cg->dirfd < 0;
}

static int sd_update(struct sk_cgroup *cg, const struct sk_resources *r, struct sk_error *err)
{
	struct sk_dbus conn;
	struct sk_dbus_w w = { 0 };
	int rc = -1;

	if (!cg->unit)
		return sk_cg2_update(cg, r, err);
	if (sk_cg2_check(r, &(struct sk_cg_ctrls){ .n = 0 }, err) < 0 || connect_sd(&conn, err) < 0)
		return -1;
	sk_sd_set_props_begin(&w, cg->unit, true);
	if (sk_sd_props_resources(&w, r, err) < 0)
		goto out;
	if (w.oom) {
		sk_error(err, ENOMEM, "systemd: out of memory");
		goto out;
	}
	if (sk_sd_set_props(&conn, &w, err) < 0) {
		sk_error_ctx(err, "systemd unit %s", cg->unit);
		goto out;
	}
	rc = sk_cg2_update(cg, r, err);
out:
	sk_dbus_w_free(&w);
	sk_dbus_close(&conn);
	return rc;
}

/* StopUnit (bounded) when loaded, ResetFailedUnit. */
static int stop(struct sk_cgroup *cg, struct sk_error *err)
{
	struct sk_dbus conn;
	struct sk_error e = { 0 };
	char path[256], job[128];
	int r = 0;

	if (connect_sd(&conn, err) < 0)
		return sk_error_ctx(err, "stop systemd unit %s", cg->unit);
	/* not loaded (never started, or stopped and gone): nothing to stop */
	if (sk_sd_get_unit(&conn, cg->unit, path, sizeof(path), &e) == 0) {
		if (sk_sd_stop_unit(&conn, cg->unit, job, sizeof(job), SD_JOB_MS, err) < 0)
			r = sk_error_ctx(err, "stop systemd unit %s", cg->unit);
	} else if (!strstr(e.msg, "NoSuchUnit")) {
		*err = e;
		r = sk_error_ctx(err, "systemd unit %s", cg->unit);
	}
	/* a unit that failed (an OOM kill) stays loaded until reset */
	if (sk_sd_reset_failed(&conn, cg->unit, r < 0 ? &e : err) < 0 && r == 0)
		r = sk_error_ctx(err, "reset systemd unit %s", cg->unit);
	sk_dbus_close(&conn);
	return r;
}

/* Killed first (a stop job waits for what ignores SIGTERM), the unit
 * stopped, then what is left of its cgroup as the v2 driver removes it. */
static int sd_destroy(struct sk_cgroup *cg, struct sk_error *err)
{
	struct sk_error e;

	if (cg->unit) {
		if (cg->dir && access(cg->dir, F_OK) == 0)
			sk_cg_signal_all(cg, SIGKILL, &e);
		if (stop(cg, err) < 0)
			return -1;
	}
	return sk_cg2_destroy(cg, err);
}

/* systemd removes the scope's cgroup once it is empty, maybe before `run`
 * asks why the init died: the last count read (cmd_run.c reads it each
 * time memory.events changes) and memory.max then are kept. */
static long long sd_oom_kills(struct sk_cgroup *cg)
{
	struct sk_sd_cg *sd = cg->priv;
	long long n = sk_cg2_oom_kills(cg);

	long long p;

	if (!sd || !sd->started)
		return n;
	if (n < 0) {	/* the cgroup is gone */
		if (sd->ooms > 0)
			return sd->ooms;
		/* no kill seen in it: one in its slice since is taken for
		 * its (exit_cause names it only for a SIGKILLed init) */
		p = sd->parent_ooms >= 0 ? parent_oom_kills(cg) : -1;
		return p > sd->parent_ooms ? p - sd->parent_ooms : n;
	}
	if (sd->parent_ooms == SD_UNREAD)
		sd->parent_ooms = parent_oom_kills(cg);
	sk_cg2_memory_max(cg, sd->mem, sizeof(sd->mem));
	sd->ooms = n;
	return n;
}

static void sd_memory_max(struct sk_cgroup *cg, char *buf, size_t len)
{
	struct sk_sd_cg *sd = cg->priv;

	sk_cg2_memory_max(cg, buf, len);
	if (!buf[0] && sd && sd->mem[0])
		snprintf(buf, len, "%s", sd->mem);
}

const struct sk_cgroup_driver sk_cg_driver_systemd = {
	.name = "systemd",
	.mode = SK_CGROUP_UNIFIED,
	.memory_limit_file = "memory.max",
	.plan = sd_plan,
	.create = sd_create,
	.open = sk_cg2_open,
	.release = sd_release,
	.destroy = sd_destroy,
	.needs_attach = sd_needs_attach,
	.attach = sd_attach,
	.freeze = sk_cg2_freeze,
	.is_frozen = sk_cg2_is_frozen,
	.signal_all = sk_cg_signal_all,
	.pids = sk_cg_pids,
	.update = sd_update,
	.stats_json = sk_cg2_stats_json,
	.oom_kills = sd_oom_kills,
	.pids_max_hits = sk_cg2_pids_max_hits,
	.memory_max = sd_memory_max,
	.peaks = sk_cg2_peaks,
};
