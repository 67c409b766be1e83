/* config.json -> struct sk_config: the platform-neutral part (ociVersion,
 * root, mounts, process, hooks, annotations).  linux is in config_linux.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/config.h"
#include "skiff/enums.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "config_json.h"

#define CONFIG_MAX_SIZE (64u << 20)

static const char *const cap_set_names[SK_CAP_SETS] = {
	[SK_CAP_BOUNDING] = "bounding", [SK_CAP_EFFECTIVE] = "effective",
	[SK_CAP_INHERITABLE] = "inheritable", [SK_CAP_PERMITTED] = "permitted",
	[SK_CAP_AMBIENT] = "ambient",
};

/* Capabilities known to Linux (0 .. 40, Linux 5.9+). */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE", NULL
};

const char *sk_ns_type_name(enum sk_ns_type t)
{
	return (unsigned)t < SK_NS_TYPES ? sk_enum_name(&sk_enum_ns_type, t) : NULL;
}

const char *sk_hook_phase_name(enum sk_hook_phase p)
{
	return (unsigned)p < SK_HOOK_PHASES ? sk_enum_name(&sk_enum_hook_phase, p) : NULL;
}

const struct sk_namespace *sk_config_ns(const struct sk_config *c, enum sk_ns_type t)
{
	size_t i;

	if (!c)
		return NULL;
	for (i = 0; i < c->linux.n_namespaces; i++)
		if (c->linux.namespaces[i].type == t)
			return &c->linux.namespaces[i];
	return NULL;
}

static bool in_list(const char *s, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(s, *names) == 0)
			return true;
	return false;
}

/* Element `i` of array `a` as an object, with its path. */
static int elem_object(struct sk_jctx *c, yajl_val a, size_t i,
		       const struct sk_jpath *ip, yajl_val *out)
{
	yajl_val v = a->u.array.values[i];

	if (!v || !YAJL_IS_OBJECT(v))
		return sk_j_type_fail(c, ip, "an object", v);
	*out = v;
	return 0;
}

static int parse_version(struct sk_jctx *c, yajl_val root, struct sk_config *cfg)
{
	struct sk_jpath p = SK_JP_KEY(NULL, "ociVersion");
	unsigned long major, minor;
	char *end;
	const char *v;

	if (sk_j_string(c, root, NULL, "ociVersion", SK_J_REQUIRED, &cfg->oci_version) < 0)
		return -1;
	v = cfg->oci_version;
	/* 1.x, plus the 0.5+ pre-releases whose layout is already 1.0's (the
	 * spec's own example config still says "0.5.0-dev"). */
	if (v[0] < '0' || v[0] > '9')
		goto bad;
	major = strtoul(v, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		goto bad;
	minor = strtoul(end + 1, &end, 10);
	if (major == 1 || (major == 0 && minor >= 5))
		return 0;
bad:
	return sk_j_fail(c, &p, "unsupported version %s (skiff supports 1.x)",
			 sk_j_describe(sk_j_member(root, "ociVersion"),
				       (char[128]){0}, 128));
}

static int parse_mounts(struct sk_jctx *c, yajl_val root, struct sk_config *cfg)
{
	struct sk_jpath mp = SK_JP_KEY(NULL, "mounts");
	yajl_val a;
	size_t i;

	if (sk_j_array(c, root, NULL, "mounts", 0, &a) < 0)
		return -1;
	if (!a)
		return 0;
	cfg->mounts = sk_xcalloc(a->u.array.len, sizeof(*cfg->mounts));
	cfg->n_mounts = a->u.array.len;
	for (i = 0; i < a->u.array.len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&mp, i);
		struct sk_mount *m = &cfg->mounts[i];
		yajl_val o = NULL;

		if (elem_object(c, a, i, &ip, &o) < 0 ||
		    sk_j_string(c, o, &ip, "destination", SK_J_REQUIRED, &m->destination) < 0 ||
		    sk_j_string(c, o, &ip, "source", 0, &m->source) < 0 ||
		    sk_j_string(c, o, &ip, "type", 0, &m->type) < 0 ||
		    sk_j_strv(c, o, &ip, "options", 0, &m->options, &m->n_options) < 0 ||
		    sk_j_idmaps(c, o, &ip, "uidMappings", &m->uid_mappings,
				&m->n_uid_mappings) < 0 ||
		    sk_j_idmaps(c, o, &ip, "gidMappings", &m->gid_mappings,
				&m->n_gid_mappings) < 0)
			return -1;
		if (!m->destination[0]) {
			struct sk_jpath dp = SK_JP_KEY(&ip, "destination");

			return sk_j_fail(c, &dp, "must not be empty");
		}
		if (!sk_j_member(o, "uidMappings") != !sk_j_member(o, "gidMappings")) {
			struct sk_jpath kp = SK_JP_KEY(&ip, sk_j_member(o, "uidMappings") ?
						       "uidMappings" : "gidMappings");

			return sk_j_fail(c, &kp, "uidMappings and gidMappings must be given together");
		}
	}
	return 0;
}

