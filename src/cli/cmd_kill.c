/* skiff kill, skiff delete. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "exit_cause.h"
#include "lifecycle.h"

int sk_cmd_kill(int argc, char **argv, struct sk_error *err)
{
	bool all = false;
	const struct sk_opt opts[] = {
		{ "all", 'a', SK_OPT_FLAG, &all },
		{ NULL, 0, 0, NULL },
	};
	struct sk_container c;
	enum sk_status status;
	bool running;
	char *pos[2];
	int n, sig = SIGTERM, r = -1;

	n = sk_parse_id_opts(argc, argv, opts, pos, 2, err);
	if (n < 0 || (n == 2 && sk_parse_signal(pos[1], &sig, err) < 0) ||
	    sk_container_load(pos[0], &c, err) < 0)
		return -1;
	status = sk_container_status(&c);
	running = status == SK_STATUS_CREATED || status == SK_STATUS_RUNNING || status == SK_STATUS_PAUSED;
	/* runc: `kill --all` of a stopped container signals what is left in its
	 * cgroup and succeeds (containerd's CRI plugin stops every exited
	 * container that way); a plain kill says "container not running",
	 * which the shims and conmon take for "already finished". */
	if (!running && !all) {
		sk_error(err, ESRCH, "container not running");
		goto out;
	}
	if (all && c.state->cgroup_path) {
		struct sk_cgroup cg;

		if (sk_cgroup_open(c.state->cgroup_path, c.state->cgroup_owned, c.state->cgroup_owned_v1,
				   &cg, err) < 0) {
			sk_cgroup_release(&cg);
			if (!running && err->errnum == ENOENT)
				r = 0; /* nothing left to signal */
			goto out;
		}
		r = sk_cgroup_signal_all(&cg, sig, err) < 0 ? -1 : 0;
		sk_cgroup_release(&cg);
	} else if (running) {
		sk_exit_cause_mark_kill(c.dirfd, sig, "kill");
		r = sk_lifecycle_kill_init(&c, sig, err) < 0 ? -1 : 0;
	} else {
		r = 0;  /* stopped, no cgroup recorded: nothing to signal */
	}
out:
	sk_container_release(&c);
	return r;
}

int sk_cmd_delete(int argc, char **argv, struct sk_error *err)
{
	bool force = false;
	const struct sk_opt opts[] = {
		{ "force", 'f', SK_OPT_FLAG, &force },
		{ NULL, 0, 0, NULL },
	};
	struct sk_container c;
	enum sk_status status;
	char *pos[1];
	int r = -1;

	if (sk_parse_id_opts(argc, argv, opts, pos, 1, err) < 0)
		return -1;
	/* a state.json that cannot be read does not stop --force: what
	 * else the directory records goes (docs/state.md) */
	if (sk_container_load_any(pos[0], false, &c, err) < 0) {
		/* runc: delete --force of a missing container succeeds */
		return force && err->errnum == ENOENT ? 0 : -1;
	}
	status = sk_container_status(&c);
	/* Like runc, a created container is deleted without --force (containerd
	 * relies on it); a running one needs --force. */
	if (c.damage && !force) {
		sk_error(err, EINVAL, "cannot delete container \"%s\": %s (use --force)", c.id, c.damage);
		goto out;
	}
	if ((status == SK_STATUS_RUNNING || status == SK_STATUS_PAUSED) && !force) {
		/* runc's text */
		sk_error(err, EBUSY, "cannot delete container %s that is not stopped: %s (stop it first, or use --force)",
			 c.id, sk_status_name(status));
		goto out;
	}
	r = sk_lifecycle_destroy(&c, err);
out:
	sk_container_release(&c);
	return r;
}
