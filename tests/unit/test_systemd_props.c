/* Unit tests of linux.resources as systemd unit properties
 * (cgroups/systemd_props.c): each config's StartTransientUnit call is
 * encoded, checked by the strict decoder (src/dbus.c), and its a(sv)
 * walked back into "Name sig value" lines compared with the expected
 * mapping (runc's systemd v2 manager). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cgroups/systemd.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "tap.h"

static void add(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(char *out, size_t size, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out + n, size - n, fmt, ap);
	va_end(ap);
}

/* one value of a variant, as text */
static int value(struct sk_dbus_it *v, const char *sig, char *out, size_t size, struct sk_error *err)
{
	struct sk_dbus_it a, s;
	uint64_t t;
	uint32_t u;
	uint8_t y;
	int b;
	const char *str, *str2;

	if (!strcmp(sig, "t"))
		return sk_dbus_it_basic(v, 't', &t, err) < 0 ? -1 : (add(out, size, "%" PRIu64, t), 0);
	if (!strcmp(sig, "s"))
		return sk_dbus_it_basic(v, 's', &str, err) < 0 ? -1 : (add(out, size, "%s", str), 0);
	if (!strcmp(sig, "b"))
		return sk_dbus_it_basic(v, 'b', &b, err) < 0 ? -1 : (add(out, size, "%d", b), 0);
	if (sig[0] != 'a' || sk_dbus_it_enter(v, 'a', &a, NULL, err) < 0)
		return -1;
	while (sk_dbus_it_next(&a)) {
		if (!strcmp(sig, "ay") && sk_dbus_it_basic(&a, 'y', &y, err) == 0)
			add(out, size, "%02x", y);
		else if (!strcmp(sig, "au") && sk_dbus_it_basic(&a, 'u', &u, err) == 0)
			add(out, size, "%u,", u);
		else if (!strcmp(sig, "a(ss)") && sk_dbus_it_enter(&a, '(', &s, NULL, err) == 0 &&
			 sk_dbus_it_basic(&s, 's', &str, err) == 0 &&
			 sk_dbus_it_basic(&s, 's', &str2, err) == 0 && sk_dbus_it_exit(&a, &s, err) == 0)
			add(out, size, "%s=%s,", str, str2);
		else if (!strcmp(sig, "a(st)") && sk_dbus_it_enter(&a, '(', &s, NULL, err) == 0 &&
			 sk_dbus_it_basic(&s, 's', &str, err) == 0 &&
			 sk_dbus_it_basic(&s, 't', &t, err) == 0 && sk_dbus_it_exit(&a, &s, err) == 0)
			add(out, size, "%s=%" PRIu64 ",", str, t);
		else
			return -1;
	}
	return sk_dbus_it_exit(v, &a, err);
}

/* The properties of a StartTransientUnit body as lines "Name sig value". */
static int render(const struct sk_dbus_w *body, char *out, size_t size, struct sk_error *err)
{
	struct sk_dbus_msg h = { .type = SK_DBUS_CALL, .serial = 1, .path = "/org/freedesktop/systemd1",
				 .member = "StartTransientUnit",
				 .iface = "org.freedesktop.systemd1.Manager",
				 .dest = "org.freedesktop.systemd1", .sig = "ssa(sv)a(sa(sv))" }, m;
	struct sk_dbus_w msg = { 0 };
	struct sk_dbus_it it, arr, st, var;
	const char *s, *vsig;
	int r = -1;

	out[0] = 0;
	if (sk_dbus_encode(&msg, &h, body, err) < 0 || sk_dbus_decode(msg.p, msg.len, &m, err) < 0)
		goto out;
	sk_dbus_it_init(&it, &m);
	if (sk_dbus_it_basic(&it, 's', &s, err) < 0 || sk_dbus_it_basic(&it, 's', &s, err) < 0 ||
	    sk_dbus_it_enter(&it, 'a', &arr, NULL, err) < 0)
		goto out;
	while (sk_dbus_it_next(&arr)) {
		if (sk_dbus_it_enter(&arr, '(', &st, NULL, err) < 0 ||
		    sk_dbus_it_basic(&st, 's', &s, err) < 0 ||
		    sk_dbus_it_enter(&st, 'v', &var, &vsig, err) < 0)
			goto out;
		add(out, size, "%s %s ", s, vsig);
		if (value(&var, vsig, out, size, err) < 0 || sk_dbus_it_exit(&st, &var, err) < 0 ||
		    sk_dbus_it_exit(&arr, &st, err) < 0)
			goto out;
		add(out, size, "\n");
	}
	r = sk_dbus_it_exit(&it, &arr, err);
out:
	sk_dbus_w_free(&msg);
	return r;
}

