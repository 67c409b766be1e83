/* Why a container stopped: its exit status (when skiff reaped it), the
 * cgroup's events (OOM kills, forks refused at pids.max) and who killed
 * it through skiff (`kill`, `delete --force`, a sandbox --timeout).
 *
 * Nothing is read on the start path: the cgroup's counters are read once
 * the init has exited.  `kill` leaves a mark (<state dir>/exit.kill: the
 * signal and who sent it) before it signals; a foreground `run` saves
 * what it found (<state dir>/exit.cause) for `state` of a --keep
 * container.  `state` shows it as skiff annotations (run.skiff.exit.*),
 * `events` as a last {"type":"exit"} event. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exit_cause.h"
#include "skiff/util.h"

#define KILL_FILE "exit.kill"
#define CAUSE_FILE "exit.cause"

void sk_exit_cause_mark_kill(int dirfd, int sig, const char *who)
{
	char buf[64];
	struct sk_error err;
	int n = snprintf(buf, sizeof(buf), "%d %s\n", sig, who);

	sk_write_file_atomic(dirfd, KILL_FILE, buf, (size_t)n, 0644, &err);
}

static int read_mark(int dirfd, char *who, size_t len)
{
	_cleanup_free_ char *s = NULL;
	struct sk_error err;
	int sig = 0, off = 0;

	if (dirfd < 0 || sk_read_file_at(dirfd, KILL_FILE, &s, NULL, 256, &err) < 0)
		return 0;
	if (sscanf(s, "%d %n", &sig, &off) < 1 || off <= 0)
		return 0;
	snprintf(who, len, "%.*s", (int)strcspn(s + off, "\n"), s + off);
	return sig;
}

static void set(struct sk_exit_cause *e, const char *cause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set(struct sk_exit_cause *e, const char *cause, const char *fmt, ...)
{
	va_list ap;

	snprintf(e->cause, sizeof(e->cause), "%s", cause);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static const char *signame(int sig)
{
	const char *n = sk_signal_name(sig);

	return n ? n : "?";
}

void sk_exit_cause_get(int dirfd, struct sk_cgroup *cg, int wstatus, struct sk_exit_cause *e)
{
	char who[32] = "", mem[32] = "", pids[32] = "";
	long long ooms = cg ? sk_cgroup_oom_kills(cg) : -1;
	long long forks = cg ? sk_cgroup_pids_max_hits(cg, pids, sizeof(pids)) : -1;
	int marked = read_mark(dirfd, who, sizeof(who));
	int sig = wstatus >= 0 && WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	int code = wstatus >= 0 && WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	struct stat st;

	memset(e, 0, sizeof(*e));
	e->status = wstatus < 0 ? -1 : sig ? 128 + sig : code;
	e->sig = sig;
	/* delete --force removed the state dir while the init died */
	if (sig == SIGKILL && !marked && dirfd >= 0 && fstat(dirfd, &st) == 0 && st.st_nlink == 0)
		marked = SIGKILL, snprintf(who, sizeof(who), "delete --force");
	if (ooms > 0 && (sig == SIGKILL || wstatus < 0)) {
		sk_cgroup_memory_max(cg, mem, sizeof(mem));
		e->limit = true;
		set(e, "oom-killed", "was killed by the OOM killer: %s %s reached",
		    sk_cgroup_memory_limit_file(cg), *mem ? mem : "?");
	} else if (marked && (sig == marked || wstatus < 0)) {
		set(e, !strcmp(who, "timeout") ? "timeout" : "killed", "was killed by %s (SIG%s)",
		    !strcmp(who, "timeout") ? "the --timeout" : who, signame(marked));
		if (!strcmp(who, "timeout"))
			e->limit = true;
	} else if (forks > 0 && e->status != 0) {
		e->limit = true;
		set(e, "pids-limit", "stopped after reaching its pids limit: pids.max %s reached "
		    "(%lld forks refused)", *pids ? pids : "?", forks);
	} else if (sig) {
		set(e, "signaled", "was killed by signal %d (SIG%s)", sig, signame(sig));
	} else if (code >= 0) {
		set(e, "exited", "exited with status %d", code);
	} else {
		set(e, "unknown", "stopped (its exit status is not known: no skiff process waited for it)");
	}
	if (ooms > 0 && strcmp(e->cause, "oom-killed"))
		snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
			 "; the OOM killer killed %lld process(es) in it", ooms);
}

int sk_exit_cause_save(int dirfd, const struct sk_exit_cause *e)
{
	char buf[512];
	struct sk_error err;
	int n = snprintf(buf, sizeof(buf), "%d\n%s\n%s\n", e->status, e->cause, e->msg);

	return sk_write_file_atomic(dirfd, CAUSE_FILE, buf, (size_t)n, 0644, &err);
}

int sk_exit_cause_load(int dirfd, struct sk_exit_cause *e)
{
	_cleanup_free_ char *s = NULL;
	struct sk_error err;
	char *cause, *msg;

	memset(e, 0, sizeof(*e));
	if (sk_read_file_at(dirfd, CAUSE_FILE, &s, NULL, 1024, &err) < 0)
		return -1;
	cause = strchr(s, '\n');
	msg = cause ? strchr(cause + 1, '\n') : NULL;
	if (!msg)
		return -1;
	*cause++ = '\0';
	*msg++ = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	e->status = atoi(s);
	snprintf(e->cause, sizeof(e->cause), "%s", cause);
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	return 0;
}

/* The cause of a stopped container from what is left: the saved cause,
 * else the cgroup and the kill mark. */
void sk_exit_cause_of(struct sk_container *c, struct sk_exit_cause *e)
{
	struct sk_cgroup cg;
	struct sk_error err;
	bool has_cg;

	if (sk_exit_cause_load(c->dirfd, e) == 0)
		return;
	has_cg = sk_container_cgroup(c, &cg, &err) == 0;
	sk_exit_cause_get(c->dirfd, has_cg ? &cg : NULL, -1, e);
	if (has_cg)
		sk_cgroup_release(&cg);
}

/* The annotations "run.skiff.exit.cause", ".status" (when known) and
 * ".message" added to a copy of the state's. */
void sk_exit_cause_annotate(const struct sk_exit_cause *e, struct sk_state *s)
{
	size_t n = s->n_annotations;
	struct sk_kv *kv = sk_xcalloc(n + 3, sizeof(*kv));

	if (n)
		memcpy(kv, s->annotations, n * sizeof(*kv));
	kv[n].key = sk_xstrdup("run.skiff.exit.cause");
	kv[n++].value = sk_xstrdup(e->cause);
	if (e->status >= 0) {
		kv[n].key = sk_xstrdup("run.skiff.exit.status");
		kv[n++].value = sk_xasprintf("%d", e->status);
	}
	kv[n].key = sk_xstrdup("run.skiff.exit.message");
	kv[n++].value = sk_xasprintf("%s", e->msg);
	s->annotations = kv;
	s->n_annotations = n;
}

void sk_exit_cause_annotations_free(struct sk_state *s, size_t n_orig)
{
	for (size_t i = n_orig; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
}
