/* Typed getters over yajl trees with JSON-path error messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/config.h"
#include "skiff/enums.h"
#include "skiff/error.h"
#include "skiff/util.h"
#include "config_json.h"

static size_t render(const struct sk_jpath *p, char *buf, size_t size)
{
	size_t n = 0;
	int r;

	if (!p)
		return 0;
	n = render(p->up, buf, size);
	if (n >= size)
		return n;
	if (p->key)
		r = snprintf(buf + n, size - n, "%s%s", n ? "." : "", p->key);
	else
		r = snprintf(buf + n, size - n, "[%zu]", p->idx);
	return r < 0 ? n : n + (size_t)r;
}

void sk_jpath_render(const struct sk_jpath *p, char *buf, size_t size)
{
	if (!size)
		return;
	buf[0] = '\0';
	render(p, buf, size);
	buf[size - 1] = '\0';
}

/* Quote `s` for a message: escapes, at most ~48 characters. */
void sk_j_quote(const char *s, char *buf, size_t size)
{
	size_t n = 0, shown = 0;

	if (size < 8) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[n++] = '"';
	for (; *s && n + 8 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (shown++ >= 48) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		if (ch == '"' || ch == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			n += (size_t)snprintf(buf + n, size - n, "\\u%04x", ch);
		} else {
			buf[n++] = (char)ch;
		}
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

const char *sk_j_describe(yajl_val v, char *buf, size_t size)
{
	if (!v || YAJL_IS_NULL(v))
		return "null";
	if (YAJL_IS_TRUE(v))
		return "true";
	if (YAJL_IS_FALSE(v))
		return "false";
	if (YAJL_IS_OBJECT(v))
		return "an object";
	if (YAJL_IS_ARRAY(v))
		return "an array";
	if (YAJL_IS_STRING(v)) {
		sk_j_quote(v->u.string, buf, size);
		return buf;
	}
	if (YAJL_IS_NUMBER(v)) {
		const char *r = v->u.number.r;

		if (strlen(r) > 48)
			snprintf(buf, size, "%.48s...", r);
		else
			snprintf(buf, size, "%s", r);
		return buf;
	}
	return "a value";
}

int sk_j_fail(struct sk_jctx *c, const struct sk_jpath *p, const char *fmt, ...)
{
	char path[512], msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sk_jpath_render(p, path, sizeof(path));
	if (path[0])
		return sk_error(c->err, EINVAL, "%s: %s: %s", c->name, path, msg);
	return sk_error(c->err, EINVAL, "%s: %s", c->name, msg);
}

int sk_j_type_fail(struct sk_jctx *c, const struct sk_jpath *p,
		   const char *what, yajl_val v)
{
	char buf[128];

	return sk_j_fail(c, p, "expected %s, got %s", what,
			 sk_j_describe(v, buf, sizeof(buf)));
}

yajl_val sk_j_member(yajl_val obj, const char *key)
{
	size_t i;

	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) == 0) {
			yajl_val v = obj->u.object.values[i];

			return (v && !YAJL_IS_NULL(v)) ? v : NULL;
		}
	}
	return NULL;
}

int sk_j_parse(struct sk_jctx *c, const char *json, size_t len, yajl_val *out)
{
	char ebuf[512], *nl, *s = ebuf;
	bool refused = false;
	yajl_val tree;
	size_t i;

	/* strings are C strings */
	if (memchr(json, '\0', len))
		return sk_error(c->err, EINVAL, "%s: invalid JSON: NUL byte in document", c->name);
	ebuf[0] = '\0';
	tree = sk_j_tree_parse(json, len, ebuf, sizeof(ebuf), c->prefix, &refused);
	if (tree) {
		*out = tree;
		return 0;
	}
	if (refused)
		return sk_error(c->err, EINVAL, "%s: %s", c->name, ebuf);
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	while (*s == ' ')
		s++;
	nl = s + strlen(s);
	while (nl > s && (nl[-1] == ' ' || nl[-1] == '.'))
		*--nl = '\0';
	for (i = 0; i < len && strchr(" \t\r\n", json[i]); i++)
		;
	if (i == len)
		s = "empty document";
	return sk_error(c->err, EINVAL, "%s: invalid JSON: %s", c->name, *s ? s : "parse error");
}