static int parse_hooks(struct sk_jctx *c, yajl_val root, struct sk_config *cfg)
{
	struct sk_jpath hp = SK_JP_KEY(NULL, "hooks");
	yajl_val hooks;
	int ph;

	if (sk_j_object(c, root, NULL, "hooks", 0, &hooks) < 0)
		return -1;
	if (!hooks)
		return 0;
	for (ph = 0; ph < SK_HOOK_PHASES; ph++) {
		const char *name = sk_hook_phase_name((enum sk_hook_phase)ph);
		struct sk_jpath pp = SK_JP_KEY(&hp, name);
		yajl_val a;
		size_t i;

		if (sk_j_array(c, hooks, &hp, name, 0, &a) < 0)
			return -1;
		if (!a)
			continue;
		cfg->hooks.list[ph] = sk_xcalloc(a->u.array.len, sizeof(struct sk_hook));
		cfg->hooks.n[ph] = a->u.array.len;
		for (i = 0; i < a->u.array.len; i++) {
			struct sk_jpath ip = SK_JP_IDX(&pp, i);
			struct sk_hook *h = &cfg->hooks.list[ph][i];
			yajl_val o = NULL;

			if (elem_object(c, a, i, &ip, &o) < 0 ||
			    sk_j_string(c, o, &ip, "path", SK_J_REQUIRED, &h->path) < 0 ||
			    sk_j_strv(c, o, &ip, "args", 0, &h->args, &h->n_args) < 0 ||
			    sk_j_strv(c, o, &ip, "env", 0, &h->env, &h->n_env) < 0 ||
			    sk_j_int64(c, o, &ip, "timeout", 0, 1, INT32_MAX,
				       &h->timeout, &h->has_timeout) < 0)
				return -1;
			if (h->path[0] != '/') {
				struct sk_jpath kp = SK_JP_KEY(&ip, "path");

				return sk_j_fail(c, &kp, "must be an absolute path, got %s",
						 sk_j_describe(sk_j_member(o, "path"),
							       (char[128]){0}, 128));
			}
		}
	}
	return 0;
}

/* Names unknown here are not an error: a config from a newer engine may
 * name a capability this kernel lacks; runc ignores those with a warning,
 * and so does skiff (sk_process_warn_unknown_caps). */
bool sk_cap_name_known(const char *name)
{
	return in_list(name, cap_names);
}

static int parse_caps(struct sk_jctx *c, yajl_val proc, const struct sk_jpath *pp,
		      struct sk_capabilities *caps)
{
	struct sk_jpath cp = SK_JP_KEY(pp, "capabilities");
	yajl_val o;
	int s;

	if (sk_j_object(c, proc, pp, "capabilities", 0, &o) < 0)
		return -1;
	if (!o)
		return 0;
	caps->present = true;
	for (s = 0; s < SK_CAP_SETS; s++) {
		if (sk_j_strv(c, o, &cp, cap_set_names[s], 0, &caps->set[s], &caps->n[s]) < 0)
			return -1;
	}
	return 0;
}

