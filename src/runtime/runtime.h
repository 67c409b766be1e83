/* src/runtime/: a container's life.  The parent side spawns the init
 * (spawn.c: cgroup, clone3, the sync protocol), the init sets itself up
 * in the child (init.c) and execs the process; around them: the state
 * directory (container.h), create/delete (lifecycle.h), exec (exec.h),
 * why it stopped (exit_cause.h), hooks, signals, NOTIFY_SOCKET. */
#ifndef SKIFF_RUNTIME_H
#define SKIFF_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#include "skiff/cgroups.h"
#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/seccomp.h"
#include "container.h"
#include "net.h"

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
	SK_SYNC_TYPES
};
struct sk_sync_msg { int type; int errnum; char msg[1024]; };
int sk_sync_send(int fd, int type, const struct sk_error *e, int pass_fd);
/* Receive one message; *pass_fd gets an attached fd or -1.  Returns 0,
 * or -1 (err set; EOF counts as an error). */
int sk_sync_recv(int fd, struct sk_sync_msg *m, int *pass_fd, struct sk_error *err);
int sk_send_fd(int sock, int fd, const char *data, size_t len);
/* Connect to the unix socket `path` and send fd with `name` as the data
 * (console and pidfd sockets).  `what` names the option in errors. */
int sk_send_fd_to_socket(const char *what, const char *path, int fd, const char *name,
			 struct sk_error *err);
/* The next message must be `type`; *fd gets its fd or -1 (with fd NULL
 * an fd that came with it is closed). */
int sk_sync_expect(int sync, int type, int *fd, struct sk_error *err);
/* sk_process_prepare's send_listener: the listener to skiff (*(int *)sync). */
int sk_sync_send_listener(int fd, void *sync, struct sk_error *err);

/* The parent's side of a child's setup: messages until a handler says
 * done (or, with eof_done, the child's end closes at execve). */
struct sk_sync_peer;
/* A message's handler: 0 go on, 1 done, -1 error (err set); it takes *fd
 * by setting it to -1, else the loop closes it. */
typedef int sk_sync_handler(struct sk_sync_peer *p, const struct sk_sync_msg *m, int *fd,
			    struct sk_error *err);
struct sk_sync_peer {
	const char *who;                   /* "container init", in errors */
	int timeout_ms;                    /* for each message */
	const char *timeout_text;          /* printf format of the seconds */
	bool eof_done;
	sk_sync_handler *on[SK_SYNC_TYPES];  /* NULL: unexpected */
	void *arg;
	/* for the handlers below */
	const char *console_socket;        /* tty: send the master there, */
	int *tty_master;                   /* else keep it here */
	const struct sk_seccomp *seccomp;  /* seccomp: the listener's agent */
	struct sk_state state;             /* and the state it gets, */
	enum sk_status status;             /* with this status */
};
int sk_sync_wait(int sync, struct sk_sync_peer *p, struct sk_error *err);
sk_sync_handler sk_sync_on_error, sk_sync_on_tty, sk_sync_on_seccomp;

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

/* ---- terminal.c ---- */
/* A new pty of the devpts at /dev/pts, through /dev/ptmx: returns the
 * master, the slave (opened through the master: no path race) in *slave,
 * sized to process.consoleSize; its number in *num. */
int sk_pty_open(const struct sk_process *p, int *slave, int *num, struct sk_error *err);
/* The slave becomes the controlling terminal of a new session and stdio;
 * it is closed either way. */
int sk_pty_take(int slave, struct sk_error *err);
/* In the init: make a pty inside the container, bind its slave on
 * /dev/console, make it the controlling terminal and stdio; returns the
 * master fd. */
int sk_terminal_setup(const struct sk_process *p, struct sk_error *err);

/* ---- supervise.c: a process in the foreground (run, exec) ---- */
struct sk_tty {
	int master;                /* the pty master, -1: no terminal */
	bool in_open;              /* stdin still copied to it */
	bool raw;                  /* stdin put in raw mode: saved holds its modes */
	struct termios saved;
};
/* Take the master: stdin in raw mode when it is a tty, the pty sized as
 * the terminal; end restores stdin and closes the master. */
void sk_tty_begin(struct sk_tty *t, int master);
void sk_tty_resize(struct sk_tty *t);
void sk_tty_end(struct sk_tty *t);
struct sk_supervise {
	pid_t pid;                 /* a child of skiff */
	int pidfd;
	int sigfd;                 /* sk_signals_block()'s */
	struct sk_tty tty;         /* stdin -> master -> stdout (sk_tty_begin) */
	int timeout_ms;            /* > 0: on_timeout is called once after it */
	void (*on_timeout)(struct sk_supervise *s);
	int watch_fd;              /* >= 0: on_watch is called when it is readable */
	void (*on_watch)(struct sk_supervise *s);
	void *arg;
	int wstatus;               /* out: waitpid's */
};
/* Forward signals to the process, copy the terminal, until the process
 * exits; returns its exit status (128+N for signal N). */
int sk_supervise(struct sk_supervise *s);

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
/* Block the signals a foreground skiff forwards (all but the faults)
 * before the process is cloned, so none is lost; returns a signalfd for
 * them, or -1 with err set (and the mask as it was). */
int sk_signals_block(struct sk_error *err);
const char *sk_signal_name(int sig);     /* "TERM", or NULL */

/* ---- checks.c: refuse config fields skiff cannot honour yet ---- */
int sk_config_check_supported(const struct sk_config *c, struct sk_error *err);
/* linux.resources as runc reads them: pids.limit 0 unset; memory.kernel
 * and kernelTCP dropped with a warning on stderr. */
void sk_resources_normalize(struct sk_resources *r);

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

#endif
