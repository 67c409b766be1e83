/* skiff: an OCI container runtime with runc's command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff.h"
#include "criu.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include <seccomp.h>

struct sk_globals sk_g = { .root = "/run/skiff" };

/* `skiff COMMAND -h`: what runc's help says, shorter: the synopsis
 * and the options (docs/cli.md and skiff(8) say more). */
#define ID "<container-id>"
static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
	const char *args;
	const char *opts;
} commands[] = {
	{ "create", sk_cmd_create, "create a container", ID,
	  "  -b, --bundle DIR         bundle directory (default: the current one)\n"
	  "  --console-socket PATH    send the pty master there (process.terminal)\n"
	  "  --pidfd-socket PATH      send a pidfd of the init there\n"
	  "  --pid-file FILE          write the init's pid there\n"
	  "  --no-pivot               no pivot_root (a ramdisk root)\n"
	  "  --preserve-fds N         pass fds 3..3+N-1 to the container\n" },
	{ "start", sk_cmd_start, "start the user process of a created container", ID, "" },
	{ "run", sk_cmd_run, "create and start a container", ID,
	  "  -d, --detach             do not wait for the container\n"
	  "  --keep                   do not delete the container when it exits\n"
	  "  -b, --bundle DIR, --console-socket PATH, --pidfd-socket PATH, --pid-file FILE,\n"
	  "  --no-pivot, --preserve-fds N: as for create\n" },
	{ "exec", sk_cmd_exec, "run a new process in a running container", ID " <command> [args...]",
	  "  -p, --process FILE       process.json to run\n"
	  "  -t, --tty                a pseudo-terminal\n"
	  "  -d, --detach             do not wait for the process\n"
	  "  --cwd DIR, -e, --env NAME=VALUE, -u, --user UID[:GID], -g, --additional-gids GID,\n"
	  "  -c, --cap CAP, --no-new-privs, --apparmor PROFILE, --process-label LABEL\n"
	  "  --cgroup [CTRL:]PATH     a sub-cgroup of the container's\n"
	  "  --ignore-paused          exec in a paused container (the process starts frozen)\n"
	  "  --pid-file FILE, --console-socket PATH, --pidfd-socket PATH, --preserve-fds N\n" },
	{ "state", sk_cmd_state, "print the state of a container", ID, "" },
	{ "kill", sk_cmd_kill, "send a signal to a container's init process", ID " [signal]",
	  "  -a, --all                signal every process of the container\n"
	  "  signal                   a name (TERM, SIGKILL) or a number, 0 only checks (default TERM)\n" },
	{ "delete", sk_cmd_delete, "delete a container and everything it holds", ID,
	  "  -f, --force              kill it first if it runs\n" },
	{ "list", sk_cmd_list, "list containers", "",
	  "  -f, --format table|json  output format (default table)\n"
	  "  -q, --quiet              only the container ids\n" },
	{ "spec", sk_cmd_spec, "write a default config.json", "",
	  "  -b, --bundle DIR         where to write it (default: the current directory)\n"
	  "  --rootless               a config for a rootless container\n" },
	{ "features", sk_cmd_features, "print the features skiff supports", "", "" },
	{ "pause", sk_cmd_pause, "freeze every process of a container", ID, "" },
	{ "resume", sk_cmd_resume, "thaw a paused container", ID, "" },
	{ "update", sk_cmd_update, "change the cgroup limits of a container", ID,
	  "  -r, --resources FILE|-   a linux.resources JSON\n"
	  "  --memory, --memory-swap, --memory-reservation, --cpu-quota, --cpu-period,\n"
	  "  --cpu-burst, --cpu-share, --cpuset-cpus, --cpuset-mems, --pids-limit,\n"
	  "  --blkio-weight VALUE\n" },
	{ "ps", sk_cmd_ps, "list the processes of a container", ID " [ps options]",
	  "  -f, --format table|json  output format (default table)\n" },
	{ "checkpoint", sk_cmd_checkpoint, "checkpoint a running container with CRIU", ID, SK_CHECKPOINT_HELP },
	{ "restore", sk_cmd_restore, "restore a container from a CRIU checkpoint", ID, SK_RESTORE_HELP },
	{ "events", sk_cmd_events, "print a container's stats and OOM events as JSON", ID,
	  "  --stats                  print the stats once\n"
	  "  --interval DURATION      between stats (default 5s)\n" },
	{ "check", sk_cmd_check, "what this host can and cannot do for skiff", "",
	  "  --json                   one JSON object instead of lines\n" },
	{ "sandbox", sk_cmd_sandbox, "run a command in a throwaway container (no bundle)",
	  "[--] <command> [args...]",
	  "  --rootfs DIR             the root (default: the host's /, read-only, with an overlay)\n"
	  "  --read-only              no overlay: the root read-only as it is\n"
	  "  --bind SRC[:DST[:ro]]    bind mount (default: the working directory, writable)\n"
	  "  --env KEY[=VALUE], --workdir DIR, --net host|none\n"
	  "  --memory SIZE, --cpus N, --pids N, --io-weight W, --timeout SECONDS (exit 124)\n"
	  "  --no-limits              run without limits where no cgroup is delegated\n"
	  "  --summary                one line of resource use on stderr at exit\n"
	  "  --report FILE            the same as JSON in FILE\n" },
};

