/* Talking to CRIU (src/criu.c): the `criu` program run with its command
 * line, for `skiff checkpoint` and `skiff restore` (src/cmd_checkpoint.c,
 * src/cmd_restore.c). */
#ifndef SKIFF_CRIU_H
#define SKIFF_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "skiff.h"

/* An argument vector being built. */
struct sk_argv {
	char **v;
	size_t n, cap;
};
void sk_argv_add(struct sk_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sk_argv_free(struct sk_argv *a);

/* The criu binary: --criu PATH, else "criu" in $PATH.  Returns its
 * absolute path (heap) or NULL with err saying what is missing. */
char *sk_criu_find(struct sk_error *err);
/* "3.17.1" (heap) from `criu --version`, or NULL with err set. */
char *sk_criu_version(struct sk_error *err);
/* `criu check --feature NAME`: 0 when supported, else -1 with err set. */
int sk_criu_check_feature(const char *feature, struct sk_error *err);

/* The options checkpoint and restore share, as runc names them. */
struct sk_criu_opts {
	const char *image_path, *work_path, *parent_path, *manage_cgroups_mode, *empty_ns;
	const char *page_server, *status_fd;	/* checkpoint only */
	bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump,
	     auto_dedup, lazy_pages;
};
/* Check the shared options, make the image dir (with image_mode, when
 * not 0 and missing) and the work dir (0700, when missing) and fill in
 * the defaults (image: ./checkpoint, work: the image dir).  `what` is
 * "checkpoint" or "restore". */
int sk_criu_opts_prepare(struct sk_criu_opts *o, const char *what, mode_t image_mode,
			 struct sk_error *err);
/* The flags both actions pass to criu (logs, shell job, locks, ...). */
void sk_criu_common_args(struct sk_argv *a, const struct sk_criu_opts *o, const char *log);
/* External bind mounts for criu: each bind mount of the config, keyed by
 * its destination (mapped back to its source on restore), and each masked
 * path that is a file (a bind of /dev/null).  `proc_root` is
 * /proc/<pid>/root on dump, NULL on restore. */
void sk_criu_ext_mounts(struct sk_argv *a, const struct sk_config *c, const char *proc_root,
			bool restore);
/* Namespaces joined by path (runc's way): dump: network and pid ones as
 * criu's external namespaces; restore: those by an fd of theirs opened
 * into fds[type] (-1 otherwise; the caller closes them), the ipc, uts,
 * user and time ones joined again (--join-ns).  A mount or cgroup one:
 * -1, err says criu cannot restore it. */
int sk_criu_joined_ns(struct sk_argv *a, const struct sk_config *c, bool restore, int *fds,
		      const char *what, struct sk_error *err);
/* process.terminal: dump: the container's pty slave as criu's external
 * tty (its key saved in <image>/terminal); restore: `slave` (a new pty's,
 * not close-on-exec) given to criu in its place. */
int sk_criu_terminal_dump(struct sk_argv *a, pid_t pid, const char *image_path,
			  struct sk_error *err);
int sk_criu_terminal_restore(struct sk_argv *a, const char *image_path, int slave,
			     struct sk_error *err);
/* runc's <image>/descriptors.json: the init's stdio at dump time; on
 * restore, --inherit-fd for those that were pipes (skiff's own stdio
 * takes their place, as runc does for conmon and containerd's shim). */
int sk_criu_save_descriptors(pid_t pid, const char *image_path, struct sk_error *err);
void sk_criu_inherit_fds(struct sk_argv *a, const char *image_path);
/* What the criu child sets up before its exec (restore). */
struct sk_criu_child {
	struct sk_cgroup *cgroup;  /* joined, and given to criu as --cgroup-root */
	/* bound (MS_REC) in a mount namespace of criu's own, so that
	 * nothing is mounted on the host even when skiff dies */
	const char *bind_src, *bind_dst;
};
/* Run criu with `a` (a->v[0] is replaced with its path); `ch` (may be
 * NULL) what its child sets up first.  A failure (exit status, signal)
 * returns -1 with err naming the first "Error" line of <work>/<log>. */
int sk_criu_run(struct sk_argv *a, const char *work, const char *log,
		const struct sk_criu_child *ch, const char *what, struct sk_error *err);

/* `skiff --version`: "criu: 3.17.1" or "criu: unavailable (why)". */
void sk_criu_print_version(void);

#define SK_CRIU_HELP \
	"  --image-path DIR         checkpoint images (default ./checkpoint)\n" \
	"  --work-path DIR          criu's logs (default: the image dir)\n" \
	"  --tcp-established, --ext-unix-sk, --shell-job, --file-locks, --auto-dedup,\n" \
	"  --lazy-pages             passed to criu\n" \
	"  --manage-cgroups-mode soft|full|strict|ignore\n" \
	"  --empty-ns network       do not dump/restore the network namespace's contents\n"
#define SK_CHECKPOINT_HELP SK_CRIU_HELP \
	"  --leave-running          keep the container running after the dump\n" \
	"  --pre-dump               dump memory only, keep running (then --parent-path)\n" \
	"  --parent-path DIR        a pre-dump's images, relative to --image-path\n" \
	"  --page-server ADDR:PORT  with --lazy-pages: serve the pages there; else send them\n" \
	"  --status-fd FD           criu writes \\0 there once it serves the lazy pages\n"
#define SK_RESTORE_HELP SK_CRIU_HELP \
	"  -b, --bundle DIR         bundle directory (default: the current one)\n" \
	"  -d, --detach             do not wait for the container\n" \
	"  --pid-file FILE          write the restored init's pid there\n" \
	"  --console-socket PATH    process.terminal: the new pty's master goes there\n" \
	"  --no-subreaper           skiff does not become a child subreaper\n" \
	"  --no-pivot               accepted (criu sets up the root itself, as with runc)\n"

/* The shared option table entries (image-path ... lazy-pages). */
#define SK_CRIU_OPTS(o) \
	{ "image-path", 0, SK_OPT_STRING, &(o).image_path }, \
	{ "work-path", 0, SK_OPT_STRING, &(o).work_path }, \
	{ "manage-cgroups-mode", 0, SK_OPT_STRING, &(o).manage_cgroups_mode }, \
	{ "empty-ns", 0, SK_OPT_STRING, &(o).empty_ns }, \
	{ "tcp-established", 0, SK_OPT_FLAG, &(o).tcp_established }, \
	{ "ext-unix-sk", 0, SK_OPT_FLAG, &(o).ext_unix_sk }, \
	{ "shell-job", 0, SK_OPT_FLAG, &(o).shell_job }, \
	{ "file-locks", 0, SK_OPT_FLAG, &(o).file_locks }, \
	{ "auto-dedup", 0, SK_OPT_FLAG, &(o).auto_dedup }, \
	{ "lazy-pages", 0, SK_OPT_FLAG, &(o).lazy_pages }

#endif
