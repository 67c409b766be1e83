/* skiff sandbox (cmd_sandbox.c, sandbox_config.c). */
#ifndef SKIFF_SANDBOX_H
#define SKIFF_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sk_error;

struct sk_sandbox_bind { char *src, *dst; bool ro; };

struct sk_sandbox_opts {
	const char *rootfs;               /* --rootfs, NULL: the host's / */
	/* the host's /: where each top-level directory's overlay upper and
	 * work directories are (<upper>/<name>/{u,w}); NULL: --read-only,
	 * read-only binds */
	const char *upper;
	struct sk_sandbox_bind *binds;    /* --bind, or the working directory */
	size_t n_binds;
	const char **env;                 /* --env KEY=VAL / KEY */
	size_t n_env;
	const char *workdir;              /* --workdir, default the working directory */
	bool net_host;                    /* --net=host */
	bool rootless;                    /* not root: in a user namespace */
	uid_t uid;
	gid_t gid;
	uint64_t memory;                  /* --memory bytes, 0 none */
	uint64_t cpu_quota;               /* --cpus * 100000 per 100000 us, 0 none */
	uint64_t pids;                    /* --pids, 0 none */
	uint64_t io_weight;               /* --io-weight 10..1000, 0 none */
	char **args;                      /* the command */
	int n_args;
};

/* The config.json text of a sandbox whose root directory is `root`
 * (an empty directory skiff made when there is no --rootfs: the host's
 * top-level directories are bound read-only on it). */
char *sk_sandbox_config_json(const struct sk_sandbox_opts *o, const char *root);
/* The host's top-level directories bound read-only ("" when none). */
bool sk_sandbox_host_dir(const char *name);

#endif