static int parse_rlimits(struct sk_jctx *c, yajl_val proc, const struct sk_jpath *pp,
			 struct sk_process *p)
{
	struct sk_jpath rp = SK_JP_KEY(pp, "rlimits");
	yajl_val a;
	size_t i, j;

	if (sk_j_array(c, proc, pp, "rlimits", 0, &a) < 0)
		return -1;
	if (!a)
		return 0;
	p->rlimits = sk_xcalloc(a->u.array.len, sizeof(*p->rlimits));
	p->n_rlimits = a->u.array.len;
	for (i = 0; i < a->u.array.len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&rp, i);
		struct sk_jpath tp = SK_JP_KEY(&ip, "type");
		struct sk_rlimit *r = &p->rlimits[i];
		unsigned long type;
		yajl_val o = NULL;

		if (elem_object(c, a, i, &ip, &o) < 0 ||
		    sk_j_enum(c, o, &ip, "type", SK_J_REQUIRED, &sk_enum_rlimit, &type, NULL) < 0 ||
		    sk_j_uint64(c, o, &ip, "soft", SK_J_REQUIRED, UINT64_MAX, &r->soft, NULL) < 0 ||
		    sk_j_uint64(c, o, &ip, "hard", SK_J_REQUIRED, UINT64_MAX, &r->hard, NULL) < 0)
			return -1;
		r->type = (int)type;
		for (j = 0; j < i; j++)
			if (p->rlimits[j].type == r->type)
				return sk_j_fail(c, &tp, "duplicate rlimit %s (also in rlimits[%zu])",
						 sk_enum_name(&sk_enum_rlimit, type), j);
	}
	return 0;
}

static int parse_user(struct sk_jctx *c, yajl_val proc, const struct sk_jpath *pp,
		      struct sk_user *u)
{
	struct sk_jpath up = SK_JP_KEY(pp, "user");
	yajl_val o;

	if (sk_j_object(c, proc, pp, "user", 0, &o) < 0)
		return -1;
	if (!o)
		return 0;
	if (sk_j_uint32(c, o, &up, "uid", 0, &u->uid, NULL) < 0 ||
	    sk_j_uint32(c, o, &up, "gid", 0, &u->gid, NULL) < 0 ||
	    sk_j_uint32(c, o, &up, "umask", 0, &u->umask, &u->has_umask) < 0 ||
	    sk_j_u32v(c, o, &up, "additionalGids", 0, &u->additional_gids,
		      &u->n_additional_gids) < 0 ||
	    sk_j_string(c, o, &up, "username", 0, &u->username) < 0)
		return -1;
	return 0;
}

static int parse_scheduler(struct sk_jctx *c, yajl_val proc, const struct sk_jpath *pp,
			   struct sk_scheduler *s)
{
	struct sk_jpath sp = SK_JP_KEY(pp, "scheduler");
	unsigned long policy;
	yajl_val o;

	if (sk_j_object(c, proc, pp, "scheduler", 0, &o) < 0)
		return -1;
	if (!o)
		return 0;
	s->present = true;
	if (sk_j_enum(c, o, &sp, "policy", SK_J_REQUIRED, &sk_enum_sched_policy, &policy, NULL) < 0 ||
	    sk_j_int32(c, o, &sp, "nice", 0, &s->nice, &s->has_nice) < 0 ||
	    sk_j_int32(c, o, &sp, "priority", 0, &s->priority, &s->has_priority) < 0 ||
	    sk_j_enum_flags(c, o, &sp, "flags", 0, &sk_enum_sched_flag, &s->flags) < 0 ||
	    sk_j_uint64(c, o, &sp, "runtime", 0, UINT64_MAX, &s->runtime, &s->has_runtime) < 0 ||
	    sk_j_uint64(c, o, &sp, "deadline", 0, UINT64_MAX, &s->deadline, &s->has_deadline) < 0 ||
	    sk_j_uint64(c, o, &sp, "period", 0, UINT64_MAX, &s->period, &s->has_period) < 0)
		return -1;
	s->policy = (enum sk_sched_policy)policy;
	return 0;
}

