/* Internal interface of src/: the CLI, the container lifecycle, spawning
 * the container init and what it does before execve. */
#ifndef SKIFF_SRC_H
#define SKIFF_SRC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/oci.h"
#include "skiff/seccomp.h"
#include "sha256.h"

/* ---- global options (main.c) ---- */
struct sk_globals {
	const char *root;          /* --root, default /run/skiff */
	const char *log_path;      /* --log */
	bool log_json;             /* --log-format json */
	bool debug;
	bool cgroups_disabled;     /* --cgroup-manager disabled */
	bool systemd_cgroup;       /* --systemd-cgroup */
	char **argv;               /* main()'s argv as given (for sk_exe_protect) */
	const char *criu;          /* --criu: the criu binary (default "criu" in PATH) */
};
extern struct sk_globals sk_g;

/* ---- log.c ---- */
void sk_log_open(void);
/* Print "skiff: msg" on stderr and, with --log, a line in the log file. */
void sk_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- options.c: a small getopt_long front end shared by commands ---- */
enum sk_opt_kind { SK_OPT_FLAG, SK_OPT_STRING, SK_OPT_UINT };
struct sk_opt {
	const char *long_name;
	char short_name;          /* 0 when none */
	enum sk_opt_kind kind;
	void *target;             /* bool *, const char **, unsigned * */
};
/* Parse argv (argv[0] is the command name) with options anywhere;
 * positional arguments are collected into pos[] (up to max_pos).
 * Returns the number of positional arguments or -1 with err set. */
int sk_parse_opts(int argc, char **argv, const struct sk_opt *opts,
		  char **pos, int max_pos, struct sk_error *err);

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
 * points), with the record written before it is made (src/spawn.c);
 * *made says whether it exists (to destroy) when -1 is returned. */
int sk_cgroup_create_recorded(const struct sk_config *config, const char *id, int dirfd,
			      const char *what, struct sk_cgroup *cg, bool *made,
			      struct sk_error *err);
/* creating|created|running|stopped (|paused) */
const char *sk_container_status(struct sk_container *c);
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

/* ---- netns_ahead.c: a new network namespace (lo up) made on a thread
 * while skiff goes on with the state directory, the cgroup and the rest;
 * the init joins it. ---- */
struct sk_netns_ahead {
	int tid;          /* of the thread while it runs */
	int sock;         /* where it sends the namespace: -1 not yet, -2 nowhere */
	bool started;
	int fd;           /* the namespace once finished, else -1 */
	int errnum;       /* why not, */
	const char *step; /* at this step */
};
/* Start the thread when it is worth it (a new network namespace in
 * skiff's own user namespace, 2+ CPUs); n->started says whether it runs. */
void sk_netns_ahead_begin(struct sk_netns_ahead *n, const struct sk_config *c);
/* The thread sends the namespace (SK_SYNC_NETNS) on `sock`, skiff's end
 * of the sync socket, once it is made: call it when every message skiff
 * sends before has been sent. */
void sk_netns_ahead_send_on(struct sk_netns_ahead *n, int sock);
/* Wait for it: the namespace fd (kept in n->fd) once sent, or -1 with
 * err set.  Also before closing the socket given to send_on. */
int sk_netns_ahead_finish(struct sk_netns_ahead *n, struct sk_error *err);
/* Wait for the thread if it runs and close what it made. */
void sk_netns_ahead_drop(struct sk_netns_ahead *n);