int sk_jv_string(struct sk_jctx *c, yajl_val v, const struct sk_jpath *p, char **out)
{
	if (!YAJL_IS_STRING(v))
		return sk_j_type_fail(c, p, "a string", v);
	free(*out);
	*out = sk_xstrdup(v->u.string);
	return 0;
}

/* The number's text is an integer (JSON grammar already checked). */
static bool integer_text(const char *r)
{
	return r && !strpbrk(r, ".eE");
}

int sk_jv_int64(struct sk_jctx *c, yajl_val v, const struct sk_jpath *p,
		int64_t min, int64_t max, int64_t *out)
{
	long long x;
	char *end;

	if (!YAJL_IS_NUMBER(v) || !integer_text(v->u.number.r))
		return sk_j_type_fail(c, p, "an integer", v);
	errno = 0;
	x = strtoll(v->u.number.r, &end, 10);
	if (errno == ERANGE || *end || x < min || x > max) {
		char buf[128];

		return sk_j_fail(c, p, "%s is out of range (%lld to %lld)",
				 sk_j_describe(v, buf, sizeof(buf)),
				 (long long)min, (long long)max);
	}
	*out = x;
	return 0;
}

int sk_jv_uint64(struct sk_jctx *c, yajl_val v, const struct sk_jpath *p,
		 uint64_t max, uint64_t *out)
{
	const char *r;
	unsigned long long x;
	char *end;

	if (!YAJL_IS_NUMBER(v) || !integer_text(v->u.number.r))
		return sk_j_type_fail(c, p, "a non-negative integer", v);
	r = v->u.number.r;
	if (r[0] == '-') {
		if (strcmp(r, "-0") == 0) {
			*out = 0;
			return 0;
		}
		return sk_j_type_fail(c, p, "a non-negative integer", v);
	}
	errno = 0;
	x = strtoull(r, &end, 10);
	if (errno == ERANGE || *end || x > max) {
		char buf[128];

		return sk_j_fail(c, p, "%s is out of range (0 to %llu)",
				 sk_j_describe(v, buf, sizeof(buf)),
				 (unsigned long long)max);
	}
	*out = x;
	return 0;
}

/* Common prologue of the member getters: 1 present, 0 absent, -1 error. */
static int lookup(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		  const char *key, unsigned flags, yajl_val *v)
{
	*v = sk_j_member(obj, key);
	if (*v)
		return 1;
	if (flags & SK_J_REQUIRED) {
		struct sk_jpath kp = SK_JP_KEY(p, key);

		return sk_j_fail(c, &kp, "required field missing");
	}
	return 0;
}

/* A value that must be an object, or an array. */
static int container(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p, const char *key,
		     unsigned flags, bool array, yajl_val *out)
{
	yajl_val v;
	int r = lookup(c, obj, p, key, flags, &v);

	*out = NULL;
	if (r <= 0)
		return r;
	if (array ? !YAJL_IS_ARRAY(v) : !YAJL_IS_OBJECT(v)) {
		struct sk_jpath kp = SK_JP_KEY(p, key);

		return sk_j_type_fail(c, &kp, array ? "an array" : "an object", v);
	}
	*out = v;
	return 0;
}

int sk_j_object(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, yajl_val *out)
{
	return container(c, obj, p, key, flags, false, out);
}

int sk_j_array(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	       const char *key, unsigned flags, yajl_val *out)
{
	return container(c, obj, p, key, flags, true, out);
}

