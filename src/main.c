/* skiff: an OCI container runtime with runc's command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"

struct sk_globals sk_g = { .root = "/run/skiff" };

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "create",   sk_cmd_create,   "create a container" },
	{ "start",    sk_cmd_start,    "start the user process of a created container" },
	{ "run",      sk_cmd_run,      "create and start a container" },
	{ "exec",     sk_cmd_exec,     "run a new process in a running container" },
	{ "state",    sk_cmd_state,    "print the state of a container" },
	{ "kill",     sk_cmd_kill,     "send a signal to a container's init process" },
	{ "delete",   sk_cmd_delete,   "delete a container and everything it holds" },
	{ "list",     sk_cmd_list,     "list containers" },
	{ "spec",     sk_cmd_spec,     "write a default config.json" },
	{ "features", sk_cmd_features, "print the features skiff supports" },
	{ "pause",    sk_cmd_pause,    "freeze every process of a container" },
	{ "resume",   sk_cmd_resume,   "thaw a paused container" },
	{ "update",   sk_cmd_update,   "change the cgroup limits of a container" },
	{ "ps",       sk_cmd_ps,       "list the processes of a container" },
	{ "events",   sk_cmd_events,   "print a container's stats and OOM events as JSON" },
	{ "check",    sk_cmd_check,    "what this host can and cannot do for skiff" },
	{ "sandbox",  sk_cmd_sandbox,  "run a command in a throwaway container (no bundle)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: skiff [global options] COMMAND [options] [ID] [args]\n\n"
		   "global options:\n"
		   "  --root DIR               state directory (default /run/skiff)\n"
		   "  --log FILE               write errors and debug messages to FILE too\n"
		   "  --log-format text|json   log file format\n"
		   "  --debug                  debug messages\n"
		   "  --cgroup-manager cgroupfs|disabled\n"
		   "  --systemd-cgroup         use systemd for cgroups (needs systemd)\n"
		   "  --rootless true|false|auto\n"
		   "  -v, --version            print the version\n"
		   "  -h, --help               this help\n\ncommands:\n");
	for (size_t i = 0; i < SK_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nSee skiff(8).\n");
}

static void version(void)
{
	printf("skiff version %s\nspec: %s\n+SECCOMP +CAP +YAJL\n",
	       PACKAGE_VERSION, SK_OCI_VERSION);
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
				return sk_error(err, EINVAL, "--cgroup-manager: unknown manager \"%s\" (cgroupfs or disabled)", val);
		} else if (!strcmp(name, "rootless")) {
			if (strcmp(val, "true") && strcmp(val, "false") && strcmp(val, "auto"))
				return sk_error(err, EINVAL, "--rootless: expected true, false or auto, got \"%s\"", val);
		}
		/* --criu is accepted and ignored: skiff has no checkpointing. */
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
	if (sk_g.systemd_cgroup) {
		sk_log_error("--systemd-cgroup: no systemd is running (use --cgroup-manager cgroupfs)");
		return 1;
	}
	/* CVE-2019-5736: `exec` puts a skiff process into a running
	 * container; create/run do when the config joins a pid namespace
	 * (sk_lifecycle_create checks that). */
	if (!strcmp(argv[i], "exec") && sk_exe_protect(sk_g.argv, &err) < 0) {
		sk_log_error("%s", err.msg);
		return 1;
	}
	for (size_t c = 0; c < SK_ARRAY_SIZE(commands); c++)
		if (!strcmp(argv[i], commands[c].name)) {
			/* run and exec exit with the container process's status */
			int r = commands[c].fn(argc - i, argv + i);

			return r < 0 ? 1 : r;
		}
	sk_log_error("unknown command \"%s\" (see skiff --help)", argv[i]);
	return 1;
}