/* ---- spawn.c: create the container (parent side) ---- */
enum sk_spawn_mode { SK_SPAWN_CREATE, SK_SPAWN_RUN };
struct sk_spawn {
	/* in */
	enum sk_spawn_mode mode;
	const char *id;
	const char *bundle;        /* absolute */
	char *rootfs;              /* absolute, filled by spawn */
	struct sk_config *config;
	char *raw_config;           /* config.json as read: copied to the state dir */
	size_t raw_config_len;
	int state_dirfd;
	const char *console_socket;
	unsigned preserve_fds;
	bool no_pivot;
	struct sk_seccomp_prog seccomp;   /* compiled before anything is created */
	struct sk_netns_ahead netns;      /* started by the caller, or not */
	/* Called once the init exists (pid, pidfd and cgroup known), while it
	 * sets itself up: the caller's work that needs nothing more overlaps
	 * with the init's.  A failure fails the spawn. */
	int (*spawned)(struct sk_spawn *s, void *arg, struct sk_error *err);
	void *spawned_arg;
	/* out */
	pid_t pid;
	int pidfd;
	int sync_fd;               /* parent end, kept open in run mode */
	int tty_master;            /* run mode with terminal and no console socket */
	struct sk_cgroup cgroup;
	bool has_cgroup;
};
int sk_spawn_container(struct sk_spawn *s, struct sk_error *err);
/* run mode: let the init exec the user process. */
int sk_spawn_start(struct sk_spawn *s, struct sk_error *err);
/* Undo a failed or finished spawn: kill, destroy cgroup, close fds. */
void sk_spawn_cleanup(struct sk_spawn *s);

/* ---- usermap.c: uid_map/gid_map of the init (directly, else newuidmap/newgidmap) ---- */
int sk_userns_write_maps(pid_t pid, const struct sk_linux *l, bool *setgroups_denied,
			 struct sk_error *err);

/* ---- sync.c: messages between the parent and the container init ---- */
enum sk_sync_type {
	SK_SYNC_GO = 1,            /* parent -> child: continue (id maps written) */
	SK_SYNC_READY,             /* child -> parent: set up, waiting for start */
	SK_SYNC_START,             /* parent -> child: exec now (run mode) */
	SK_SYNC_ERROR,             /* child -> parent: msg holds the error */
	SK_SYNC_TTY,               /* child -> parent: pty master attached */
	SK_SYNC_SECCOMP,           /* child -> parent: seccomp listener attached */
	SK_SYNC_HOOKS,             /* child -> parent: run prestart/createRuntime hooks,
				    * then send the state JSON back */
	SK_SYNC_NETNS,             /* parent -> child: the network namespace to join */
	SK_SYNC_EXEC_FAILED,       /* child -> parent (exec): execve(2) failed, msg says why */
	SK_SYNC_MOUNTSRC,          /* parent -> child: a bind source opened for it
				    * (or none attached: the path is used) */
};
struct sk_sync_msg { int type; int errnum; char msg[1024]; };
int sk_sync_send(int fd, int type, const struct sk_error *e, int pass_fd);
/* Receive one message; *pass_fd gets an attached fd or -1.  Returns 0,
 * or -1 (err set; EOF counts as an error). */
int sk_sync_recv(int fd, struct sk_sync_msg *m, int *pass_fd, struct sk_error *err);
int sk_send_fd(int sock, int fd, const char *data, size_t len);
/* Connect to the unix socket `path` and send fd with `name` as the data
 * (console and pidfd sockets; exec.c).  `what` names the option in errors. */
int sk_send_fd_to_socket(const char *what, const char *path, int fd, const char *name,
			 struct sk_error *err);

/* ---- init.c: the container init, runs in the child ---- */
struct sk_init_args {
	const struct sk_config *config;
	const char *rootfs, *bundle;
	int sync_fd;               /* child end */
	int fifo_fd;               /* create mode: blocks here until start, else -1 */
	int ack_fd;                /* start.ack: startContainer hook failures for `start`, or -1 */
	unsigned preserve_fds;
	bool no_pivot;
	bool userns;               /* new user namespace: wait for the id maps */
	bool wait_go;              /* wait until skiff has attached the cgroups */
	bool cgroupns;             /* unshare the cgroup ns once in the cgroup */
	bool netns_ahead;          /* skiff sends the network ns to join (lo is up) */
	bool tty;
	const struct sk_seccomp_prog *seccomp;
	int join_fds[SK_NS_TYPES]; /* namespaces joined by path, -1 when none */
	int *idmap_fds;            /* per config mount: id-mapped tree or -1 (NULL: none) */
	uint64_t unshare_flags;    /* new namespaces made after joining a user namespace */
};
__attribute__((noreturn)) void sk_init_run(struct sk_init_args *a);