int sk_j_string(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, char **out)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val v;
	int r = lookup(c, obj, p, key, flags, &v);

	if (r <= 0)
		return r;
	return sk_jv_string(c, v, &kp, out);
}

int sk_j_bool(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	      const char *key, unsigned flags, bool *out, bool *has)
{
	yajl_val v;
	int r = lookup(c, obj, p, key, flags, &v);

	if (has)
		*has = false;
	if (r <= 0)
		return r;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
		struct sk_jpath kp = SK_JP_KEY(p, key);

		return sk_j_type_fail(c, &kp, "a boolean", v);
	}
	*out = YAJL_IS_TRUE(v);
	if (has)
		*has = true;
	return 0;
}

int sk_j_int64(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	       const char *key, unsigned flags, int64_t min, int64_t max,
	       int64_t *out, bool *has)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val v;
	int r = lookup(c, obj, p, key, flags, &v);

	if (has)
		*has = false;
	if (r <= 0)
		return r;
	if (sk_jv_int64(c, v, &kp, min, max, out) < 0)
		return -1;
	if (has)
		*has = true;
	return 0;
}

int sk_j_int32(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	       const char *key, unsigned flags, int32_t *out, bool *has)
{
	int64_t x;
	bool h = false;

	if (sk_j_int64(c, obj, p, key, flags, INT32_MIN, INT32_MAX, &x, &h) < 0)
		return -1;
	if (h)
		*out = (int32_t)x;
	if (has)
		*has = h;
	return 0;
}

int sk_j_uint64(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, uint64_t max,
		uint64_t *out, bool *has)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val v;
	int r = lookup(c, obj, p, key, flags, &v);

	if (has)
		*has = false;
	if (r <= 0)
		return r;
	if (sk_jv_uint64(c, v, &kp, max, out) < 0)
		return -1;
	if (has)
		*has = true;
	return 0;
}

int sk_j_uint32(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, uint32_t *out, bool *has)
{
	uint64_t x;
	bool h = false;

	if (sk_j_uint64(c, obj, p, key, flags, UINT32_MAX, &x, &h) < 0)
		return -1;
	if (h)
		*out = (uint32_t)x;
	if (has)
		*has = h;
	return 0;
}

int sk_j_uint16(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, uint16_t *out, bool *has)
{
	uint64_t x;
	bool h = false;

	if (sk_j_uint64(c, obj, p, key, flags, UINT16_MAX, &x, &h) < 0)
		return -1;
	if (h)
		*out = (uint16_t)x;
	if (has)
		*has = h;
	return 0;
}

int sk_j_strv(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	      const char *key, unsigned flags, char ***out, size_t *n)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val a;
	size_t i, len;
	char **v;

	if (sk_j_array(c, obj, p, key, flags, &a) < 0)
		return -1;
	if (!a)
		return 0;
	len = a->u.array.len;
	sk_strv_free(*out, *n);
	v = sk_xcalloc(len, sizeof(*v));
	*out = v;
	*n = len;
	for (i = 0; i < len; i++) {
		yajl_val e = a->u.array.values[i];
		struct sk_jpath ip = SK_JP_IDX(&kp, i);

		if (!e || !YAJL_IS_STRING(e))
			return sk_j_type_fail(c, &ip, "a string", e);
		v[i] = sk_xstrdup(e->u.string);
	}
	return 0;
}

int sk_j_u32v(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	      const char *key, unsigned flags, uint32_t **out, size_t *n)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val a;
	size_t i, len;
	uint32_t *v;

	if (sk_j_array(c, obj, p, key, flags, &a) < 0)
		return -1;
	if (!a)
		return 0;
	len = a->u.array.len;
	free(*out);
	v = sk_xcalloc(len, sizeof(*v));
	*out = v;
	*n = len;
	for (i = 0; i < len; i++) {
		struct sk_jpath ip = SK_JP_IDX(&kp, i);
		uint64_t x;

		if (sk_jv_uint64(c, a->u.array.values[i], &ip, UINT32_MAX, &x) < 0)
			return -1;
		v[i] = (uint32_t)x;
	}
	return 0;
}

