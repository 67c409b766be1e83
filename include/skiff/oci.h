/* JSON documents other than config.json: the container's saved state,
 * the OCI state output, `skiff spec` and `skiff features`. */
#ifndef SKIFF_OCI_H
#define SKIFF_OCI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sk_error;
struct sk_kv;
struct sk_config;

#define SK_OCI_VERSION "1.3.0"

/* What skiff records in <root>/<id>/state.json. */
struct sk_state {
	char *id;
	pid_t pid;                    /* host pid of the container init, 0 if none */
	uint64_t start_time;          /* /proc/<pid>/stat field 22: tells a recycled pid apart */
	char *bundle;                 /* absolute */
	char *rootfs;                 /* absolute */
	char *created;                /* RFC 3339 */
	char *cgroup_path;            /* absolute cgroupfs directory, NULL if none */
	bool cgroup_owned;            /* skiff created it: delete removes it */
	/* v1 hierarchies (their controller lists, ';'-separated) whose
	 * cgroup skiff created; NULL: as cgroup_owned (v2, older states) */
	char *cgroup_owned_v1;
	/* the cgroup's path in its hierarchy ("/a/b"): finds it again when
	 * /sys/fs/cgroup shows another view than at create (docs/state.md) */
	char *cgroup_rel;
	char *cgroup_unit;            /* the systemd driver's scope unit, NULL if none */
	struct sk_kv *annotations; size_t n_annotations;
};

/* Write atomically as <dirfd>/state.json (refused when a string is not
 * valid UTF-8: what is written can always be read back), read it back. */
int sk_state_write(int dirfd, const struct sk_state *s, struct sk_error *err);
int sk_state_read(int dirfd, struct sk_state **out, struct sk_error *err);
void sk_state_free(struct sk_state *s);
/* The same in memory: state.json's text, and its parse. */
char *sk_state_json(const struct sk_state *s);
int sk_state_parse(const char *buf, size_t len, struct sk_state **out, struct sk_error *err);

/* The OCI state document (state-schema.json) for `skiff state` and for
 * hooks' stdin.  `status` is creating|created|running|stopped.  pid is
 * omitted when 0.  Returns a heap string (pretty-printed when `pretty`). */
char *sk_state_oci_json(const struct sk_state *s, const char *status, bool pretty);

/* `skiff spec`: the default config.json (like `runc spec`). */
char *sk_spec_default_json(bool rootless);
/* Its linux.seccomp member ("seccomp": {...}) on a yajl_gen. */
void sk_spec_default_seccomp(void *yajl_gen);
/* One mount ({"destination","type","source","options"}; no options when
 * NULL) and a one-entry id mapping (0 -> id) on a yajl_gen. */
void sk_spec_gen_mount(void *yajl_gen, const char *dest, const char *type, const char *src,
		       const char *const *opts);
/* `skiff features`: the features document, true to what skiff supports. */
char *sk_features_json(void);

#endif
