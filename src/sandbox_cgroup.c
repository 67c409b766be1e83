/* Rootless `skiff sandbox` limits: the container's cgroup is made below
 * skiff's own cgroup (<own>/<id>), which must be delegated to the caller
 * (writable) and have the limits' controllers in its subtree_control.
 * cgroup v2 enables a controller there only while <own> has no processes
 * of its own, and skiff is one (`systemd-run --user --scope -p
 * Delegate=yes skiff sandbox ...` gives it a scope of its own): skiff
 * then moves itself into a leaf, <own>/skiff-sandbox-<pid>, enables them,
 * and at the end undoes all of it, every controller enabled in <own> since
 * included (or its guard does, when skiff was killed), leaving <own> as it
 * found it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "sandbox.h"
#include "skiff/error.h"
#include "skiff/util.h"

static const char *const ctrl_names[] = { "memory", "cpu", "pids", "io" };

/* /sys/fs/cgroup/<the caller's cgroup2 path>, NULL without cgroup2 there. */
char *sk_sandbox_own_cgroup(void)
{
	_cleanup_free_ char *procs = NULL;
	struct sk_error err;
	struct statfs sfs;
	char *l;

	if (statfs("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
		return NULL;
	if (sk_read_file_at(AT_FDCWD, "/proc/self/cgroup", &procs, NULL, 65536, &err) < 0)
		return NULL;
	l = strstr(procs, "0::");
	if (!l)
		return NULL;
	l[3 + strcspn(l + 3, "\n")] = '\0';
	return sk_xasprintf("/sys/fs/cgroup%s", strcmp(l + 3, "/") ? l + 3 : "");
}

static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static int write_str(const char *dir, const char *file, const char *s, struct sk_error *err)
{
	_cleanup_free_ char *path = sk_xasprintf("%s/%s", dir, file);

	return sk_write_file_at(AT_FDCWD, path, s, strlen(s), err);
}

static int move_self(const char *dir, struct sk_error *err)
{
	char pid[24];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return write_str(dir, "cgroup.procs", pid, err);
}

/* Disable what was enabled (by skiff here, or by its cgroup code: the
 * stats controllers too), move back to <own>, remove the leaf. */
void sk_sandbox_cgroup_restore(struct sk_sandbox_cgroup *cg)
{
	_cleanup_free_ char *now = NULL;
	_cleanup_free_ char *ctl = NULL;
	struct sk_error err;

	if (!cg->leaf)
		return;
	ctl = sk_xasprintf("%s/cgroup.subtree_control", cg->own);
	if (sk_read_file_at(AT_FDCWD, ctl, &now, NULL, 4096, &err) == 0) {
		char *save = NULL;

		for (char *w = strtok_r(now, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
			_cleanup_free_ char *minus = sk_xasprintf("-%s", w);

			if (!has_word(cg->before, w))
				write_str(cg->own, "cgroup.subtree_control", minus, &err);
		}
	}
	move_self(cg->own, &err);
	rmdir(cg->leaf);
}
void sk_sandbox_cgroup_free(struct sk_sandbox_cgroup *cg)
{
	free(cg->own);
	free(cg->leaf);
	free(cg->before);
	cg->own = cg->leaf = cg->before = NULL;
}

/* Make <own> able to hold the container's cgroup with the controllers of
 * `want` (a mask over memory, cpu, pids, io). */
int sk_sandbox_cgroup_prepare(struct sk_sandbox_cgroup *cg, unsigned want, struct sk_error *err)
{
	_cleanup_free_ char *avail = NULL, *procs = NULL;
	_cleanup_free_ char *ctl = sk_xasprintf("%s/cgroup.subtree_control", cg->own);
	_cleanup_free_ char *ctrls = sk_xasprintf("%s/cgroup.controllers", cg->own);
	_cleanup_free_ char *procs_path = sk_xasprintf("%s/cgroup.procs", cg->own);
	unsigned missing = 0;
	char self[24];

	if (sk_read_file_at(AT_FDCWD, ctl, &cg->before, NULL, 4096, err) < 0 ||
	    sk_read_file_at(AT_FDCWD, ctrls, &avail, NULL, 4096, err) < 0)
		return sk_error_ctx(err, "sandbox: cgroup %s", cg->own);
	for (size_t i = 0; i < SK_ARRAY_SIZE(ctrl_names); i++) {
		if (!(want & (1u << i)) || has_word(cg->before, ctrl_names[i]))
			continue;
		if (!has_word(avail, ctrl_names[i]))
			return sk_error(err, ENOTSUP, "sandbox: cgroup %s: the %s controller is not "
					"delegated to it (its parent's cgroup.subtree_control lacks it)",
					cg->own, ctrl_names[i]);
		missing |= 1u << i;
	}
	if (!missing)
		return 0;
	/* skiff must be <own>'s only process */
	if (sk_read_file_at(AT_FDCWD, procs_path, &procs, NULL, 1 << 16, err) < 0)
		return sk_error_ctx(err, "sandbox: cgroup %s", cg->own);
	snprintf(self, sizeof(self), "%d", (int)getpid());
	for (char *l = procs, *nl; *l; l = nl + 1) {
		nl = l + strcspn(l, "\n");
		*nl = '\0';
		if (*l && strcmp(l, self))
			return sk_error(err, EBUSY, "sandbox: --memory, --cpus, --pids and --io-weight need "
					"a cgroup of skiff's own, and %s has other processes (pid %s): run "
					"systemd-run --user --scope -p Delegate=yes skiff sandbox ..., or "
					"--no-limits", cg->own, l);
		if (!nl[0] || !nl[1])
			break;
	}
	cg->leaf = sk_xasprintf("%s/skiff-sandbox-%d", cg->own, (int)getpid());
	if (mkdir(cg->leaf, 0755) < 0) {
		sk_error_sys(err, "sandbox: make cgroup %s", cg->leaf);
		free(cg->leaf);
		cg->leaf = NULL;
		return -1;
	}
	if (move_self(cg->leaf, err) < 0) {
		sk_error_ctx(err, "sandbox: move skiff into cgroup %s", cg->leaf);
		goto fail;
	}
	for (size_t i = 0; i < SK_ARRAY_SIZE(ctrl_names); i++) {
		_cleanup_free_ char *plus = sk_xasprintf("+%s", ctrl_names[i]);

		if (!(missing & (1u << i)))
			continue;
		if (write_str(cg->own, "cgroup.subtree_control", plus, err) < 0) {
			sk_error_ctx(err, "sandbox: cgroup %s: enable the %s controller", cg->own,
				     ctrl_names[i]);
			goto fail;
		}
	}
	return 0;
fail:
	sk_sandbox_cgroup_restore(cg);
	free(cg->leaf);
	cg->leaf = NULL;
	return -1;
}
