/* The StartTransientUnit body of tests/tools/dbus_probe's `start` (and of
 * tests/unit/test_dbus.c, which compares it with sd-bus's bytes): a scope
 * of `pid` in `slice` with the properties systemd.bats checks. */
#ifndef SKIFF_DBUS_PROBE_PROPS_H
#define SKIFF_DBUS_PROBE_PROPS_H

#include "../../cgroups/systemd.h"
#include "skiff/error.h"

static void probe_props(struct sk_dbus_w *w, const char *unit, const char *slice, pid_t pid,
			uint64_t memory_max, uint64_t tasks_max)
{
	static const char *const devs[][2] = { { "/dev/null", "rwm" }, { "char-pts", "rw" } };
	struct sk_error err;

	sk_sd_transient_begin(w, unit, "fail");
	sk_sd_prop_s(w, "Description", "skiff probe");
	sk_sd_prop_s(w, "Slice", slice);
	sk_sd_prop_b(w, "Delegate", true);
	sk_sd_prop_b(w, "DefaultDependencies", false);
	sk_sd_prop_pids(w, &pid, 1);
	sk_sd_prop_t(w, "MemoryMax", memory_max);
	sk_sd_prop_t(w, "TasksMax", tasks_max);
	sk_sd_prop_t(w, "CPUWeight", 50);
	sk_sd_prop_t(w, "CPUQuotaPerSecUSec", 500000);
	sk_sd_prop_s(w, "DevicePolicy", "strict");
	sk_sd_prop_devices(w, devs, 2);
	sk_sd_prop_bitmask(w, "AllowedCPUs", "0", &err);
	sk_sd_transient_end(w);
}

#endif