static const char proc_devices[] = "Character devices:\n  1 mem\n  4 tty\n136 pts\n"
				   "\nBlock devices:\n  8 sd\n259 blkext\n";

/* The properties of `r` (and of its devices when `devices`) are `want`. */
static void check(const char *name, const struct sk_resources *r, bool devices, const char *want)
{
	struct sk_dbus_w w = { 0 };
	struct sk_error err = { 0 };
	char got[4096];
	int rc;

	sk_sd_transient_begin(&w, "skiff-c1.scope", "replace");
	rc = sk_sd_props_resources(&w, r, &err);
	if (rc == 0 && devices)
		rc = sk_sd_props_devices(&w, r, proc_devices);
	sk_sd_transient_end(&w);
	if (rc == 0)
		rc = render(&w, got, sizeof(got), &err);
	tap(rc == 0 && !w.oom && !strcmp(got, want), name, "%d %s\ngot:\n%swant:\n%s", rc,
	    err.msg, rc ? "" : got, want);
	sk_dbus_w_free(&w);
}

static void refused(const char *name, const struct sk_resources *r, const char *want)
{
	struct sk_dbus_w w = { 0 };
	struct sk_error err = { 0 };
	int rc;

	sk_sd_transient_begin(&w, "skiff-c1.scope", "replace");
	rc = sk_sd_props_resources(&w, r, &err);
	tap(rc < 0 && strstr(err.msg, want) && !strchr(err.msg, '\n'), name, "%d %s", rc, err.msg);
	sk_dbus_w_free(&w);
}

