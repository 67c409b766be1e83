/* The config of `skiff sandbox`, built in memory: the host's / read-only
 * (its top-level directories bound on an empty root) or --rootfs, the
 * working directory (or --bind) writable, a fresh /tmp, /dev and /proc,
 * new namespaces (no network unless --net=host), no capabilities,
 * no_new_privs, the default seccomp profile, the caller's uid and gid,
 * and the limits as linux.resources. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "sandbox.h"
#include "skiff/error.h"
#include "skiff/json.h"
#include "skiff/oci.h"
#include "skiff/util.h"

static void str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kstr(yajl_gen g, const char *k, const char *v)
{
	str(g, k);
	str(g, v);
}

static void knum(yajl_gen g, const char *k, unsigned long long v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%llu", v);

	str(g, k);
	yajl_gen_number(g, b, (size_t)n);
}

bool sk_sandbox_host_dir(const char *name)
{
	static const char *const skip[] = { ".", "..", "proc", "sys", "dev", "tmp", "run", "lost+found" };

	for (size_t i = 0; i < SK_ARRAY_SIZE(skip); i++)
		if (!strcmp(name, skip[i]))
			return false;
	return true;
}

/* A mount below dir (an overlay would hide it, and cannot be made over
 * one locked in a user namespace): dir is bound read-only instead. */
static bool has_submounts(const char *mountinfo, const char *dir)
{
	size_t n = strlen(dir);

	for (const char *l = mountinfo; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *mp = l;

		for (int f = 0; f < 4 && mp; f++)   /* the 5th field: the mount point */
			mp = strchr(mp, ' ') ? strchr(mp, ' ') + 1 : NULL;
		if (mp && !strncmp(mp, dir, n) && (mp[n] == '/' || mp[n] == ' '))
			return true;
	}
	return false;
}

/* /<name> as an overlay whose upper directory is the sandbox's own:
 * writes land there and vanish with it. */
static void overlay(yajl_gen g, const struct sk_sandbox_opts *o, const char *name)
{
	_cleanup_free_ char *dst = sk_xasprintf("/%s", name);
	_cleanup_free_ char *lower = sk_xasprintf("lowerdir=/%s", name);
	_cleanup_free_ char *up = sk_xasprintf("upperdir=%s/%s/u", o->upper, name);
	_cleanup_free_ char *work = sk_xasprintf("workdir=%s/%s/w", o->upper, name);
	/* in a user namespace overlayfs keeps its metadata in user.* xattrs */
	const char *opts[] = { lower, up, work, "nosuid", "nodev", o->rootless ? "userxattr" : NULL, NULL };

	sk_spec_gen_mount(g, dst, "overlay", "overlay", opts);
}

static void gen_mounts(yajl_gen g, const struct sk_sandbox_opts *o)
{
	static const char *const ro_bind[] = { "rbind", "ro", "nosuid", "nodev", NULL };
	static const char *const ro_bind_dev[] = { "rbind", "ro", NULL };
	static const char *const rw_bind[] = { "rbind", "rw", NULL };
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL };
	static const char *const shm[] = { "nosuid", "nodev", "mode=1777", "size=65536k", NULL };
	static const char *const tmp[] = { "nosuid", "nodev", "mode=1777", NULL };
	static const char *const sys[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const sysfs[] = { "nosuid", "noexec", "nodev", "ro", NULL };

	str(g, "mounts");
	yajl_gen_array_open(g);
	if (!o->rootfs) {
		_cleanup_closedir_ DIR *d = opendir("/");
		_cleanup_free_ char *mountinfo = NULL;
		struct sk_error err;

		sk_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, 0, &err);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char path[300];
			struct stat st;

			snprintf(path, sizeof(path), "/%s", e->d_name);
			if (!sk_sandbox_host_dir(e->d_name) || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
				continue;
			if (o->upper && !strpbrk(e->d_name, ",:") && !has_submounts(mountinfo, path))
				overlay(g, o, e->d_name);
			else	/* suid programs stay usable as plain ones (no_new_privs) */
				sk_spec_gen_mount(g, path, "bind", path, ro_bind);
		}
		sk_spec_gen_mount(g, "/run", "tmpfs", "tmpfs", tmp);
		/* a sysfs of its own shows the sandbox's network namespace;
		 * only root may mount one (else the host's, read-only) */
		if (!o->rootless && !o->net_host)
			sk_spec_gen_mount(g, "/sys", "sysfs", "sysfs", sysfs);
		else
			sk_spec_gen_mount(g, "/sys", "bind", "/sys", sys);
	}
	sk_spec_gen_mount(g, "/proc", "proc", "proc", NULL);
	sk_spec_gen_mount(g, "/dev", "tmpfs", "tmpfs", dev);
	sk_spec_gen_mount(g, "/dev/pts", "devpts", "devpts", pts);
	sk_spec_gen_mount(g, "/dev/shm", "tmpfs", "shm", shm);
	sk_spec_gen_mount(g, "/tmp", "tmpfs", "tmpfs", tmp);
	for (size_t i = 0; i < o->n_binds; i++)
		sk_spec_gen_mount(g, o->binds[i].dst, "bind", o->binds[i].src,
		      o->binds[i].ro ? ro_bind_dev : rw_bind);
	yajl_gen_array_close(g);
}

