/* tests/tools/dbus_probe: skiff's D-Bus client (base/dbus.h) and systemd's
 * API (cgroups/systemd.h) against a real systemd (tests/integration/systemd.bats).
 *
 *   dbus_probe [--private] [--record FILE] COMMAND...
 *     start UNIT SLICE PID MEMORYMAX TASKSMAX   a transient scope of PID
 *         (Delegate, MemoryMax, TasksMax, CPUWeight 50, CPUQuotaPerSecUSec
 *         0.5 s, DevicePolicy strict, DeviceAllow /dev/null rwm, char-pts rw,
 *         AllowedCPUs 0); waits
 *         for its job; prints the job's path
 *     stop UNIT         StopUnit, waits for the job, then ResetFailedUnit
 *     get UNIT          GetUnit: the unit's object path
 *     wait-job JOB MS   waits MS for JobRemoved of JOB (no such job: times out)
 *     call-body         prints the body of the StartTransientUnit call that
 *                       `start skiff-probe.scope system.slice 4242 67108864 32`
 *                       sends, in hex (tests/unit/test_dbus.c has its bytes)
 * --private: systemd's private socket instead of the system bus.
 * --record FILE: every message received is appended to FILE.
 * Errors: one line on stderr, exit 1. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbus_probe_props.h"

#define TIMEOUT_MS 20000

static int wait_job(struct sk_dbus *c, const char *job, int ms, struct sk_error *err);

int main(int argc, char **argv)
{
	struct sk_error err = { 0 };
	struct sk_dbus c = { .fd = -1 };
	struct sk_dbus_w w = { 0 };
	bool private = false;
	const char *record = NULL;
	char out[512];
	int i = 1, rc = -1;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--private"))
			private = true;
		else if (!strcmp(argv[i], "--record") && i + 1 < argc)
			record = argv[++i];
	}
	if (i >= argc)
		goto usage;
	if (!strcmp(argv[i], "call-body") && argc - i == 1) {
		probe_props(&w, "skiff-probe.scope", "system.slice", 4242, 67108864, 32);
		for (size_t k = 0; k < w.len; k++)
			printf("%02x", w.p[k]);
		printf("\n");
		sk_dbus_w_free(&w);
		return 0;
	}
	if (sk_sd_connect(&c, private, TIMEOUT_MS, &err) < 0)
		goto out;
	if (record) {
		c.record_fd = open(record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (c.record_fd < 0) {
			sk_error_sys(&err, "%s", record);
			goto out;
		}
	}
	if (!strcmp(argv[i], "start") && argc - i == 6) {
		probe_props(&w, argv[i + 1], argv[i + 2], atoi(argv[i + 3]),
			    strtoull(argv[i + 4], NULL, 10), strtoull(argv[i + 5], NULL, 10));
		rc = sk_sd_start_transient(&c, &w, out, sizeof(out), TIMEOUT_MS, &err);
		if (rc == 0)
			printf("%s\n", out);
	} else if (!strcmp(argv[i], "stop") && argc - i == 2) {
		rc = sk_sd_stop_unit(&c, argv[i + 1], out, sizeof(out), TIMEOUT_MS, &err);
		if (rc == 0)
			rc = sk_sd_reset_failed(&c, argv[i + 1], &err);
		if (rc == 0)
			printf("%s\n", out);
	} else if (!strcmp(argv[i], "get") && argc - i == 2) {
		rc = sk_sd_get_unit(&c, argv[i + 1], out, sizeof(out), &err);
		if (rc == 0)
			printf("%s\n", out);
	} else if (!strcmp(argv[i], "wait-job") && argc - i == 3) {
		rc = wait_job(&c, argv[i + 1], atoi(argv[i + 2]), &err);
	} else {
		sk_dbus_close(&c);
		goto usage;
	}
out:
	sk_dbus_w_free(&w);
	if (c.record_fd >= 0)
		close(c.record_fd);
	sk_dbus_close(&c);
	if (rc < 0) {
		fprintf(stderr, "dbus_probe: %s\n", err.msg);
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: dbus_probe [--private] [--record FILE] "
		"start UNIT SLICE PID MEMORYMAX TASKSMAX | stop UNIT | get UNIT | "
		"wait-job JOB MS | call-body\n");
	return 2;
}

struct want {
	const char *job;
	bool seen;
};

static void on_msg(void *data, const struct sk_dbus_msg *m)
{
	struct want *w = data;
	const char *job, *unit, *result;
	uint32_t id;

	if (sk_sd_job_removed(m, &id, &job, &unit, &result) == 0 && !strcmp(job, w->job))
		w->seen = true;
}

static bool seen(void *data)
{
	return ((struct want *)data)->seen;
}

static int wait_job(struct sk_dbus *c, const char *job, int ms, struct sk_error *err)
{
	struct want w = { .job = job };

	c->on_msg = on_msg;
	c->data = &w;
	return sk_dbus_wait(c, seen, ms, err);
}
