/* skiff pause, skiff resume: freeze and thaw the container's cgroup
 * (cgroup.freeze: works on a cgroup2 without any controller). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "skiff.h"

int sk_container_cgroup(struct sk_container *c, struct sk_cgroup *cg, struct sk_error *err)
{
	memset(cg, 0, sizeof(*cg));
	cg->dirfd = -1;
	if (!c->state || !c->state->cgroup_path)
		return sk_error(err, ENOENT, "container \"%s\" has no cgroup "
				"(created with --cgroup-manager disabled?)", c->id);
	if (sk_cgroup_open(c->state->cgroup_path, c->state->cgroup_owned, c->state->cgroup_owned_v1,
			   cg, err) < 0)
		return sk_error_ctx(err, "container \"%s\"", c->id);
	sk_cgroup_set_unit(cg, c->state->cgroup_unit);
	return 0;
}

static int freeze_cmd(int argc, char **argv, bool frozen)
{
	const struct sk_opt opts[] = { { NULL, 0, 0, NULL } };
	struct sk_error err = { 0 };
	struct sk_container c;
	struct sk_cgroup cg;
	const char *status, *want = frozen ? "running" : "paused";
	char *pos[1];
	int r = 1;

	if (sk_parse_opts(argc, argv, opts, pos, 1, &err) != 1) {
		sk_log_error("%s", err.msg[0] ? err.msg : frozen ? "pause: a container id is required"
								 : "resume: a container id is required");
		return 1;
	}
	if (sk_container_load(pos[0], &c, &err) < 0) {
		sk_log_error("%s", err.msg);
		return 1;
	}
	status = sk_container_status(&c);
	if (strcmp(status, want)) {
		/* runc's texts: "container not running", "container not paused" */
		sk_log_error("cannot %s container \"%s\": container not %s (it is %s)",
			     frozen ? "pause" : "resume", c.id, frozen ? "running" : "paused", status);
		goto out;
	}
	if (sk_container_cgroup(&c, &cg, &err) < 0) {
		sk_log_error("%s", err.msg);
		goto out;
	}
	if (sk_cgroup_freeze(&cg, frozen, &err) < 0)
		sk_log_error("container \"%s\": %s", c.id, err.msg);
	else
		r = 0;
	sk_cgroup_release(&cg);
out:
	sk_container_release(&c);
	return r;
}

int sk_cmd_pause(int argc, char **argv)
{
	return freeze_cmd(argc, argv, true);
}

int sk_cmd_resume(int argc, char **argv)
{
	return freeze_cmd(argc, argv, false);
}
