/* src/process/: what the container init (and `exec`) sets on the
 * process before execve: the executable, rlimits, identity,
 * capabilities, the less common attributes, and seccomp (compiled by
 * seccomp.c, declared in skiff/seccomp.h; cached by seccomp_cache.c). */
#ifndef SKIFF_PROCESS_H
#define SKIFF_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/seccomp.h"

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

#endif
