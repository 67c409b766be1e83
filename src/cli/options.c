/* Command options, runc style: long (--opt value, --opt=value) and short
 * (-d) options anywhere among the positional arguments; "--" ends them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "skiff.h"

static const struct sk_opt *find_long(const struct sk_opt *opts, const char *name, size_t len)
{
	for (; opts->long_name; opts++)
		if (strlen(opts->long_name) == len && !strncmp(opts->long_name, name, len))
			return opts;
	return NULL;
}

static const struct sk_opt *find_short(const struct sk_opt *opts, char c)
{
	for (; opts->long_name; opts++)
		if (opts->short_name && opts->short_name == c)
			return opts;
	return NULL;
}

static int set_value(const struct sk_opt *o, const char *val, struct sk_error *err)
{
	char *end;
	unsigned long v;

	switch (o->kind) {
	case SK_OPT_FLAG:
		if (!val || !strcmp(val, "true"))
			*(bool *)o->target = true;
		else if (!strcmp(val, "false"))
			*(bool *)o->target = false;
		else
			return sk_error(err, EINVAL, "option --%s: expected true or false, got \"%s\"",
					o->long_name, val);
		return 0;
	case SK_OPT_STRING:
		*(const char **)o->target = val;
		return 0;
	case SK_OPT_UINT:
		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno || !*val || *end || val[0] == '-' || v > 1u << 20)
			return sk_error(err, EINVAL, "option --%s: expected a small non-negative number, got \"%s\"",
					o->long_name, val);
		*(unsigned *)o->target = (unsigned)v;
		return 0;
	}
	return 0;
}

int sk_parse_opts(int argc, char **argv, const struct sk_opt *opts,
		  char **pos, int max_pos, struct sk_error *err)
{
	int npos = 0;
	bool only_pos = false;

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct sk_opt *o;
		const char *val = NULL;

		if (only_pos || a[0] != '-' || !a[1]) {
			if (npos >= max_pos)
				return sk_error(err, EINVAL, "%s: unexpected argument \"%s\"", argv[0], a);
			pos[npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = find_long(opts, name, len);
			if (!o)
				return sk_error(err, EINVAL, "%s: unknown option --%.*s", argv[0], (int)len, name);
			if (eq)
				val = eq + 1;
		} else {
			if (a[2])
				return sk_error(err, EINVAL, "%s: unknown option %s", argv[0], a);
			o = find_short(opts, a[1]);
			if (!o)
				return sk_error(err, EINVAL, "%s: unknown option %s", argv[0], a);
		}
		if (o->kind != SK_OPT_FLAG && !val) {
			if (i + 1 >= argc)
				return sk_error(err, EINVAL, "%s: option --%s needs a value", argv[0], o->long_name);
			val = argv[++i];
		}
		if (set_value(o, val, err) < 0)
			return -1;
	}
	return npos;
}

int sk_parse_id_opts(int argc, char **argv, const struct sk_opt *opts,
		     char **pos, int max_pos, struct sk_error *err)
{
	int n = sk_parse_opts(argc, argv, opts, pos, max_pos, err);

	if (n == 0)
		return sk_error(err, EINVAL, "%s: a container id is required", argv[0]);
	return n;
}