static void gen_process(yajl_gen g, const struct sk_sandbox_opts *o)
{
	const char *keep[] = { "PATH", "TERM", "HOME", "USER", "LOGNAME", "LANG" };

	str(g, "process");
	yajl_gen_map_open(g);
	str(g, "terminal");
	yajl_gen_bool(g, 0);
	str(g, "user");
	yajl_gen_map_open(g);
	/* the caller's ids, rootless too (mapped to themselves: idmap()) */
	knum(g, "uid", o->uid);
	knum(g, "gid", o->gid);
	yajl_gen_map_close(g);
	str(g, "args");
	yajl_gen_array_open(g);
	for (int i = 0; i < o->n_args; i++)
		str(g, o->args[i]);
	yajl_gen_array_close(g);
	str(g, "env");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < SK_ARRAY_SIZE(keep); i++) {
		const char *v = getenv(keep[i]);

		if (!v && !strcmp(keep[i], "PATH"))
			v = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
		if (v) {
			_cleanup_free_ char *kv = sk_xasprintf("%s=%s", keep[i], v);

			str(g, kv);
		}
	}
	for (size_t i = 0; i < o->n_env; i++) {
		const char *v = strchr(o->env[i], '=') ? NULL : getenv(o->env[i]);
		_cleanup_free_ char *kv = v ? sk_xasprintf("%s=%s", o->env[i], v) : NULL;

		if (v || strchr(o->env[i], '='))
			str(g, kv ? kv : o->env[i]);
	}
	yajl_gen_array_close(g);
	kstr(g, "cwd", o->workdir);
	str(g, "capabilities");
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
	str(g, "noNewPrivileges");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
}

/* Rootless: the caller's own id is the only one it may map; mapped to
 * itself, as bwrap --unshare-user does, so that the command runs as the
 * caller inside too (skiff's init sets up with the capabilities it has
 * as the namespace's creator, root being unmapped). */
static void idmap(yajl_gen g, const char *key, unsigned id)
{
	str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	knum(g, "containerID", id);
	knum(g, "hostID", id);
	knum(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, const struct sk_sandbox_opts *o)
{
	static const char *const ns[] = { "pid", "mount", "ipc", "uts", "network", "user", "cgroup" };
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
		"/sys/firmware", "/sys/devices/virtual/powercap",
	};

	str(g, "linux");
	yajl_gen_map_open(g);
	str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < SK_ARRAY_SIZE(ns); i++) {
		if ((!strcmp(ns[i], "network") && o->net_host) || (!strcmp(ns[i], "user") && !o->rootless))
			continue;
		yajl_gen_map_open(g);
		kstr(g, "type", ns[i]);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	if (o->rootless) {
		idmap(g, "uidMappings", (unsigned)o->uid);
		idmap(g, "gidMappings", (unsigned)o->gid);
	}
	str(g, "maskedPaths");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < SK_ARRAY_SIZE(masked); i++)
		str(g, masked[i]);
	yajl_gen_array_close(g);
	if (o->cgroups_path)
		kstr(g, "cgroupsPath", o->cgroups_path);
	if (o->memory || o->cpu_quota || o->pids || o->io_weight) {
		str(g, "resources");
		yajl_gen_map_open(g);
		if (o->memory) {
			str(g, "memory");
			yajl_gen_map_open(g);
			knum(g, "limit", o->memory);
			knum(g, "swap", o->memory);
			yajl_gen_map_close(g);
		}
		if (o->cpu_quota) {
			str(g, "cpu");
			yajl_gen_map_open(g);
			knum(g, "quota", o->cpu_quota);
			knum(g, "period", 100000);
			yajl_gen_map_close(g);
		}
		if (o->pids) {
			str(g, "pids");
			yajl_gen_map_open(g);
			knum(g, "limit", o->pids);
			yajl_gen_map_close(g);
		}
		if (o->io_weight) {
			str(g, "blockIO");
			yajl_gen_map_open(g);
			knum(g, "weight", o->io_weight);
			yajl_gen_map_close(g);
		}
		yajl_gen_map_close(g);
	}
	sk_spec_default_seccomp(g);
	yajl_gen_map_close(g);
}

char *sk_sandbox_config_json(const struct sk_sandbox_opts *o, const char *root)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	yajl_gen_map_open(g);
	kstr(g, "ociVersion", SK_OCI_VERSION);
	gen_process(g, o);
	str(g, "root");
	yajl_gen_map_open(g);
	kstr(g, "path", root);
	str(g, "readonly");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
	kstr(g, "hostname", "sandbox");
	gen_mounts(g, o);
	gen_linux(g, o);
	yajl_gen_map_close(g);
	return sk_json_finish(g, true);
}