int main(void)
{
	struct sk_resources r;
	struct sk_blkio_dev bps[] = { { .major = 8, .minor = 0, .rate = 1048576 } };
	struct sk_blkio_dev wdev[] = { { .major = 8, .minor = 16, .has_weight = true, .weight = 500 } };
	struct sk_kv uni[] = { { "memory.high", "50000000" }, { "pids.max", "max" },
			       { "cpuset.mems", "0" }, { "io.max", "8:0 rbps=1" } };
	struct sk_kv bad_uni[] = { { "memory.high", "lots" } };
	struct sk_device_rule devs[] = {
		{ .allow = false, .access = "rwm" },			/* deny all first */
		{ .allow = true, .type = "c", .has_major = true, .major = 4, .access = "rw" },
		{ .allow = true, .type = "b", .has_major = true, .major = 8, .has_minor = true,
		  .minor = 1, .access = "r" },
		{ .allow = true, .type = "c", .has_major = true, .major = 250 },
		{ .allow = false, .type = "c", .has_major = true, .major = 1, .has_minor = true,
		  .minor = 9, .access = "rwm" },
	};
	struct sk_device_rule all[] = { { .allow = true, .type = "a", .access = "rwm" } };
	const char *std = "char-*=m,block-*=m,/dev/char/1:3=rwm,/dev/char/1:5=rwm,/dev/char/1:7=rwm,"
			  "/dev/char/1:8=rwm,/dev/char/1:9=rwm,/dev/char/5:0=rwm,/dev/char/5:1=rwm,"
			  "/dev/char/5:2=rwm,char-pts=rwm,/dev/char/10:200=rwm,";
	char want[2048];

	memset(&r, 0, sizeof(r));
	check("systemd props: no resources, no properties", &r, false, "");

	r.memory.has_limit = true, r.memory.limit = 67108864;
	r.memory.has_reservation = true, r.memory.reservation = 33554432;
	r.memory.has_swap = true, r.memory.swap = 100663296;
	r.pids.has_limit = true, r.pids.limit = 32;
	check("systemd props: memory limit, reservation, memory+swap (swap = total - limit), pids", &r,
	      false, "MemoryMax t 67108864\nMemoryLow t 33554432\nMemorySwapMax t 33554432\n"
		     "TasksMax t 32\n");

	memset(&r, 0, sizeof(r));
	r.memory.has_limit = true, r.memory.limit = -1;
	r.memory.has_swap = true, r.memory.swap = 0;
	r.pids.has_limit = true, r.pids.limit = -1;
	check("systemd props: -1 is infinity; swap 0 with an unlimited memory is infinity", &r, false,
	      "MemoryMax t 18446744073709551615\nMemorySwapMax t 18446744073709551615\n"
	      "TasksMax t 18446744073709551615\n");

	memset(&r, 0, sizeof(r));
	r.cpu.has_shares = true, r.cpu.shares = 1024;
	r.cpu.has_quota = true, r.cpu.quota = 50000;
	r.cpu.has_period = true, r.cpu.period = 100000;
	r.cpu.cpus = "0-2,9";
	check("systemd props: shares -> CPUWeight (the files' log-scale conversion: 1024 -> 100), quota/period, AllowedCPUs bitmask", &r, false,
	      "CPUWeight t 100\nCPUQuotaPeriodUSec t 100000\nCPUQuotaPerSecUSec t 500000\n"
	      "AllowedCPUs ay 0702\n");

	memset(&r, 0, sizeof(r));
	r.cpu.has_quota = true, r.cpu.quota = 12345;
	check("systemd props: a quota rounds up to systemd's 10 ms steps (default period)", &r, false,
	      "CPUQuotaPerSecUSec t 130000\n");
	r.cpu.quota = -1;
	check("systemd props: quota -1 is infinity", &r, false,
	      "CPUQuotaPerSecUSec t 18446744073709551615\n");

	memset(&r, 0, sizeof(r));
	r.blkio.has_weight = true, r.blkio.weight = 500;
	r.blkio.weight_device = wdev, r.blkio.n_weight_device = 1;
	r.blkio.throttle_read_bps = bps, r.blkio.n_throttle_read_bps = 1;
	r.blkio.throttle_write_iops = bps, r.blkio.n_throttle_write_iops = 1;
	check("systemd props: IOWeight, per-device weight and limits by /dev/block/M:m", &r, false,
	      "IOWeight t 4950\nIODeviceWeight a(st) /dev/block/8:16=4950,\n"
	      "IOReadBandwidthMax a(st) /dev/block/8:0=1048576,\n"
	      "IOWriteIOPSMax a(st) /dev/block/8:0=1048576,\n");

	memset(&r, 0, sizeof(r));
	r.unified = uni, r.n_unified = 4;
	check("systemd props: unified keys with a property (others: files only)", &r, false,
	      "MemoryHigh t 50000000\nTasksMax t 18446744073709551615\nAllowedMemoryNodes ay 01\n");
	r.unified = bad_uni, r.n_unified = 1;
	refused("systemd props: a unified value that is not a number: one line naming the key", &r,
		"linux.resources.unified.memory.high");

	memset(&r, 0, sizeof(r));
	r.cpu.cpus = "3-1";
	refused("systemd props: a bad cpu list names linux.resources.cpu.cpus", &r,
		"linux.resources.cpu.cpus");

	memset(&r, 0, sizeof(r));
	check("systemd props: no device rules: no device properties (as the v2 driver: no program)",
	      &r, true, "");
	r.devices = devs, r.n_devices = SK_ARRAY_SIZE(devs);
	snprintf(want, sizeof(want), "DevicePolicy s strict\nDeviceAllow a(ss) %s"
		 "char-tty=rw,/dev/block/8:1=r,char-*=rwm,\n", std);
	check("systemd props: allow rules by name (/proc/devices), by number, unnamed major "
	      "as a superset; deny rules left to skiff's program", &r, true, want);
	r.devices = all, r.n_devices = 1;
	check("systemd props: an allow-all rule: DevicePolicy auto, no list", &r, true,
	      "DevicePolicy s auto\n");
	return tap_done();
}