/* ---- process.c: the process attributes set in the init ---- */
int sk_process_resolve_exec(const struct sk_process *p, char **path, struct sk_error *err);
char **sk_process_envp(const struct sk_process *p);
void sk_process_warn_unknown_caps(const struct sk_process *p);
int sk_process_set_rlimits(const struct sk_process *p, struct sk_error *err);
int sk_process_set_oom_score_adj(const struct sk_process *p, struct sk_error *err);
int sk_process_set_identity(const struct sk_process *p, bool userns_setgroups_denied,
			    struct sk_error *err);
int sk_process_set_capabilities(const struct sk_process *p, struct sk_error *err);
/* The last steps before execve, shared by the init and `exec`: seccomp,
 * user/groups, capabilities, no_new_privs, in two steps, so that the
 * filter goes on as late as possible.
 * sk_process_prepare() does everything but the seccomp load when the load
 * can wait (no notify rules; with no_new_privs, or without it when a
 * capabilities object lets it keep CAP_SYS_ADMIN until then, which
 * execve drops); sk_process_load_late() is then the caller's last step
 * before execve.  After the load skiff makes only execve(2) (and, if
 * that fails, write(2) of the error and exit_group(2)).  A filter with
 * notify rules is loaded in prepare, since the agent gets its listener
 * during create: the syscalls after it are listed in docs/seccomp.md. */
struct sk_late_seccomp {
	const struct sk_seccomp_prog *prog;   /* NULL: nothing left to load */
};
int sk_process_prepare(const struct sk_process *p, const struct sk_seccomp_prog *prog,
		       int (*send_listener)(int fd, void *arg, struct sk_error *err), void *arg,
		       struct sk_late_seccomp *late, struct sk_error *err);
int sk_process_load_late(const struct sk_late_seccomp *late, struct sk_error *err);
/* Mark every fd >= 3 + preserve close-on-exec; clear it on the preserved. */
int sk_process_close_fds(unsigned preserve, struct sk_error *err);
int sk_process_set_extra(const struct sk_config *c, struct sk_error *err);
/* Write `value` to a procfs file that must really be /proc's own (not a
 * file bound over it, not reached through a symlink); `field` names the
 * config field in errors. */
int sk_proc_write(const char *file, const char *value, const char *field, struct sk_error *err);

/* ---- exe_protect.c: CVE-2019-5736 (see the file's comment) ---- */
/* Re-execute skiff from a sealed memfd copy of itself unless it already
 * runs from one; returns 0 when already protected, -1 with err set when
 * the copy or the exec failed (it does not return on success).  Call it
 * before anything joins a container's namespaces, with sk_g.argv. */
int sk_exe_protect(char **argv, struct sk_error *err);
bool sk_exe_is_protected(void);
/* True when the config puts the init where container processes see it
 * (pid namespace joined by path, or none: the host's). */
bool sk_exe_protect_needed(const struct sk_config *c);

/* ---- seccomp_cache.c ---- */
/* sk_seccomp_compile() through the cache in <root>/.seccomp-cache, which
 * keeps at most SK_SECCOMP_CACHE_MAX entries (the least recently used go). */
#define SK_SECCOMP_CACHE_MAX 64
int sk_seccomp_compile_cached(const struct sk_seccomp *s, struct sk_seccomp_prog *out,
			      struct sk_error *err);
/* The same for the build of skiff whose id is build_id (n bytes; NULL:
 * none, the cache is not used): sk_seccomp_compile_cached() passes
 * sk_build_id()'s. */
int sk_seccomp_compile_cached_for(const struct sk_seccomp *s, const unsigned char *build_id,
				  size_t n, struct sk_seccomp_prog *out, struct sk_error *err);
/* The cache key of a seccomp object (SHA-256, see seccomp_cache.c) for
 * the build of skiff whose id is build_id (n bytes; sk_build_id()'s). */
void sk_seccomp_cache_key(const struct sk_seccomp *s, const unsigned char *build_id, size_t n,
			  unsigned char key[32]);

/* ---- build_id.c ---- */
/* This program's GNU build-id (a hash of the linked program, -Wl,--build-id)
 * and its length in *len; NULL (*len 0) when it was linked without one. */
const unsigned char *sk_build_id(size_t *len);

