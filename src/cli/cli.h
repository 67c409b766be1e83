/* src/cli/: the command line.  main.c parses the global options and
 * calls one command; each command (cmd_*.c) parses its own options and
 * arguments and calls the runtime (src/runtime/). */
#ifndef SKIFF_CLI_H
#define SKIFF_CLI_H

#include <stdbool.h>

struct sk_error;
struct sk_container;
struct sk_spawn;
struct sk_create_opts;

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
/* The same for a command whose first argument is a container id: none
 * is an error ("<command>: a container id is required"). */
int sk_parse_id_opts(int argc, char **argv, const struct sk_opt *opts,
		     char **pos, int max_pos, struct sk_error *err);

/* ---- the commands (main.c's table): the exit status, or -1 with err
 * set (main() prints it) ---- */
int sk_cmd_create(int argc, char **argv, struct sk_error *err);
int sk_cmd_start(int argc, char **argv, struct sk_error *err);
int sk_cmd_run(int argc, char **argv, struct sk_error *err);
int sk_cmd_exec(int argc, char **argv, struct sk_error *err);         /* cmd_exec.c, exec.c */
int sk_cmd_state(int argc, char **argv, struct sk_error *err);
int sk_cmd_kill(int argc, char **argv, struct sk_error *err);
int sk_cmd_delete(int argc, char **argv, struct sk_error *err);
int sk_cmd_list(int argc, char **argv, struct sk_error *err);
int sk_cmd_spec(int argc, char **argv, struct sk_error *err);
int sk_cmd_features(int argc, char **argv, struct sk_error *err);
int sk_cmd_pause(int argc, char **argv, struct sk_error *err);
int sk_cmd_resume(int argc, char **argv, struct sk_error *err);
int sk_cmd_update(int argc, char **argv, struct sk_error *err);
int sk_cmd_ps(int argc, char **argv, struct sk_error *err);
int sk_cmd_events(int argc, char **argv, struct sk_error *err);
int sk_cmd_check(int argc, char **argv, struct sk_error *err);          /* cmd_check.c */
int sk_cmd_sandbox(int argc, char **argv, struct sk_error *err);        /* cmd_sandbox.c */
int sk_cmd_checkpoint(int argc, char **argv, struct sk_error *err);   /* cmd_checkpoint.c, criu.c */
int sk_cmd_restore(int argc, char **argv, struct sk_error *err);      /* cmd_restore.c, criu.c */

/* cmd_run.c: run a container in the foreground (create, start, wait,
 * delete unless keep); the exit status for skiff.  h may be NULL. */
struct sk_run_hooks {
	int timeout_ms;            /* > 0: SIGKILL it all after this long, exit 124 */
	bool timed_out;            /* out */
	/* once the init exited, before the container is deleted */
	void (*stopped)(struct sk_container *c, struct sk_spawn *s, int wstatus, void *arg);
	void *arg;
};
int sk_run(const char *id, const struct sk_create_opts *o, bool keep, struct sk_run_hooks *h);

#endif
