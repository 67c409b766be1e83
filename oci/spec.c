/* `skiff spec`: the default config.json, the same document `runc spec`
 * (and `runc spec --rootless`) writes, with skiff's version and hostname. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "skiff/json.h"
#include "skiff/oci.h"
#include "skiff/util.h"

static void str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kv(yajl_gen g, const char *k, const char *v)
{
	str(g, k);
	str(g, v);
}

static void kint(yajl_gen g, const char *k, long long v)
{
	str(g, k);
	yajl_gen_integer(g, v);
}

static void kbool(yajl_gen g, const char *k, bool v)
{
	str(g, k);
	yajl_gen_bool(g, v);
}

/* "key": [ NULL-terminated strings ] */
static void kstrv(yajl_gen g, const char *k, const char *const *v)
{
	str(g, k);
	yajl_gen_array_open(g);
	for (; *v; v++)
		str(g, *v);
	yajl_gen_array_close(g);
}

static void mount(yajl_gen g, const char *dest, const char *type, const char *src,
		  const char *const *opts)
{
	yajl_gen_map_open(g);
	kv(g, "destination", dest);
	kv(g, "type", type);
	kv(g, "source", src);
	if (opts)
		kstrv(g, "options", opts);
	yajl_gen_map_close(g);
}

static void idmap(yajl_gen g, const char *k, unsigned id)
{
	str(g, k);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	kint(g, "containerID", 0);
	kint(g, "hostID", id);
	kint(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL
};

static void gen_process(yajl_gen g)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"TERM=xterm", NULL
	};
	static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
	size_t i;

	str(g, "process");
	yajl_gen_map_open(g);
	kbool(g, "terminal", true);
	str(g, "user");
	yajl_gen_map_open(g);
	kint(g, "uid", 0);
	kint(g, "gid", 0);
	yajl_gen_map_close(g);
	kstrv(g, "args", args);
	kstrv(g, "env", env);
	kv(g, "cwd", "/");
	str(g, "capabilities");
	yajl_gen_map_open(g);
	for (i = 0; i < SK_ARRAY_SIZE(sets); i++)
		kstrv(g, sets[i], default_caps);
	yajl_gen_map_close(g);
	str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	kv(g, "type", "RLIMIT_NOFILE");
	kint(g, "hard", 1024);
	kint(g, "soft", 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	kbool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);
}

static void gen_mounts(yajl_gen g, bool rootless)
{
	static const char *const dev[] = {
		"nosuid", "strictatime", "mode=755", "size=65536k", NULL
	};
	static const char *const pts[] = {
		"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL
	};
	static const char *const pts_rootless[] = {
		"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL
	};
	static const char *const shm[] = {
		"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL
	};
	static const char *const mqueue[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const sys_rootless[] = {
		"rbind", "nosuid", "noexec", "nodev", "ro", NULL
	};
	static const char *const cgroup[] = {
		"nosuid", "noexec", "nodev", "relatime", "ro", NULL
	};

	str(g, "mounts");
	yajl_gen_array_open(g);
	mount(g, "/proc", "proc", "proc", NULL);
	mount(g, "/dev", "tmpfs", "tmpfs", dev);
	mount(g, "/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts);
	mount(g, "/dev/shm", "tmpfs", "shm", shm);
	mount(g, "/dev/mqueue", "mqueue", "mqueue", mqueue);
	if (rootless)
		mount(g, "/sys", "none", "/sys", sys_rootless);
	else
		mount(g, "/sys", "sysfs", "sysfs", sys);
	mount(g, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup);
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, bool rootless)
{
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", NULL };
	static const char *const ns_rootless[] = { "pid", "ipc", "uts", "mount", "user", NULL };
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/sys/firmware", "/proc/scsi", NULL
	};
	static const char *const ro[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
	};
	const char *const *n;

	str(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		idmap(g, "uidMappings", (unsigned)geteuid());
		idmap(g, "gidMappings", (unsigned)getegid());
	} else {
		str(g, "resources");
		yajl_gen_map_open(g);
		str(g, "devices");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		kbool(g, "allow", false);
		kv(g, "access", "rwm");
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	str(g, "namespaces");
	yajl_gen_array_open(g);
	for (n = rootless ? ns_rootless : ns; *n; n++) {
		yajl_gen_map_open(g);
		kv(g, "type", *n);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	kstrv(g, "maskedPaths", masked);
	kstrv(g, "readonlyPaths", ro);
	sk_spec_default_seccomp(g);
	yajl_gen_map_close(g);
}

char *sk_spec_default_json(bool rootless)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g) {
		fputs("skiff: out of memory\n", stderr);
		abort();
	}
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	yajl_gen_map_open(g);
	kv(g, "ociVersion", SK_OCI_VERSION);
	gen_process(g);
	str(g, "root");
	yajl_gen_map_open(g);
	kv(g, "path", "rootfs");
	kbool(g, "readonly", true);
	yajl_gen_map_close(g);
	kv(g, "hostname", "skiff");
	gen_mounts(g, rootless);
	gen_linux(g, rootless);
	yajl_gen_map_close(g);

	return sk_json_finish(g, true);
}

/* For other writers of configs (src/sandbox_config.c). */
void sk_spec_gen_mount(void *g, const char *dest, const char *type, const char *src,
		       const char *const *opts)
{
	mount(g, dest, type, src, opts);
}
