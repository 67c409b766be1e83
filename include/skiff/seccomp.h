/* linux.seccomp -> a BPF filter.
 *
 * Compile in the parent, before clone3(): sk_seccomp_compile() validates
 * the whole linux.seccomp object (an unknown action, operator, flag or
 * architecture is a config error with a JSON path, reported before
 * anything on the system changes) and leaves a ready struct sock_filter[]
 * in memory.  The container init is a fork of skiff, so it inherits the
 * program and loading it is a single seccomp(2) call (sk_seccomp_load()).
 * Compiling in the init works too; it only costs a memfd there.
 *
 * When to load (the caller's job, in the container init):
 *
 *   seccomp(2) with SECCOMP_SET_MODE_FILTER succeeds only if the calling
 *   thread has no_new_privs set OR holds CAP_SYS_ADMIN in its user
 *   namespace; otherwise it fails with EACCES.
 *
 *   - process.noNewPrivileges == true: prctl(PR_SET_NO_NEW_PRIVS) then
 *     sk_seccomp_load() as the very last step before execve(), after the
 *     capabilities are dropped and the user/groups are set, so that the
 *     fewest runtime syscalls run under the user's filter.
 *
 *   - process.noNewPrivileges == false: the init must load the filter
 *     while it still holds CAP_SYS_ADMIN, i.e. BEFORE setgroups/setresgid/
 *     setresuid and the capability drop (capset, PR_CAPBSET_DROP, ambient).
 *     This is what runc does (standard_init_linux.go: "Without
 *     NoNewPrivileges seccomp is a privileged operation, so we need to do
 *     this before dropping capabilities"; it calls InitSeccomp before
 *     finalizeNamespace, which drops caps and switches user).  The
 *     remaining setup syscalls then run under the filter, so a profile
 *     must allow them (the Docker/Podman default profiles do).  skiff does
 *     not set no_new_privs on its own: libseccomp's CTL_NNP is turned off.
 *
 * SCMP_ACT_NOTIFY: sk_seccomp_load() then returns the listener fd (it is
 * O_CLOEXEC, so it never leaks into the container).  The init must hand it
 * to the runtime parent (e.g. sendmsg SCM_RIGHTS on the sync socket, or
 * send just its number and let the parent take it with pidfd_getfd(2),
 * as runc does), and the parent forwards it to listenerPath with
 * sk_seccomp_send_state().  The syscalls the init makes for this hand-off
 * run under the filter: if they are NOTIFY'd they block until an agent
 * that does not have the fd yet answers - a hang.  So a defaultAction of
 * SCMP_ACT_NOTIFY is refused, and the caller must not use for the hand-off
 * a syscall the profile notifies (runc refuses NOTIFY on "write" for this
 * reason; sk_seccomp_notifies() tells the caller). */
#ifndef SKIFF_SECCOMP_H
#define SKIFF_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "skiff/enums.h"

struct sk_error;
struct sk_seccomp;

struct sk_seccomp_prog {
	void *filter;          /* struct sock_filter[] (heap), NULL when empty */
	size_t len;            /* number of instructions, 0: nothing to load */
	unsigned int flags;    /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
	bool notify;           /* has SCMP_ACT_NOTIFY rules: load returns a listener fd */
};

/* Validate and compile (libseccomp).  Unknown syscall names are skipped
 * (like runc: they are missing from this libseccomp/kernel); an unknown
 * action, operator, flag or architecture is an error naming it and its
 * JSON path.  When !s->present, `out` is an empty program (len 0).
 * Several conditions on the same argument index in one rule are added as
 * one rule per condition (runc's behaviour: libseccomp refuses two
 * conditions on one argument in one rule), i.e. they are OR'ed.
 * On success the caller owns `out` (sk_seccomp_prog_free()). */
int sk_seccomp_compile(const struct sk_seccomp *s, struct sk_seccomp_prog *out,
		       struct sk_error *err);
/* seccomp_enosys.c: put the -ENOSYS stub (runc's patchbpf) in front of
 * prog, for the architectures `tokens` (SCMP_ARCH_*) of the filter. */
int sk_seccomp_add_enosys_stub(const struct sk_seccomp *s, uint32_t def_action,
			       const uint32_t *tokens, size_t n_tokens,
			       struct sk_seccomp_prog *prog, struct sk_error *err);
/* Load with seccomp(2) on the calling thread (all threads with
 * SECCOMP_FILTER_FLAG_TSYNC).  Adds SECCOMP_FILTER_FLAG_NEW_LISTENER when
 * the program notifies (plus TSYNC_ESRCH when TSYNC is set, which the
 * kernel needs for TSYNC + NEW_LISTENER); drops WAIT_KILLABLE_RECV when it
 * does not (the kernel refuses it without a listener).  Returns the
 * listener fd (>= 0) when the filter has notify rules, 0 otherwise, -1 on
 * error.  An empty program (len 0) loads nothing and returns 0.
 * Async-signal-safe apart from the error formatting: usable after fork. */
int sk_seccomp_load(const struct sk_seccomp_prog *p, struct sk_error *err);
/* Check, without loading anything, that the kernel takes the program's
 * flags (for a load that comes later, after `start`). */
int sk_seccomp_check_loadable(const struct sk_seccomp_prog *p, struct sk_error *err);
void sk_seccomp_prog_free(struct sk_seccomp_prog *p);

/* True when `syscall_name` is matched by a SCMP_ACT_NOTIFY rule (or the
 * default action would notify): such a syscall must not be used by the
 * init between sk_seccomp_load() and handing the listener fd over. */
bool sk_seccomp_notifies(const struct sk_seccomp *s, const char *syscall_name);

/* Send the container process state (runtime-spec config-linux.md "The
 * Container Process State") to the seccomp agent listening on the
 * AF_UNIX SOCK_STREAM socket `listener_path`:
 *   {"ociVersion":..., "fds":["seccompFd"], "pid":<state.pid>,
 *    "metadata":<listener_metadata>, "state":<state_json>}
 * with `listener_fd` in SCM_RIGHTS on the first sendmsg.  `state_json`
 * is the OCI state object (sk_state_oci_json()); it must be a JSON object
 * with an integer "pid", which is also used as the top-level pid.
 * `metadata` may be NULL (field omitted).  One connection per call, closed
 * afterwards.  Connect and send are bounded by a timeout (a stuck agent
 * is an error, not a hang). */
int sk_seccomp_send_listener_metadata(const char *listener_path,
				      const char *metadata, int listener_fd,
				      const char *state_json,
				      struct sk_error *err);
/* Same without metadata. */
int sk_seccomp_send_listener(const char *listener_path, int listener_fd,
			     const char *state_json, struct sk_error *err);
/* Convenience for the runtime: listenerPath and listenerMetadata from the
 * config.  Returns 0 without doing anything when listenerPath is unset
 * (the spec says it is then ignored; the caller then owns the fd). */
int sk_seccomp_send_state(const struct sk_seccomp *s, int listener_fd,
			  const char *state_json, struct sk_error *err);

/* Can this libseccomp build architecture a (`skiff features`)? */
bool sk_seccomp_arch_supported(enum sk_scmp_arch a);
/* oci/validate.c: the checks of linux.seccomp that need neither the
 * kernel nor libseccomp (errnoRet only with ERRNO and TRACE, argument
 * indexes, SCMP_ACT_NOTIFY's limits).  `name` prefixes messages when not
 * NULL ("config.json").  sk_seccomp_compile() runs it too. */
int sk_seccomp_validate(const struct sk_seccomp *s, const char *name, struct sk_error *err);

#endif