static void command_help(size_t c)
{
	printf("skiff %s - %s\n\nusage: skiff [global options] %s%s%s%s\n",
	       commands[c].name, commands[c].help, commands[c].name,
	       *commands[c].opts ? " [command options]" : "", *commands[c].args ? " " : "",
	       commands[c].args);
	if (*commands[c].opts)
		printf("\noptions:\n%s", commands[c].opts);
	printf("  -h, --help               this help\n\nSee skiff(8).\n");
}

/* -h/--help among the command's options (for exec and ps, before the
 * id: what follows it is the process's). */
static bool wants_help(int argc, char **argv)
{
	bool upto_id = !strcmp(argv[0], "exec") || !strcmp(argv[0], "ps");

	/* sandbox: only as its first argument (the rest may be the command's) */
	if (!strcmp(argv[0], "sandbox"))
		return argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
		if (upto_id && argv[i][0] != '-')
			return false;
	}
	return false;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: skiff [global options] COMMAND [options] [ID] [args]\n\n"
		   "global options:\n"
		   "  --root DIR               state directory (default /run/skiff)\n"
		   "  --log FILE               write errors and debug messages to FILE too\n"
		   "  --log-format text|json   log file format\n"
		   "  --debug                  debug messages\n"
		   "  --cgroup-manager cgroupfs|systemd|disabled\n"
		   "  --systemd-cgroup         use systemd for cgroups (needs systemd)\n"
		   "  --rootless true|false|auto\n"
		   "  -v, --version            print the version\n"
		   "  -h, --help               this help\n\ncommands:\n");
	for (size_t i = 0; i < SK_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-10s %s\n", "help", "this help, or a command's (also COMMAND -h)");
	fprintf(f, "\nSee skiff(8).\n");
}

/* runc's shape: "runc version", "commit:" (when known), "spec:",
 * "libseccomp:" (the library linked in, as runc prints it). */
static void version(void)
{
	const struct scmp_version *v = seccomp_version();

	printf("skiff version %s\n", PACKAGE_VERSION);
#ifdef SKIFF_COMMIT
	if (*SKIFF_COMMIT)
		printf("commit: %s\n", SKIFF_COMMIT);
#endif
	printf("spec: %s\n", SK_OCI_VERSION);
	if (v)
		printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
	sk_criu_print_version();
}

/* Global options come before the command. Returns the index of the
 * command in argv, 0 when done (version/help printed), -1 on error. */
