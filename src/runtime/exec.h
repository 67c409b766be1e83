/* skiff exec: a new process in a running container (src/cli/cmd_exec.c parses
 * the command line and builds the process, src/runtime/exec.c starts it and
 * src/runtime/supervise.c supervises it). */
#ifndef SKIFF_EXEC_H
#define SKIFF_EXEC_H

#include "skiff.h"

struct sk_exec {
	/* in */
	const char *id;
	const struct sk_config *config;     /* the container's, saved at create */
	const struct sk_process *process;   /* what to run */
	struct sk_seccomp_prog seccomp;     /* the container's filter, compiled */
	int init_pidfd;                     /* the container's init */
	pid_t init_pid;
	struct sk_cgroup *cgroup;           /* the container's, NULL: none */
	int cgroup_fd;                      /* v2 directory to start in, -1: none */
	int lockfd;                         /* the container's lock: released once
					     * the process is in the cgroup */
	const char *console_socket;
	const char *pidfd_socket;
	unsigned preserve_fds;
	bool detach;
	/* out */
	pid_t pid;
	int pidfd;
	int tty_master;                     /* foreground terminal, -1 when none */
	bool exec_failed;                   /* the error is execve(2)'s */
};

/* Start the process: join the container's namespaces (by pidfd) and its
 * cgroup, set it up like the init (cwd, rlimits, user, capabilities,
 * seccomp...), execve.  Returns when execve has happened (or failed,
 * with err set and nothing left running; e->exec_failed when it is
 * execve itself that failed). */
int sk_exec_start(struct sk_exec *e, struct sk_error *err);

#endif
