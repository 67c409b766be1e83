/* mounts[].options -> mount flags, propagation, recursive attributes and
 * the filesystem data string.  Covers the table of config.md "Linux mount
 * options"; a later option wins over an earlier one ("ro","rw" is rw). */
#include <errno.h>
#include <string.h>

#include "skiff/error.h"
#include "skiff/linux_api.h"
#include "skiff/rootfs.h"
#include "skiff/util.h"
#include "mountopts.h"

#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum opt_kind { K_FLAG, K_PROP, K_ATTR, K_SPECIAL };
enum special { SP_NONE, SP_TMPCOPYUP, SP_IDMAP, SP_RIDMAP, SP_DEFAULTS };

struct opt {
	const char *name;
	enum opt_kind kind;
	bool clear;             /* K_FLAG: clears `flag`; K_ATTR: clears `attr` */
	unsigned long flag;     /* K_FLAG, K_PROP */
	uint64_t attr;          /* K_ATTR */
	uint64_t attr_mask;     /* K_ATTR: also cleared (the atime group) */
	enum special sp;
};

#define FLAG(n, f)   { n, K_FLAG, false, f, 0, 0, SP_NONE }
#define UNFLAG(n, f) { n, K_FLAG, true, f, 0, 0, SP_NONE }
#define PROP(n, f)   { n, K_PROP, false, f, 0, 0, SP_NONE }
#define ATTR(n, a)   { n, K_ATTR, false, 0, a, 0, SP_NONE }
#define UNATTR(n, a) { n, K_ATTR, true, 0, a, 0, SP_NONE }
/* The atime attributes are one field: MOUNT_ATTR__ATIME must be cleared. */
#define ATIME(n, a)  { n, K_ATTR, false, 0, a, MOUNT_ATTR__ATIME, SP_NONE }
#define SPECIAL(n, s) { n, K_SPECIAL, false, 0, 0, 0, s }

