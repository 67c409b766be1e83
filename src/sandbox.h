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
	const char *cgroups_path;         /* linux.cgroupsPath, NULL: none */
	char **args;                      /* the command */
	int n_args;
};

/* The config.json text of a sandbox whose root directory is `root`
 * (an empty directory skiff made when there is no --rootfs: the host's
 * top-level directories are bound read-only on it). */
char *sk_sandbox_config_json(const struct sk_sandbox_opts *o, const char *root);
/* The host's top-level directories bound read-only ("" when none). */
bool sk_sandbox_host_dir(const char *name);

/* Rootless limits (sandbox_cgroup.c): skiff's own cgroup2 cgroup, and
 * the leaf skiff moved itself into to enable controllers there. */
struct sk_sandbox_cgroup {
	char *own;                        /* /sys/fs/cgroup/... */
	char *leaf;                       /* <own>/skiff-sandbox-<pid>, NULL: not moved */
	char *before;                     /* <own>'s cgroup.subtree_control before */
};
#define SK_SANDBOX_CG_MEMORY (1u << 0)
#define SK_SANDBOX_CG_CPU    (1u << 1)
#define SK_SANDBOX_CG_PIDS   (1u << 2)
#define SK_SANDBOX_CG_IO     (1u << 3)

/* /sys/fs/cgroup/<the caller's cgroup>, NULL without cgroup2 there. */
char *sk_sandbox_own_cgroup(void);
/* Let cg->own hold a child with the controllers `want` (SK_SANDBOX_CG_*). */
int sk_sandbox_cgroup_prepare(struct sk_sandbox_cgroup *cg, unsigned want, struct sk_error *err);
/* Undo prepare (the caller's pid back in cg->own); idempotent. */
void sk_sandbox_cgroup_restore(struct sk_sandbox_cgroup *cg);
void sk_sandbox_cgroup_free(struct sk_sandbox_cgroup *cg);

#endif