/* ---- terminal.c ---- */
/* In the init: make a pty inside the container, bind its slave on
 * /dev/console, make it the controlling terminal and stdio; returns the
 * master fd. */
/* A new pty of the devpts at /dev/pts, through /dev/ptmx: returns the
 * master, the slave (opened through the master: no path race) in *slave,
 * sized to process.consoleSize; its number in *num. */
int sk_pty_open(const struct sk_process *p, int *slave, int *num, struct sk_error *err);
/* The slave becomes the controlling terminal of a new session and stdio;
 * it is closed either way. */
int sk_pty_take(int slave, struct sk_error *err);
int sk_terminal_setup(const struct sk_process *p, struct sk_error *err);
/* Send the pty master to a --console-socket. */
int sk_terminal_send(const char *socket_path, int master, struct sk_error *err);
/* Foreground run: copy stdin->master, master->stdout until the master
 * hangs up; raw mode when stdin is a tty. */

/* ---- hooks.c ---- */
/* Run the hooks of one phase with `state` (the OCI state JSON) on stdin;
 * the first failure is returned. */
int sk_hooks_run(const struct sk_config *c, enum sk_hook_phase phase, const char *state,
		 struct sk_error *err);
/* Same, but failures are only logged (poststart, poststop). */
void sk_hooks_run_warn(const struct sk_config *c, enum sk_hook_phase phase, const char *state);

/* ---- signals.c ---- */
int sk_parse_signal(const char *s, int *sig, struct sk_error *err);
void sk_signals_reset_ignored(void);
const char *sk_signal_name(int sig);     /* "TERM", or NULL */

/* ---- checks.c: refuse config fields skiff cannot honour yet ---- */
int sk_config_check_supported(const struct sk_config *c, struct sk_error *err);
/* linux.resources as runc reads them: pids.limit 0 unset; memory.kernel
 * and kernelTCP dropped with a warning on stderr. */
void sk_resources_normalize(struct sk_resources *r);

/* ---- commands ---- */
int sk_cmd_create(int argc, char **argv);
int sk_cmd_start(int argc, char **argv);
int sk_cmd_run(int argc, char **argv);
int sk_cmd_exec(int argc, char **argv);         /* cmd_exec.c, exec.c */

/* ---- notify_socket.c: NOTIFY_SOCKET proxied as runc does ---- */
const char *sk_notify_host_socket(void);        /* $NOTIFY_SOCKET or NULL */
/* create: bind <root>/<id>/notify on /run/notify, set NOTIFY_SOCKET in process.env */
int sk_notify_setup_config(struct sk_config *c, const char *id, int state_dirfd,
			   struct sk_error *err);
/* start/run: bind the container's notify.sock; its fd, -2 when the
 * container was created without NOTIFY_SOCKET, -1 on error. */
int sk_notify_bind(int state_dirfd, const char *id, struct sk_error *err);
/* Wait for READY=..., forward it and MAINPID=pid to $NOTIFY_SOCKET; returns
 * early (0) when pidfd says the container exited. */
int sk_notify_wait(int sock, int pidfd, pid_t pid, struct sk_error *err);
int sk_cmd_state(int argc, char **argv);
int sk_cmd_kill(int argc, char **argv);
int sk_cmd_delete(int argc, char **argv);
int sk_cmd_list(int argc, char **argv);
int sk_cmd_spec(int argc, char **argv);
int sk_cmd_features(int argc, char **argv);
int sk_cmd_pause(int argc, char **argv);
int sk_cmd_resume(int argc, char **argv);
int sk_cmd_update(int argc, char **argv);
int sk_cmd_ps(int argc, char **argv);
int sk_cmd_events(int argc, char **argv);
int sk_cmd_check(int argc, char **argv);          /* cmd_check.c */
int sk_cmd_sandbox(int argc, char **argv);        /* cmd_sandbox.c */
int sk_cmd_checkpoint(int argc, char **argv);   /* cmd_checkpoint.c, criu.c */
int sk_cmd_restore(int argc, char **argv);      /* cmd_restore.c, criu.c */
/* cmd_pause.c: open the cgroup recorded in the container's state. */
int sk_container_cgroup(struct sk_container *c, struct sk_cgroup *cg, struct sk_error *err);

#endif