static const struct opt opts[] = {
	UNFLAG("async", MS_SYNCHRONOUS),
	UNFLAG("atime", MS_NOATIME),
	FLAG("bind", MS_BIND),
	SPECIAL("defaults", SP_DEFAULTS),
	UNFLAG("dev", MS_NODEV),
	UNFLAG("diratime", MS_NODIRATIME),
	FLAG("dirsync", MS_DIRSYNC),
	UNFLAG("exec", MS_NOEXEC),
	FLAG("iversion", MS_I_VERSION),
	FLAG("lazytime", MS_LAZYTIME),
	UNFLAG("loud", MS_SILENT),
	FLAG("mand", MS_MANDLOCK),
	FLAG("noatime", MS_NOATIME),
	FLAG("nodev", MS_NODEV),
	FLAG("nodiratime", MS_NODIRATIME),
	FLAG("noexec", MS_NOEXEC),
	UNFLAG("noiversion", MS_I_VERSION),
	UNFLAG("nolazytime", MS_LAZYTIME),
	UNFLAG("nomand", MS_MANDLOCK),
	UNFLAG("norelatime", MS_RELATIME),
	UNFLAG("nostrictatime", MS_STRICTATIME),
	FLAG("nosuid", MS_NOSUID),
	FLAG("nosymfollow", MS_NOSYMFOLLOW),
	PROP("private", MS_PRIVATE),
	ATIME("ratime", MOUNT_ATTR_RELATIME),
	FLAG("rbind", MS_BIND | MS_REC),
	UNATTR("rdev", MOUNT_ATTR_NODEV),
	UNATTR("rdiratime", MOUNT_ATTR_NODIRATIME),
	FLAG("relatime", MS_RELATIME),
	FLAG("remount", MS_REMOUNT),
	UNATTR("rexec", MOUNT_ATTR_NOEXEC),
	ATIME("rnoatime", MOUNT_ATTR_NOATIME),
	ATTR("rnodev", MOUNT_ATTR_NODEV),
	ATTR("rnodiratime", MOUNT_ATTR_NODIRATIME),
	ATTR("rnoexec", MOUNT_ATTR_NOEXEC),
	/* norelatime: every access updates atime, i.e. strictatime */
	ATIME("rnorelatime", MOUNT_ATTR_STRICTATIME),
	ATIME("rnostrictatime", MOUNT_ATTR_RELATIME),
	ATTR("rnosuid", MOUNT_ATTR_NOSUID),
	ATTR("rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW),
	FLAG("ro", MS_RDONLY),
	PROP("rprivate", MS_PRIVATE | MS_REC),
	ATIME("rrelatime", MOUNT_ATTR_RELATIME),
	ATTR("rro", MOUNT_ATTR_RDONLY),
	UNATTR("rrw", MOUNT_ATTR_RDONLY),
	PROP("rshared", MS_SHARED | MS_REC),
	PROP("rslave", MS_SLAVE | MS_REC),
	ATIME("rstrictatime", MOUNT_ATTR_STRICTATIME),
	UNATTR("rsuid", MOUNT_ATTR_NOSUID),
	UNATTR("rsymfollow", MOUNT_ATTR_NOSYMFOLLOW),
	PROP("runbindable", MS_UNBINDABLE | MS_REC),
	UNFLAG("rw", MS_RDONLY),
	PROP("shared", MS_SHARED),
	FLAG("silent", MS_SILENT),
	PROP("slave", MS_SLAVE),
	FLAG("strictatime", MS_STRICTATIME),
	UNFLAG("suid", MS_NOSUID),
	UNFLAG("symfollow", MS_NOSYMFOLLOW),
	FLAG("sync", MS_SYNCHRONOUS),
	SPECIAL("tmpcopyup", SP_TMPCOPYUP),
	PROP("unbindable", MS_UNBINDABLE),
	SPECIAL("idmap", SP_IDMAP),
	SPECIAL("ridmap", SP_RIDMAP),
};

static const char *const *names_table(size_t *n)
{
	static const char *names[SK_ARRAY_SIZE(opts) + 1];

	if (!names[0]) {
		for (size_t i = 0; i < SK_ARRAY_SIZE(opts); i++)
			names[i] = opts[i].name;
	}
	*n = SK_ARRAY_SIZE(opts);
	return names;
}

const char *const *sk_mount_option_names(size_t *n)
{
	size_t dummy;

	return names_table(n ? n : &dummy);
}

static const struct opt *find_opt(const char *name)
{
	for (size_t i = 0; i < SK_ARRAY_SIZE(opts); i++)
		if (!strcmp(opts[i].name, name))
			return &opts[i];
	return NULL;
}

int sk_propagation_flags(const char *name, unsigned long *out)
{
	const struct opt *o = name ? find_opt(name) : NULL;

	if (!o || o->kind != K_PROP)
		return -1;
	*out = o->flag;
	return 0;
}

static void data_append(char **data, const char *s)
{
	char *d;

	if (!*data) {
		*data = sk_xstrdup(s);
		return;
	}
	d = sk_xasprintf("%s,%s", *data, s);
	free(*data);
	*data = d;
}

static void apply_attr(struct sk_mount_opts *o, const struct opt *p)
{
	if (p->attr_mask) {
		/* atime group: clear the whole field, set one value */
		o->attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
		o->attr_clr |= p->attr_mask;
		o->attr_set |= p->attr;
	} else if (p->clear) {
		o->attr_set &= ~p->attr;
		o->attr_clr |= p->attr;
	} else {
		o->attr_clr &= ~p->attr;
		o->attr_set |= p->attr;
	}
}

int sk_mount_opts_parse(char *const *options, size_t n, struct sk_mount_opts *o,
			struct sk_error *err)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < n; i++) {
		const char *name = options[i];
		const struct opt *p;

		if (!name || !*name)
			continue;
		p = find_opt(name);
		if (!p) {
			data_append(&o->data, name);
			continue;
		}
		switch (p->kind) {
		case K_FLAG:
			if (p->clear) {
				o->flags &= ~p->flag;
				o->clear |= p->flag;
			} else {
				o->flags |= p->flag;
				o->clear &= ~p->flag;
			}
			break;
		case K_PROP:
			if (o->n_prop == SK_MAX_PROPAGATION) {
				sk_mount_opts_free(o);
				return sk_error(err, E2BIG, "option \"%s\": more than %d propagation options",
						name, SK_MAX_PROPAGATION);
			}
			o->prop[o->n_prop++] = p->flag;
			break;
		case K_ATTR:
			apply_attr(o, p);
			break;
		case K_SPECIAL:
			switch (p->sp) {
			case SP_TMPCOPYUP:
				o->tmpcopyup = true;
				break;
			case SP_IDMAP:
				o->idmap = true;
				break;
			case SP_RIDMAP:
				o->idmap = o->ridmap = true;
				break;
			case SP_DEFAULTS:
			case SP_NONE:
				break;
			}
			break;
		}
	}
	return 0;
}

void sk_mount_opts_free(struct sk_mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}