int sk_j_strmap(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, struct sk_kv **out, size_t *n)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val o;
	size_t i, len;
	struct sk_kv *kv;

	if (sk_j_object(c, obj, p, key, flags, &o) < 0)
		return -1;
	if (!o)
		return 0;
	len = o->u.object.len;
	sk_kv_free(*out, *n);
	kv = sk_xcalloc(len, sizeof(*kv));
	*out = kv;
	*n = len;
	for (i = 0; i < len; i++) {
		yajl_val e = o->u.object.values[i];
		struct sk_jpath mp = SK_JP_KEY(&kp, o->u.object.keys[i]);

		if (!e || !YAJL_IS_STRING(e))
			return sk_j_type_fail(c, &mp, "a string", e);
		kv[i].key = sk_xstrdup(o->u.object.keys[i]);
		kv[i].value = sk_xstrdup(e->u.string);
	}
	return 0;
}

/* The string at v (path p) looked up in table e. */
static int enum_value(struct sk_jctx *c, yajl_val v, const struct sk_jpath *p,
		      const struct sk_enum *e, unsigned long *out)
{
	char buf[128];

	if (!YAJL_IS_STRING(v))
		return sk_j_type_fail(c, p, "a string", v);
	if (!sk_enum_value(e, v->u.string, out))
		return sk_j_fail(c, p, "unknown %s %s", e->what, sk_j_describe(v, buf, sizeof(buf)));
	return 0;
}

int sk_j_enum(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	      const char *key, unsigned flags, const struct sk_enum *e,
	      unsigned long *out, bool *has)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	yajl_val v;
	int r = lookup(c, obj, p, key, flags, &v);

	if (has)
		*has = r > 0;
	if (r <= 0)
		return r;
	return enum_value(c, v, &kp, e, out);
}

/* Each element of an optional array through fn(i, value). */
static int enum_array(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		      const char *key, unsigned flags, const struct sk_enum *e,
		      void (*fn)(void *arg, size_t i, size_t n, unsigned long v), void *arg)
{
	struct sk_jpath kp = SK_JP_KEY(p, key);
	unsigned long v;
	yajl_val a;
	size_t i, n;

	if (sk_j_array(c, obj, p, key, flags, &a) < 0)
		return -1;
	n = a ? a->u.array.len : 0;
	for (i = 0; i < n; i++) {
		struct sk_jpath ip = SK_JP_IDX(&kp, i);

		if (enum_value(c, a->u.array.values[i], &ip, e, &v) < 0)
			return -1;
		fn(arg, i, n, v);
	}
	return 0;
}

static void or_flag(void *arg, size_t i, size_t n, unsigned long v)
{
	*(unsigned long *)arg |= v;
}

int sk_j_enum_flags(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		    const char *key, unsigned flags, const struct sk_enum *e,
		    unsigned long *out)
{
	*out = 0;
	return enum_array(c, obj, p, key, flags, e, or_flag, out);
}

struct enum_list { unsigned **v; size_t *n; };

static void add_value(void *arg, size_t i, size_t n, unsigned long v)
{
	struct enum_list *l = arg;

	if (!*l->v)
		*l->v = sk_xcalloc(n, sizeof(**l->v));
	(*l->v)[i] = (unsigned)v;
	*l->n = i + 1;
}

int sk_j_enum_list(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		   const char *key, unsigned flags, const struct sk_enum *e,
		   unsigned **out, size_t *n)
{
	struct enum_list l = { out, n };

	return enum_array(c, obj, p, key, flags, e, add_value, &l);
}

void sk_strv_free(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sk_kv_free(struct sk_kv *kv, size_t n)
{
	size_t i;

	if (!kv)
		return;
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}