static int cpu_list(struct sk_jctx *c, yajl_val o, const struct sk_jpath *p,
		    const char *key, char **out)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);

	if (sk_j_string(c, o, p, key, 0, out) < 0)
		return -1;
	if (*out && strspn(*out, "0123456789, -") != strlen(*out))
		return sk_j_fail(c, &kp, "invalid CPU list %s",
				 sk_j_describe(sk_j_member(o, key), (char[128]){0}, 128));
	return 0;
}

/* The process object `proc` whose path is `ppath` (NULL: the top level,
 * for a process.json). */
static int parse_process_obj(struct sk_jctx *c, yajl_val proc, const struct sk_jpath *ppath,
			     struct sk_process *p)
{
	const struct sk_jpath *ppp = ppath;
	struct sk_jpath cwdp = SK_JP_KEY(ppp, "cwd");
	yajl_val o;
	int64_t oom;

	p->present = true;
	if (sk_j_bool(c, proc, ppp, "terminal", 0, &p->terminal, NULL) < 0 ||
	    sk_j_object(c, proc, ppp, "consoleSize", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath sp = SK_JP_KEY(ppp, "consoleSize");

		if (sk_j_uint64(c, o, &sp, "height", SK_J_REQUIRED, UINT64_MAX,
				&p->console_height, NULL) < 0 ||
		    sk_j_uint64(c, o, &sp, "width", SK_J_REQUIRED, UINT64_MAX,
				&p->console_width, NULL) < 0)
			return -1;
		p->has_console_size = true;
	}
	if (parse_user(c, proc, ppp, &p->user) < 0 ||
	    sk_j_strv(c, proc, ppp, "args", 0, &p->args, &p->n_args) < 0 ||
	    sk_j_string(c, proc, ppp, "commandLine", 0, &p->command_line) < 0 ||
	    sk_j_strv(c, proc, ppp, "env", 0, &p->env, &p->n_env) < 0 ||
	    sk_j_string(c, proc, ppp, "cwd", SK_J_REQUIRED, &p->cwd) < 0)
		return -1;
	if (sk_j_member(proc, "args") && p->n_args == 0) {
		struct sk_jpath ap = SK_JP_KEY(ppp, "args");

		return sk_j_fail(c, &ap, "must not be empty");
	}
	if (p->cwd[0] != '/')
		return sk_j_fail(c, &cwdp, "must be an absolute path, got %s",
				 sk_j_describe(sk_j_member(proc, "cwd"), (char[128]){0}, 128));
	if (parse_caps(c, proc, ppp, &p->caps) < 0 ||
	    parse_rlimits(c, proc, ppp, p) < 0 ||
	    sk_j_bool(c, proc, ppp, "noNewPrivileges", 0, &p->no_new_privileges, NULL) < 0 ||
	    sk_j_string(c, proc, ppp, "apparmorProfile", 0, &p->apparmor_profile) < 0 ||
	    sk_j_int64(c, proc, ppp, "oomScoreAdj", 0, -1000, 1000, &oom,
		       &p->has_oom_score_adj) < 0 ||
	    parse_scheduler(c, proc, ppp, &p->scheduler) < 0 ||
	    sk_j_string(c, proc, ppp, "selinuxLabel", 0, &p->selinux_label) < 0 ||
	    sk_j_object(c, proc, ppp, "ioPriority", 0, &o) < 0)
		return -1;
	if (p->has_oom_score_adj)
		p->oom_score_adj = (int)oom;
	if (o) {
		struct sk_jpath ip = SK_JP_KEY(ppp, "ioPriority");
		unsigned long cls;

		if (sk_j_enum(c, o, &ip, "class", SK_J_REQUIRED, &sk_enum_ioprio_class,
			      &cls, NULL) < 0 ||
		    sk_j_int32(c, o, &ip, "priority", 0, &p->io_priority, NULL) < 0)
			return -1;
		p->io_priority_class = (enum sk_ioprio_class)cls;
		p->has_io_priority = true;
	}
	if (sk_j_object(c, proc, ppp, "execCPUAffinity", 0, &o) < 0)
		return -1;
	if (o) {
		struct sk_jpath ap = SK_JP_KEY(ppp, "execCPUAffinity");

		if (cpu_list(c, o, &ap, "initial", &p->exec_cpu_affinity_initial) < 0 ||
		    cpu_list(c, o, &ap, "final", &p->exec_cpu_affinity_final) < 0)
			return -1;
	}
	return 0;
}

static int parse_process(struct sk_jctx *c, yajl_val root, struct sk_process *p)
{
	struct sk_jpath pp = SK_JP_KEY(NULL, "process");
	yajl_val proc;

	if (sk_j_object(c, root, NULL, "process", 0, &proc) < 0)
		return -1;
	if (!proc)
		return 0;
	return parse_process_obj(c, proc, &pp, p);
}

static int parse_root(struct sk_jctx *c, yajl_val root, struct sk_config *cfg)
{
	struct sk_jpath rp = SK_JP_KEY(NULL, "root");
	yajl_val o;

	if (sk_j_object(c, root, NULL, "root", 0, &o) < 0)
		return -1;
	if (!o)
		return 0;
	cfg->has_root = true;
	if (sk_j_string(c, o, &rp, "path", SK_J_REQUIRED, &cfg->root_path) < 0 ||
	    sk_j_bool(c, o, &rp, "readonly", 0, &cfg->root_readonly, NULL) < 0)
		return -1;
	if (!cfg->root_path[0]) {
		struct sk_jpath pp = SK_JP_KEY(&rp, "path");

		return sk_j_fail(c, &pp, "must not be empty");
	}
	return 0;
}

static int parse_all(struct sk_jctx *c, yajl_val root, struct sk_config *cfg)
{
	struct sk_jpath lp = SK_JP_KEY(NULL, "linux");
	yajl_val lin;

	if (!YAJL_IS_OBJECT(root))
		return sk_j_type_fail(c, NULL, "a JSON object at the top level", root);
	if (parse_version(c, root, cfg) < 0 ||
	    parse_root(c, root, cfg) < 0 ||
	    sk_j_string(c, root, NULL, "hostname", 0, &cfg->hostname) < 0 ||
	    sk_j_string(c, root, NULL, "domainname", 0, &cfg->domainname) < 0 ||
	    parse_mounts(c, root, cfg) < 0 ||
	    parse_process(c, root, &cfg->process) < 0 ||
	    parse_hooks(c, root, cfg) < 0 ||
	    sk_j_strmap(c, root, NULL, "annotations", 0, &cfg->annotations,
			&cfg->n_annotations) < 0 ||
	    sk_j_object(c, root, NULL, "linux", 0, &lin) < 0)
		return -1;
	if (lin && sk_config_parse_linux(c, lin, &lp, &cfg->linux) < 0)
		return -1;
	return 0;
}

/* A document parsed, then read into a new config by `fn`. */
static int parse_doc(struct sk_jctx *c, const char *json, size_t len,
		     int (*fn)(struct sk_jctx *, yajl_val, struct sk_config *),
		     struct sk_config **out)
{
	struct sk_config *cfg;
	yajl_val tree;
	int r;

