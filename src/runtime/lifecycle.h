#ifndef SKIFF_LIFECYCLE_H
#define SKIFF_LIFECYCLE_H

#include "skiff.h"

struct sk_create_opts {
	const char *bundle, *pid_file, *console_socket;
	const char *pidfd_socket;          /* runc's --pidfd-socket: the init's pidfd goes there */
	bool no_pivot, detach;
	unsigned preserve_fds;
	/* the config as JSON text instead of <bundle>/config.json (sandbox) */
	const char *config_json;
};
/* The command-line options of create that run takes too (runc's). */
#define SK_CREATE_OPTS(o) \
	{ "bundle", 'b', SK_OPT_STRING, &(o).bundle }, \
	{ "pid-file", 0, SK_OPT_STRING, &(o).pid_file }, \
	{ "console-socket", 0, SK_OPT_STRING, &(o).console_socket }, \
	{ "pidfd-socket", 0, SK_OPT_STRING, &(o).pidfd_socket }, \
	{ "no-pivot", 0, SK_OPT_FLAG, &(o).no_pivot }, \
	{ "preserve-fds", 0, SK_OPT_UINT, &(o).preserve_fds }, \
	{ "no-new-keyring", 0, SK_OPT_FLAG, &(bool){ 0 } }

/* Load the bundle, make the state dir, spawn the init (waiting at the
 * exec fifo in create mode, at the sync socket in run mode), save state
 * and the pid file.  s->mode must be set.  On error nothing is left. */
int sk_lifecycle_create(const char *id, const struct sk_create_opts *o,
			struct sk_container *c, struct sk_spawn *s, struct sk_error *err);
void sk_lifecycle_spawn_free(struct sk_spawn *s);
/* Signal the init through its pidfd (SIGKILL: and wait until it is gone). */
int sk_lifecycle_kill_init(struct sk_container *c, int sig, struct sk_error *err);
/* Write state.json and the config.json it came from for an init with
 * pid pid (cg NULL: no cgroup): create and restore. */
int sk_lifecycle_save_state(struct sk_container *c, pid_t pid, const char *bundle,
			    const char *rootfs, const struct sk_cgroup *cg,
			    const struct sk_config *cfg, const char *raw, size_t raw_len,
			    struct sk_error *err);
/* Kill what runs, remove the cgroup and the state dir. */
int sk_lifecycle_destroy(struct sk_container *c, struct sk_error *err);

/* Run the poststart or poststop hooks of the config saved at create
 * (failures are warnings, as the spec says). */
void sk_lifecycle_hooks(struct sk_container *c, enum sk_hook_phase phase, enum sk_status status);
/* The poststart hooks: the first failure is returned (runtime.md: the
 * caller stops the container and destroys it). */
int sk_lifecycle_poststart(struct sk_container *c, struct sk_error *err);

#endif
