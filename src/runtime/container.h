/* The state directory of a container <root>/<id> (src/runtime/container.c):
 * its lock, its status, its init and its cgroup. */
#ifndef SKIFF_CONTAINER_H
#define SKIFF_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/oci.h"

/* ---- container.c: the state directory and status ---- */
struct sk_container {
	char *id;
	int dirfd;                 /* <root>/<id> */
	int lockfd;
	struct sk_state *state;    /* NULL while creating */
	bool creating;             /* peeked at while a create holds the lock */
	/* sk_container_load_any: why state.json could not be read (state
	 * NULL), or no_record: neither state.json nor a create's marker */
	char *damage;
	bool no_record;
	/* The parsed config when this process created the container (run):
	 * its hooks are read from it, not from the saved config.json.
	 * Borrowed from the spawn. */
	const struct sk_config *config;
};
int sk_validate_id(const char *id, struct sk_error *err);
/* Open <root> (created when missing). */
int sk_root_open(struct sk_error *err);
/* Make <root>/<id>, fail if it exists; take the lock. */
int sk_container_new(const char *id, struct sk_container *c, struct sk_error *err);
/* err names the state directory of `id` (a write there failed: ENOSPC, EMFILE) */
int sk_state_dir_error(const char *id, struct sk_error *err);
/* Open an existing container, lock it and read its state. */
int sk_container_load(const char *id, struct sk_container *c, struct sk_error *err);
/* The same, also when state.json is unreadable (c->damage, c->state
 * NULL): delete and list go on with what is left (docs/state.md).
 * Without peek it waits (bounded) for a create that holds the lock. */
int sk_container_load_any(const char *id, bool peek, struct sk_container *c,
			  struct sk_error *err);
/* The same for reading only (state, list): a container that a create is
 * still setting up is read without waiting, its status "creating". */
int sk_container_peek(const char *id, struct sk_container *c, struct sk_error *err);
/* create is done: the container is no longer "creating". */
void sk_container_created(struct sk_container *c);
void sk_container_release(struct sk_container *c);
/* Let other commands in while a long wait runs (foreground run), and
 * take the lock back. */
void sk_container_unlock(struct sk_container *c);
void sk_container_relock(struct sk_container *c);
/* Remove the state dir (called with the lock held). */
void sk_container_remove(struct sk_container *c);
/* The "cgroup" record of a state directory (written before the cgroup
 * is made, see docs/state.md); read returns -1 when absent or garbage. */
struct sk_cgroup_rec {
	bool owned;
	char *dir, *path, *owned_v1;
	char *unit;	/* the systemd driver's scope unit, else NULL */
};
int sk_cgroup_rec_write(int dirfd, const struct sk_cgroup_rec *r, bool replace,
			struct sk_error *err);
int sk_cgroup_rec_read(int dirfd, struct sk_cgroup_rec *r);
void sk_cgroup_rec_free(struct sk_cgroup_rec *r);
/* The cgroup of a new container (create, restore: `what` names the fault
 * points), with the record written before it is made (src/runtime/spawn.c);
 * *made says whether it exists (to destroy) when -1 is returned. */
int sk_cgroup_create_recorded(const struct sk_config *config, const char *id, int dirfd,
			      const char *what, struct sk_cgroup *cg, bool *made,
			      struct sk_error *err);
enum sk_status sk_container_status(struct sk_container *c);
/* A pidfd for the init that is known to be the container's (start time
 * checked), or -1 when it is gone. */
int sk_container_pidfd(struct sk_container *c);
uint64_t sk_proc_start_time(pid_t pid, char *state_char);
/* How long skiff waits for a process it sent SIGKILL to. */
#define SK_KILL_WAIT_MS 10000
/* Wait at most timeout_ms for the process behind pidfd to exit (0), -1. */
int sk_pidfd_wait(int pidfd, int timeout_ms);
/* SIGKILL a child (through pidfd when >= 0) and reap it, waiting at most
 * SK_KILL_WAIT_MS (a warning, and no reaping, when it is still there). */
void sk_kill_reap(pid_t pid, int pidfd);
/* Open the cgroup recorded in the container's state. */
int sk_container_cgroup(struct sk_container *c, struct sk_cgroup *cg, struct sk_error *err);

#endif