	if (sk_j_parse(c, json, len, &tree) < 0)
		return -1;
	cfg = sk_xcalloc(1, sizeof(*cfg));
	r = fn(c, tree, cfg);
	sk_j_free(tree);
	if (r < 0) {
		sk_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int sk_config_parse(const char *json, size_t len, const char *name,
		    struct sk_config **out, struct sk_error *err)
{
	struct sk_jctx c = { .name = name ? name : "config.json", .err = err };
	struct sk_config *cfg;

	if (parse_doc(&c, json, len, parse_all, &cfg) < 0)
		return -1;
	if (sk_config_validate(cfg, c.name, err) < 0) {
		sk_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int sk_config_load_raw(const char *bundle, struct sk_config **out, char **raw, size_t *raw_len,
		       struct sk_error *err)
{
	_cleanup_free_ char *path = sk_xasprintf("%s/config.json", bundle ? bundle : ".");
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (sk_read_regular_file_at(AT_FDCWD, path, &buf, &len, CONFIG_MAX_SIZE, err) < 0)
		return -1;
	r = sk_config_parse(buf, len, "config.json", out, err);
	if (r == 0 && raw) {
		*raw = buf;
		*raw_len = len;
	} else {
		free(buf);
	}
	return r;
}

int sk_config_load(const char *bundle, struct sk_config **out, struct sk_error *err)
{
	return sk_config_load_raw(bundle, out, NULL, NULL, err);
}

static int parse_resources_doc(struct sk_jctx *c, yajl_val root, struct sk_config *cfg)
{
	return sk_config_parse_resources(c, root, &cfg->linux.resources);
}

int sk_resources_parse(const char *json, size_t len, const char *name,
		       struct sk_config **out, struct sk_error *err)
{
	struct sk_jctx c = { .name = name, .err = err, .prefix = "linux.resources" };

	return parse_doc(&c, json, len, parse_resources_doc, out);
}

static void free_process(struct sk_process *p);

int sk_process_parse(const char *json, size_t len, const char *name,
		     struct sk_process *out, struct sk_error *err)
{
	struct sk_jctx c = { .name = name ? name : "process.json", .err = err };
	struct sk_process p = { 0 };
	yajl_val tree;
	int r;

	if (sk_j_parse(&c, json, len, &tree) < 0)
		return -1;
	if (!YAJL_IS_OBJECT(tree))
		r = sk_j_type_fail(&c, NULL, "a JSON object at the top level", tree);
	else
		r = parse_process_obj(&c, tree, NULL, &p);
	if (r == 0 && !p.n_args) {
		struct sk_jpath ap = SK_JP_KEY(NULL, "args");

		r = sk_j_fail(&c, &ap, "required: the command to run");
	}
	if (r == 0)
		r = sk_process_validate(&p, c.name, "", err);
	sk_j_free(tree);
	if (r < 0) {
		free_process(&p);
		return -1;
	}
	*out = p;
	return 0;
}

void sk_process_free(struct sk_process *p)
{
	if (!p)
		return;
	free_process(p);
	memset(p, 0, sizeof(*p));
}

static void free_idmaps_mount(struct sk_mount *m)
{
	free(m->destination);
	free(m->source);
	free(m->type);
	sk_strv_free(m->options, m->n_options);
	free(m->uid_mappings);
	free(m->gid_mappings);
}

static void free_process(struct sk_process *p)
{
	int s;

	free(p->user.additional_gids);
	free(p->user.username);
	sk_strv_free(p->args, p->n_args);
	free(p->command_line);
	sk_strv_free(p->env, p->n_env);
	free(p->cwd);
	for (s = 0; s < SK_CAP_SETS; s++)
		sk_strv_free(p->caps.set[s], p->caps.n[s]);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
}

void sk_config_free(struct sk_config *c)
{
	size_t i;
	int ph;

	if (!c)
		return;
	free(c->oci_version);
	free(c->root_path);
	free(c->hostname);
	free(c->domainname);
	for (i = 0; i < c->n_mounts; i++)
		free_idmaps_mount(&c->mounts[i]);
	free(c->mounts);
	free_process(&c->process);
	for (ph = 0; ph < SK_HOOK_PHASES; ph++) {
		for (i = 0; i < c->hooks.n[ph]; i++) {
			struct sk_hook *h = &c->hooks.list[ph][i];

			free(h->path);
			sk_strv_free(h->args, h->n_args);
			sk_strv_free(h->env, h->n_env);
		}
		free(c->hooks.list[ph]);
	}
	sk_kv_free(c->annotations, c->n_annotations);
	sk_config_free_linux(&c->linux);
	free(c);
}
