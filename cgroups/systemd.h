/* The systemd cgroup driver's pieces (private to cgroups/):
 * systemd_path.c: runc's cgroupsPath rules for the systemd driver;
 * systemd_dbus.c: systemd's D-Bus API (org.freedesktop.systemd1.Manager)
 * over the client of src/dbus.h: transient units, their properties, jobs. */
#ifndef SKIFF_CGROUPS_SYSTEMD_H
#define SKIFF_CGROUPS_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../src/dbus.h"

struct sk_error;

#define SK_SD_NAME_MAX 256	/* a unit name and its NUL (systemd's UNIT_NAME_MAX) */

struct sk_sd_path {
	char slice[SK_SD_NAME_MAX];	/* the parent slice unit: "system.slice" */
	char unit[SK_SD_NAME_MAX];	/* "<prefix>-<name>.scope", or "<name>.slice" */
	char cgroup[4096];		/* below the (systemd manager's) cgroup root:
					 * "/system.slice/skiff-<id>.scope" */
};

/* linux.cgroupsPath (NULL or "": "system.slice:skiff:<id>", rootless
 * "user.slice:skiff:<id>") in runc's "slice:prefix:name" form; an empty
 * slice is the default one, "-" the root slice; a name ending in ".slice"
 * is a slice unit (the prefix is then ignored).  Errors are one line
 * naming linux.cgroupsPath. */
int sk_sd_path_parse(const char *cgroups_path, const char *id, bool rootless,
		     struct sk_sd_path *out, struct sk_error *err);
/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice" ("-.slice": "/"). */
int sk_sd_slice_expand(const char *slice, char *out, size_t size, struct sk_error *err);

/* ---- systemd's D-Bus API */
#define SK_SD_BUS "/run/dbus/system_bus_socket"
#define SK_SD_PRIVATE "/run/systemd/private"	/* systemd itself, peer to peer */

/* Connect to systemd: the system bus, or when `private` its private
 * socket (no bus daemon needed; root only); subscribed to its signals
 * (JobRemoved).  Bounded by timeout_ms. */
int sk_sd_connect(struct sk_dbus *c, bool private, int timeout_ms, struct sk_error *err);

/* The start of a StartTransientUnit call's body ("ssa(sv)a(sa(sv))"):
 * the unit and the job mode, then the properties array is open: add
 * properties with sk_sd_prop_* and close with sk_sd_transient_end. */
void sk_sd_transient_begin(struct sk_dbus_w *w, const char *unit, const char *mode);
void sk_sd_transient_end(struct sk_dbus_w *w);
void sk_sd_prop_s(struct sk_dbus_w *w, const char *name, const char *v);
void sk_sd_prop_b(struct sk_dbus_w *w, const char *name, bool v);
void sk_sd_prop_t(struct sk_dbus_w *w, const char *name, uint64_t v);
void sk_sd_prop_pids(struct sk_dbus_w *w, const pid_t *pids, size_t n);
/* DeviceAllow: pairs of (path, "rwm" subset) */
void sk_sd_prop_devices(struct sk_dbus_w *w, const char *const (*allow)[2], size_t n);
/* AllowedCPUs / AllowedMemoryNodes: a bitmask (ay) of the list "0-3,5" */
int sk_sd_prop_bitmask(struct sk_dbus_w *w, const char *name, const char *list,
		       struct sk_error *err);

/* Manager methods.  The job ones fill job (an object path) and, when
 * wait_ms > 0, wait that long for its JobRemoved and fail unless its
 * result is "done". */
int sk_sd_start_transient(struct sk_dbus *c, const struct sk_dbus_w *body, char *job,
			  size_t jobsize, int wait_ms, struct sk_error *err);
int sk_sd_stop_unit(struct sk_dbus *c, const char *unit, char *job, size_t jobsize,
		    int wait_ms, struct sk_error *err);
/* ResetFailedUnit; a unit not loaded (a stopped transient unit is
 * unloaded at once) has nothing to reset: 0. */
int sk_sd_reset_failed(struct sk_dbus *c, const char *unit, struct sk_error *err);
/* The unit's object path; -1 (err "org.freedesktop.systemd1.NoSuchUnit: ...")
 * when it is not loaded. */
int sk_sd_get_unit(struct sk_dbus *c, const char *unit, char *path, size_t size,
		   struct sk_error *err);
/* SetUnitProperties(unit, runtime, a(sv)): begin the body, add
 * properties with sk_sd_prop_*, then the call closes and sends it. */
void sk_sd_set_props_begin(struct sk_dbus_w *w, const char *unit, bool runtime);
int sk_sd_set_props(struct sk_dbus *c, struct sk_dbus_w *body, struct sk_error *err);
/* JobRemoved(u id, o job, s unit, s result) from a message; 0 when it is one. */
int sk_sd_job_removed(const struct sk_dbus_msg *m, uint32_t *id, const char **job,
		      const char **unit, const char **result);

/* ---- systemd_props.c: linux.resources as unit properties (into an open
 * a(sv)); what has no property is left to the cgroup files. */
struct sk_resources;
int sk_sd_props_resources(struct sk_dbus_w *w, const struct sk_resources *r,
			  struct sk_error *err);
/* DevicePolicy and DeviceAllow: a superset of the rules and the standard
 * devices (skiff's own device program narrows it), none without rules; proc_devices: /proc/devices' text (names of
 * majors), NULL when unknown. */
int sk_sd_props_devices(struct sk_dbus_w *w, const struct sk_resources *r,
			const char *proc_devices);

/* ---- systemd_cg.c: the systemd cgroup driver (sk_cg_driver_systemd,
 * driver.h) */
struct sk_config;
/* Where the scope's cgroup will be (dir, path) and the unit; one-line
 * errors: no systemd, not a v2 host, a bad linux.cgroupsPath. */
int sk_sd_cg_plan(const struct sk_config *c, const char *id, char **dir, char **path,
		  char **unit, struct sk_error *err);

#endif
