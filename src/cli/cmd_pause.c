/* skiff pause, skiff resume: freeze and thaw the container's cgroup
 * (cgroup.freeze: works on a cgroup2 without any controller). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "skiff.h"

static int freeze_cmd(int argc, char **argv, struct sk_error *err, bool frozen)
{
	const struct sk_opt opts[] = { { NULL, 0, 0, NULL } };
	struct sk_container c;
	struct sk_cgroup cg;
	enum sk_status status, want = frozen ? SK_STATUS_RUNNING : SK_STATUS_PAUSED;
	char *pos[1];
	int r = -1;

	if (sk_parse_id_opts(argc, argv, opts, pos, 1, err) < 0 || sk_container_load(pos[0], &c, err) < 0)
		return -1;
	status = sk_container_status(&c);
	if (status != want) {
		/* runc's texts: "container not running", "container not paused" */
		sk_error(err, EINVAL, "cannot %s container \"%s\": container not %s (it is %s)",
			 argv[0], c.id, sk_status_name(want), sk_status_name(status));
		goto out;
	}
	if (sk_container_cgroup(&c, &cg, err) < 0)
		goto out;
	if (sk_cgroup_freeze(&cg, frozen, err) < 0)
		sk_error_ctx(err, "container \"%s\"", c.id);
	else
		r = 0;
	sk_cgroup_release(&cg);
out:
	sk_container_release(&c);
	return r;
}

int sk_cmd_pause(int argc, char **argv, struct sk_error *err)
{
	return freeze_cmd(argc, argv, err, true);
}

int sk_cmd_resume(int argc, char **argv, struct sk_error *err)
{
	return freeze_cmd(argc, argv, err, false);
}
