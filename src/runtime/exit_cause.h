/* Why a container stopped (src/runtime/exit_cause.c). */
#ifndef SKIFF_EXIT_CAUSE_H
#define SKIFF_EXIT_CAUSE_H

#include <stdbool.h>

#include "skiff.h"

struct sk_exit_cause {
	int status;          /* skiff's exit status for it (128+N: signal N), -1 unknown */
	int sig;             /* the signal that ended the init, 0 none */
	bool limit;          /* a limit ended it (OOM, pids, timeout) */
	char cause[16];      /* exited signaled oom-killed pids-limit killed timeout unknown */
	char msg[256];       /* "was killed by the OOM killer: memory.max 64 MiB reached" */
};
/* Before sending sig to a container: who sends it ("kill", "timeout"). */
void sk_exit_cause_mark_kill(int state_dirfd, int sig, const char *who);
/* Work it out once the init exited: wstatus from waitpid, -1 unknown;
 * cg NULL when there is no cgroup. */
void sk_exit_cause_get(int state_dirfd, struct sk_cgroup *cg, int wstatus, struct sk_exit_cause *e);
int sk_exit_cause_save(int state_dirfd, const struct sk_exit_cause *e);
int sk_exit_cause_load(int state_dirfd, struct sk_exit_cause *e);
/* A stopped container's: saved, else from its cgroup and kill mark. */
void sk_exit_cause_of(struct sk_container *c, struct sk_exit_cause *e);
/* Add the run.skiff.exit.* annotations to s (a new array; free it with
 * sk_exit_cause_annotations_free(s, the count before)). */
void sk_exit_cause_annotate(const struct sk_exit_cause *e, struct sk_state *s);
void sk_exit_cause_annotations_free(struct sk_state *s, size_t n_orig);

#endif