static int parse_globals(int argc, char **argv, struct sk_error *err)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		char *a = argv[i], *val = NULL, *eq;
		const char *name;

		if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
			version();
			return 0;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		name = a + (a[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		if (eq)
			*eq = '\0', val = eq + 1;
		if (!strcmp(name, "debug")) {
			sk_g.debug = true;
			continue;
		}
		if (!strcmp(name, "systemd-cgroup")) {
			sk_g.systemd_cgroup = !val || !strcmp(val, "true");
			continue;
		}
		if (strcmp(name, "root") && strcmp(name, "log") && strcmp(name, "log-format") &&
		    strcmp(name, "cgroup-manager") && strcmp(name, "rootless") &&
		    strcmp(name, "criu"))
			return sk_error(err, EINVAL, "unknown global option %s", a);
		if (!val) {
			if (i + 1 >= argc)
				return sk_error(err, EINVAL, "option --%s needs a value", name);
			val = argv[++i];
		}
		if (!strcmp(name, "root")) {
			if (!*val)
				return sk_error(err, EINVAL, "--root: must not be empty");
			sk_g.root = val;
		} else if (!strcmp(name, "log")) {
			sk_g.log_path = val;
		} else if (!strcmp(name, "log-format")) {
			if (strcmp(val, "json") && strcmp(val, "text"))
				return sk_error(err, EINVAL, "--log-format: unknown format \"%s\" (text or json)", val);
			sk_g.log_json = !strcmp(val, "json");
		} else if (!strcmp(name, "cgroup-manager")) {
			if (!strcmp(val, "disabled"))
				sk_g.cgroups_disabled = true;
			else if (!strcmp(val, "systemd"))
				sk_g.systemd_cgroup = true;
			else if (strcmp(val, "cgroupfs"))
				return sk_error(err, EINVAL, "--cgroup-manager: unknown manager \"%s\" (cgroupfs, systemd or disabled)", val);
		} else if (!strcmp(name, "rootless")) {
			if (strcmp(val, "true") && strcmp(val, "false") && strcmp(val, "auto"))
				return sk_error(err, EINVAL, "--rootless: expected true, false or auto, got \"%s\"", val);
		} else if (!strcmp(name, "criu")) {
			sk_g.criu = val;      /* checkpoint/restore: the criu binary */
		}
	}
	if (i >= argc) {
		usage(stderr);
		return sk_error(err, EINVAL, "no command given");
	}
	return i;
}

int main(int argc, char **argv)
{
	struct sk_error err = { 0 };
	char **saved = sk_xcalloc((size_t)argc + 1, sizeof(char *));
	int i;

	/* parse_globals edits argv ("--opt=val"); sk_exe_protect re-executes
	 * skiff with the arguments as given. */
	for (int k = 0; k < argc; k++)
		saved[k] = sk_xstrdup(argv[k]);
	sk_g.argv = saved;
	i = parse_globals(argc, argv, &err);

	sk_log_open();
	if (i < 0) {
		sk_log_error("%s", err.msg);
		return 1;
	}
	if (i == 0)
		return 0;
	/* tests: the component walk rootfs/resolve.c falls back to on
	 * kernels without openat2, on this one */
	if (getenv("SKIFF_RESOLVE_WALK") && *getenv("SKIFF_RESOLVE_WALK"))
		sk_resolve_force_walk(true);
	/* the systemd driver (create, run, restore); a host without systemd
	 * gets its one-line error there */
	sk_cgroup_use_systemd(sk_g.systemd_cgroup);
	for (size_t c = 0; c < SK_ARRAY_SIZE(commands); c++)
		if (!strcmp(argv[i], commands[c].name)) {
			/* run and exec exit with the container process's status */
			int r;

			if (wants_help(argc - i, argv + i)) {
				command_help(c);
				return 0;
			}
			/* CVE-2019-5736: `exec` puts a skiff process into a
			 * running container; create/run do when the config
			 * joins a pid namespace (sk_lifecycle_create checks
			 * that).  exec fails with 255, as runc's. */
			if (commands[c].fn == sk_cmd_exec && sk_exe_protect(sk_g.argv, &err) < 0) {
				sk_log_error("%s", err.msg);
				return 255;
			}
			r = commands[c].fn(argc - i, argv + i);
			return r < 0 ? 1 : r;
		}
	/* `skiff help [COMMAND]`, as runc */
	if (!strcmp(argv[i], "help") && i + 1 >= argc) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "help")) {
		for (size_t c = 0; c < SK_ARRAY_SIZE(commands); c++)
			if (!strcmp(argv[i + 1], commands[c].name)) {
				command_help(c);
				return 0;
			}
		i++;
	}
	sk_log_error("unknown command \"%s\": no such command (see skiff --help)", argv[i]);
	return 1;
}
