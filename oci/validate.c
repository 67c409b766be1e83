/* The one validation pass over a parsed config: every check that needs no
 * kernel, so that a config skiff would refuse is refused before anything
 * is created (no cgroup, no clone3, no mount).  The parser has already
 * checked types, names (skiff/enums.h) and per-value ranges; what is here
 * looks at values together or at rules the schema does not carry.  What
 * needs the kernel is probed by the runtime before clone3 where it can
 * be (sk_config_check_supported, sk_seccomp_check_loadable). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/config.h"
#include "skiff/enums.h"
#include "skiff/error.h"
#include "skiff/seccomp.h"

#define ARG_MAX_INDEX 6               /* syscalls have at most 6 arguments */
#define ERRNO_RET_MAX 0xffffU         /* SECCOMP_RET_DATA is 16 bits */

/* "<name>: <message>" (the message alone when name is NULL); -1. */
static int __attribute__((format(printf, 3, 4)))
fail(struct sk_error *err, const char *name, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return name ? sk_error(err, EINVAL, "%s: %s", name, msg) : sk_error(err, EINVAL, "%s", msg);
}

int sk_id_list_parse(const char *s, unsigned long *mask, size_t nbits)
{
	const char *p = s;

	memset(mask, 0, nbits / 8);
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			return -1;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (end == p + 1)
				return -1;
			p = end;
		}
		if (a > b || b >= nbits)
			return -1;
		for (unsigned long i = a; i <= b; i++)
			mask[i / (8 * sizeof(long))] |= 1UL << (i % (8 * sizeof(long)));
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

static bool list_ok(const char *s)
{
	unsigned long mask[SK_ID_LIST_BITS / (8 * sizeof(long))];

	return !s || !*s || sk_id_list_parse(s, mask, SK_ID_LIST_BITS) == 0;
}

/* errnoRet goes with SCMP_ACT_ERRNO and SCMP_ACT_TRACE only. */
static int check_ret(enum sk_scmp_action a, bool has_ret, uint32_t ret, const char *name,
		     const char *ret_path, struct sk_error *err)
{
	if (a != SK_SCMP_ACT_ERRNO && a != SK_SCMP_ACT_TRACE) {
		if (has_ret)
			return fail(err, name, "%s: not allowed with action \"%s\" (only SCMP_ACT_ERRNO "
				    "and SCMP_ACT_TRACE take one)", ret_path,
				    sk_enum_name(&sk_enum_scmp_action, a));
		return 0;
	}
	if (has_ret && ret > ERRNO_RET_MAX)
		return fail(err, name, "%s: %u out of range (0-%u)", ret_path, ret, ERRNO_RET_MAX);
	return 0;
}

int sk_seccomp_validate(const struct sk_seccomp *s, const char *name, struct sk_error *err)
{
	char path[64];

	if (!s || !s->present)
		return 0;
	if (check_ret(s->default_action, s->has_default_errno_ret, s->default_errno_ret, name,
		      "linux.seccomp.defaultErrnoRet", err) < 0)
		return -1;
	if (s->default_action == SK_SCMP_ACT_NOTIFY)
		return fail(err, name, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
			    "action (the runtime could not hand the listener over)");
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct sk_seccomp_syscall *sc = &s->syscalls[i];

		snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu].errnoRet", i);
		if (check_ret(sc->action, sc->has_errno_ret, sc->errno_ret, name, path, err) < 0)
			return -1;
		if (sc->n_names == 0)
			return fail(err, name, "linux.seccomp.syscalls[%zu].names: must contain at least one entry", i);
		for (size_t k = 0; k < sc->n_args; k++)
			if (sc->args[k].index >= ARG_MAX_INDEX)
				return fail(err, name, "linux.seccomp.syscalls[%zu].args[%zu].index: %u out of range (0-%d)",
					    i, k, sc->args[k].index, ARG_MAX_INDEX - 1);
		if (sc->action != SK_SCMP_ACT_NOTIFY)
			continue;
		/* The init hands the listener over with sendmsg(2) right after
		 * the load: notified, it would wait for an agent that does not
		 * have the fd yet.  "write" is refused as runc does (its
		 * hand-off call; a profile runc refuses is refused here too). */
		for (size_t k = 0; k < sc->n_names; k++)
			if (sc->names[k] && (!strcmp(sc->names[k], "sendmsg") || !strcmp(sc->names[k], "write")))
				return fail(err, name, "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used "
					    "for the %s syscall (the runtime hands the listener over with it)",
					    i, sc->names[k]);
	}
	return 0;
}

int sk_process_validate(const struct sk_process *p, const char *name, const char *pp,
			struct sk_error *err)
{
	const struct sk_scheduler *s = &p->scheduler;

	if (p->has_io_priority && (p->io_priority < 0 || p->io_priority > 7))
		return fail(err, name, "%sioPriority.priority: %d is not in 0..7", pp, p->io_priority);
	if (s->present && s->policy == SK_SCHED_ISO)
		return fail(err, name, "%sscheduler.policy: SCHED_ISO is not implemented by Linux", pp);
	if (s->present && s->has_nice && (s->nice < -20 || s->nice > 19))
		return fail(err, name, "%sscheduler.nice: %d is not in -20..19", pp, s->nice);
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (p->rlimits[i].soft > p->rlimits[i].hard)
			return fail(err, name, "%srlimits[%zu]: soft limit %llu is above the hard limit %llu",
				    pp, i, (unsigned long long)p->rlimits[i].soft,
				    (unsigned long long)p->rlimits[i].hard);
	if (!list_ok(p->exec_cpu_affinity_initial))
		return fail(err, name, "%sexecCPUAffinity.initial: malformed CPU list \"%s\" (CPUs 0..%d)",
			    pp, p->exec_cpu_affinity_initial, SK_ID_LIST_BITS - 1);
	if (!list_ok(p->exec_cpu_affinity_final))
		return fail(err, name, "%sexecCPUAffinity.final: malformed CPU list \"%s\" (CPUs 0..%d)",
			    pp, p->exec_cpu_affinity_final, SK_ID_LIST_BITS - 1);
	return 0;
}

int sk_config_validate(const struct sk_config *c, const char *name, struct sk_error *err)
{
	const struct sk_linux *l = &c->linux;
	const struct sk_namespace *user = sk_config_ns(c, SK_NS_USER);
	const struct sk_namespace *timens = sk_config_ns(c, SK_NS_TIME);

	if (c->process.present && sk_process_validate(&c->process, name, "process.", err) < 0)
		return -1;
	if (user && !user->path && (!l->n_uid_mappings || !l->n_gid_mappings))
		return fail(err, name, "linux.uidMappings/gidMappings: a new user namespace needs both");
	if (!user && (l->n_uid_mappings || l->n_gid_mappings))
		return fail(err, name, "linux.uidMappings: mappings need a user namespace");
	if ((l->time_monotonic.present || l->time_boottime.present) && (!timens || timens->path))
		return fail(err, name, "linux.timeOffsets: offsets need a new time namespace");

	if (l->personality.present && l->personality.n_flags)
		return fail(err, name, "linux.personality.flags: unknown flag \"%s\" (the spec defines none)",
			    l->personality.flags[0]);
	if (l->memory_policy.present && !list_ok(l->memory_policy.nodes))
		return fail(err, name, "linux.memoryPolicy.nodes: malformed node list \"%s\" (nodes 0..%d)",
			    l->memory_policy.nodes, SK_ID_LIST_BITS - 1);
	return sk_seccomp_validate(&l->seccomp, name, err);
}
