/* The D-Bus wire format (base/dbus.h): marshalling of a body, the header
 * of a message, and the checks of a received message.  The connection is
 * in base/dbus_conn.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dbus.h"
#include "skiff/error.h"

#define MAX_ARRAY (64u << 20)	/* the specification's limit */
#define MAX_DEPTH 64		/* containers (arrays, structs, variants) nested */

enum {
	F_PATH = 1, F_IFACE, F_MEMBER, F_ERROR, F_REPLY_SERIAL, F_DEST, F_SENDER,
	F_SIG, F_UNIX_FDS,
};

static size_t type_align(char t)
{
	switch (t) {
	case 'n': case 'q':
		return 2;
	case 'b': case 'i': case 'u': case 's': case 'o': case 'a':
		return 4;
	case 'x': case 't': case 'd': case '(': case '{':
		return 8;
	default:	/* y g v */
		return 1;
	}
}

static bool is_basic(char t)
{
	return t && strchr("ybnqiuxtdsog", t);
}

/* ---- writer */

static void w_grow(struct sk_dbus_w *w, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (w->oom)
		return;
	if (n > SIZE_MAX / 4 - w->len) {
		w->oom = true;
		return;
	}
	if (w->len + n <= w->cap)
		return;
	cap = w->cap ? w->cap : 256;
	while (cap < w->len + n)
		cap *= 2;
	p = realloc(w->p, cap);
	if (!p) {
		w->oom = true;
		return;
	}
	w->p = p;
	w->cap = cap;
}

static void w_pad(struct sk_dbus_w *w, size_t a)
{
	size_t n = (a - w->len % a) % a;

	w_grow(w, n);
	if (w->oom || !n)
		return;
	memset(w->p + w->len, 0, n);
	w->len += n;
}

static void w_put(struct sk_dbus_w *w, size_t a, const void *v, size_t n)
{
	w_pad(w, a);
	w_grow(w, n);
	if (w->oom || !n)
		return;
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

void sk_dbus_w_free(struct sk_dbus_w *w)
{
	free(w->p);
	memset(w, 0, sizeof(*w));
}

/* little-endian hosts only write 'l' messages (the header says which) */
void sk_dbus_w_y(struct sk_dbus_w *w, uint8_t v) { w_put(w, 1, &v, 1); }
void sk_dbus_w_n(struct sk_dbus_w *w, int16_t v) { w_put(w, 2, &v, 2); }
void sk_dbus_w_q(struct sk_dbus_w *w, uint16_t v) { w_put(w, 2, &v, 2); }
void sk_dbus_w_i(struct sk_dbus_w *w, int32_t v) { w_put(w, 4, &v, 4); }
void sk_dbus_w_u(struct sk_dbus_w *w, uint32_t v) { w_put(w, 4, &v, 4); }
void sk_dbus_w_x(struct sk_dbus_w *w, int64_t v) { w_put(w, 8, &v, 8); }
void sk_dbus_w_t(struct sk_dbus_w *w, uint64_t v) { w_put(w, 8, &v, 8); }
void sk_dbus_w_d(struct sk_dbus_w *w, double v) { w_put(w, 8, &v, 8); }

void sk_dbus_w_b(struct sk_dbus_w *w, bool v)
{
	sk_dbus_w_u(w, v ? 1 : 0);
}

void sk_dbus_w_s(struct sk_dbus_w *w, const char *s)
{
	size_t n = strlen(s);

	sk_dbus_w_u(w, (uint32_t)n);
	w_put(w, 1, s, n + 1);
}

void sk_dbus_w_o(struct sk_dbus_w *w, const char *path)
{
	sk_dbus_w_s(w, path);
}

void sk_dbus_w_g(struct sk_dbus_w *w, const char *sig)
{
	size_t n = strlen(sig);

	sk_dbus_w_y(w, (uint8_t)n);
	w_put(w, 1, sig, n + 1);
}

void sk_dbus_w_array_open(struct sk_dbus_w *w, char elem)
{
	if (w->depth >= 32) {
		w->oom = true;	/* deeper than the specification allows */
		return;
	}
	sk_dbus_w_u(w, 0);
	w->arr[w->depth][0] = w->len - 4;
	w_pad(w, type_align(elem));
	w->arr[w->depth][1] = w->len;
	w->depth++;
}

void sk_dbus_w_array_close(struct sk_dbus_w *w)
{
	uint32_t n;

	if (w->depth <= 0) {
		w->oom = true;
		return;
	}
	w->depth--;
	if (w->oom)
		return;
	n = (uint32_t)(w->len - w->arr[w->depth][1]);
	memcpy(w->p + w->arr[w->depth][0], &n, 4);
}

void sk_dbus_w_struct(struct sk_dbus_w *w)
{
	w_pad(w, 8);
}

void sk_dbus_w_variant(struct sk_dbus_w *w, const char *sig)
{
	sk_dbus_w_g(w, sig);
}

void sk_dbus_w_prop(struct sk_dbus_w *w, const char *name, const char *sig)
{
	sk_dbus_w_struct(w);
	sk_dbus_w_s(w, name);
	sk_dbus_w_variant(w, sig);
}

/* ---- signatures, paths, strings */

/* The end of the complete type at s (before end), NULL when invalid.
 * arr, st: arrays and structs around it. */
static const char *sig_one(const char *s, const char *end, int arr, int st)
{
	const char *p;

	if (s >= end)
		return NULL;
	if (is_basic(*s) || *s == 'v')
		return s + 1;
	if (*s == 'a') {
		if (arr >= 32)
			return NULL;
		if (s + 1 < end && s[1] == '{') {
			if (st >= 32 || s + 2 >= end || !is_basic(s[2]))
				return NULL;
			p = sig_one(s + 3, end, arr + 1, st + 1);
			if (!p || p >= end || *p != '}')
				return NULL;
			return p + 1;
		}
		return sig_one(s + 1, end, arr + 1, st);
	}
	if (*s == '(') {
		if (st >= 32 || s + 1 >= end || s[1] == ')')
			return NULL;
		for (p = s + 1; p && p < end && *p != ')';)
			p = sig_one(p, end, arr, st + 1);
		if (!p || p >= end)
			return NULL;
		return p + 1;
	}
	return NULL;
}

bool sk_dbus_sig_valid(const char *sig, size_t len, bool single)
{
	const char *p = sig, *end = sig + len;

	if (len > 255 || memchr(sig, 0, len))
		return false;
	if (single)
		return len && sig_one(p, end, 0, 0) == end;
	while (p && p < end)
		p = sig_one(p, end, 0, 0);
	return p == end;
}

bool sk_dbus_path_valid(const char *path, size_t len)
{
	size_t i;

	if (!len || path[0] != '/')
		return false;
	if (len == 1)
		return true;
	if (path[len - 1] == '/')
		return false;
	for (i = 1; i < len; i++) {
		char c = path[i];

		if (c == '/') {
			if (path[i - 1] == '/')
				return false;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '_')) {
			return false;
		}
	}
	return true;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		uint32_t cp;
		size_t k, j;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* ---- reader */

static uint64_t get(const uint8_t *p, size_t n, bool be)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

static int bad(struct sk_error *err, const char *what)
{
	return sk_error(err, EBADMSG, "malformed D-Bus message: %s", what);
}

/* Move to alignment a: the padding is within the level and zero. */
static int it_align(struct sk_dbus_it *it, size_t a, struct sk_error *err)
{
	size_t to = (it->pos + a - 1) / a * a;

	if (to > it->end)
		return bad(err, "truncated");
	for (; it->pos < to; it->pos++)
		if (it->base[it->pos])
			return bad(err, "padding not zero");
	return 0;
}

/* The end of the complete type at s in a checked signature (a dict
 * entry's "{...}" is always after an 'a'). */
static const char *type_end(const char *s)
{
	if (*s == '{')
		s--;
	return sig_one(s, s + strlen(s), 0, 0);
}

char sk_dbus_it_type(const struct sk_dbus_it *it)
{
	char t = *it->sig;

	if (it->elem && it->sig == it->elem_end)
		return 0;
	return t == ')' || t == '}' ? 0 : t;
}

/* Consume the type at it->sig; checks that it is `type`. */
static int it_want(struct sk_dbus_it *it, char type, struct sk_error *err)
{
	if (sk_dbus_it_type(it) != type)
		return sk_error(err, EBADMSG, "D-Bus: '%c' read where the signature has '%c'",
				type, sk_dbus_it_type(it) ? sk_dbus_it_type(it) : '-');
	return 0;
}

/* A string of type s, o or g at it->pos; *len its length. */
static int it_string(struct sk_dbus_it *it, char type, const char **out, struct sk_error *err)
{
	size_t len;
	const uint8_t *s;

	if (type == 'g') {
		if (it->pos >= it->end)
			return bad(err, "truncated");
		len = it->base[it->pos++];
	} else {
		if (it_align(it, 4, err) < 0)
			return -1;
		if (it->end - it->pos < 4)
			return bad(err, "truncated");
		len = get(it->base + it->pos, 4, it->be);
		it->pos += 4;
	}
	if (len >= it->end - it->pos)
		return bad(err, "string longer than the message");
	s = it->base + it->pos;
	if (s[len] || memchr(s, 0, len))
		return bad(err, "string not terminated by its only NUL");
	if (type == 'g' ? !sk_dbus_sig_valid((const char *)s, len, false) :
	    type == 'o' ? !sk_dbus_path_valid((const char *)s, len) : !utf8_valid(s, len))
		return bad(err, type == 'g' ? "invalid signature" :
			   type == 'o' ? "invalid object path" : "string not UTF-8");
	it->pos += len + 1;
	*out = (const char *)s;
	return 0;
}

int sk_dbus_it_basic(struct sk_dbus_it *it, char type, void *out, struct sk_error *err)
{
	size_t n = type_align(type);
	uint64_t v;

	if (!is_basic(type))
		return sk_error(err, EINVAL, "D-Bus: '%c' is not a basic type", type);
	if (it_want(it, type, err) < 0)
		return -1;
	if (type == 's' || type == 'o' || type == 'g') {
		if (it_string(it, type, out, err) < 0)
			return -1;
		it->sig++;
		return 0;
	}
	if (it_align(it, n, err) < 0)
		return -1;
	if (it->end - it->pos < n)
		return bad(err, "truncated");
	v = get(it->base + it->pos, n, it->be);
	switch (type) {
	case 'b':
		if (v > 1)
			return bad(err, "boolean neither 0 nor 1");
		*(int *)out = (int)v;
		break;
	case 'y': *(uint8_t *)out = (uint8_t)v; break;
	case 'n': case 'q': *(uint16_t *)out = (uint16_t)v; break;
	case 'i': case 'u': *(uint32_t *)out = (uint32_t)v; break;
	default: memcpy(out, &v, 8); break;	/* x t d */
	}
	it->pos += n;
	it->sig++;
	return 0;
}

int sk_dbus_it_enter(struct sk_dbus_it *it, char type, struct sk_dbus_it *sub,
		     const char **vsig, struct sk_error *err)
{
	const char *s;
	size_t len;

	if (it_want(it, type, err) < 0)
		return -1;
	if (it->depth >= MAX_DEPTH)
		return bad(err, "containers nested too deep");
	*sub = (struct sk_dbus_it){ .base = it->base, .pos = it->pos, .end = it->end,
				    .be = it->be, .depth = it->depth + 1 };
	switch (type) {
	case 'a':
		if (it_align(it, 4, err) < 0)
			return -1;
		if (it->end - it->pos < 4)
			return bad(err, "truncated");
		len = get(it->base + it->pos, 4, it->be);
		if (len > MAX_ARRAY)
			return bad(err, "array longer than 64 MiB");
		it->pos += 4;
		if (it_align(it, type_align(it->sig[1]), err) < 0)
			return -1;
		if (len > it->end - it->pos)
			return bad(err, "array longer than the message");
		sub->pos = it->pos;
		sub->end = it->pos + len;
		sub->elem = it->sig + 1;
		sub->elem_end = type_end(it->sig + 1);
		sub->sig = sub->elem_end;
		it->pos = sub->end;
		it->sig = sub->elem_end;
		break;
	case '(': case '{':
		if (it_align(it, 8, err) < 0)
			return -1;
		sub->pos = it->pos;
		sub->sig = it->sig + 1;
		it->sig = type_end(it->sig);
		break;
	default:	/* v */
		if (it_string(it, 'g', &s, err) < 0)
			return -1;
		if (!sk_dbus_sig_valid(s, strlen(s), true))
			return bad(err, "variant signature not one complete type");
		sub->pos = it->pos;
		sub->sig = s;
		it->sig++;
		if (vsig)
			*vsig = s;
		break;
	}
	return 0;
}

bool sk_dbus_it_next(struct sk_dbus_it *sub)
{
	if (!sub->elem || sub->pos >= sub->end)
		return false;
	sub->sig = sub->elem;
	return true;
}

int sk_dbus_it_exit(struct sk_dbus_it *it, struct sk_dbus_it *sub, struct sk_error *err)
{
	if (sub->elem)
		return 0;	/* arrays: it->pos is past it already */
	while (sk_dbus_it_type(sub))
		if (sk_dbus_it_skip(sub, err) < 0)
			return -1;
	it->pos = sub->pos;
	return 0;
}

int sk_dbus_it_skip(struct sk_dbus_it *it, struct sk_error *err)
{
	struct sk_dbus_it sub;
	char t = sk_dbus_it_type(it);
	union { uint64_t u; const char *s; } v;

	if (!t)
		return sk_error(err, EINVAL, "D-Bus: no value left to skip");
	if (is_basic(t))
		return sk_dbus_it_basic(it, t, &v, err);
	if (sk_dbus_it_enter(it, t, &sub, NULL, err) < 0)
		return -1;
	if (t == 'a') {
		while (sk_dbus_it_next(&sub))
			while (sk_dbus_it_type(&sub))
				if (sk_dbus_it_skip(&sub, err) < 0)
					return -1;
		return 0;
	}
	return sk_dbus_it_exit(it, &sub, err);
}

/* ---- messages */

/* header fields: code, the type of its value */
static const char field_type[] = { 0, 'o', 's', 's', 's', 'u', 's', 's', 'g', 'u' };

static void w_field(struct sk_dbus_w *w, uint8_t code, const char *v)
{
	char sig[2] = { field_type[code], 0 };

	if (!v)
		return;
	sk_dbus_w_struct(w);
	sk_dbus_w_y(w, code);
	sk_dbus_w_variant(w, sig);
	if (code == F_SIG)
		sk_dbus_w_g(w, v);
	else
		sk_dbus_w_s(w, v);
}

int sk_dbus_encode(struct sk_dbus_w *out, const struct sk_dbus_msg *h,
		   const struct sk_dbus_w *body, struct sk_error *err)
{
	size_t blen = body ? body->len : 0;

	out->len = 0;
	out->depth = 0;
	if ((body && (body->oom || body->depth)) || blen > SK_DBUS_MAX_MSG)
		return sk_error(err, ENOMEM, "D-Bus: cannot build the message body");
	if (h->path && !sk_dbus_path_valid(h->path, strlen(h->path)))
		return sk_error(err, EINVAL, "D-Bus: invalid object path \"%s\"", h->path);
	if ((h->sig && !sk_dbus_sig_valid(h->sig, strlen(h->sig), false)) ||
	    (blen && (!h->sig || !*h->sig)))
		return sk_error(err, EINVAL, "D-Bus: invalid body signature \"%s\"",
				h->sig ? h->sig : "");
	if (!h->serial || h->type < SK_DBUS_CALL || h->type > SK_DBUS_SIGNAL)
		return sk_error(err, EINVAL, "D-Bus: invalid message header");
	sk_dbus_w_y(out, 'l');
	sk_dbus_w_y(out, h->type);
	sk_dbus_w_y(out, h->flags);
	sk_dbus_w_y(out, 1);
	sk_dbus_w_u(out, (uint32_t)blen);
	sk_dbus_w_u(out, h->serial);
	sk_dbus_w_array_open(out, '(');
	w_field(out, F_PATH, h->path);
	w_field(out, F_IFACE, h->iface);
	w_field(out, F_MEMBER, h->member);
	w_field(out, F_ERROR, h->error);
	if (h->reply_serial) {
		sk_dbus_w_struct(out);
		sk_dbus_w_y(out, F_REPLY_SERIAL);
		sk_dbus_w_variant(out, "u");
		sk_dbus_w_u(out, h->reply_serial);
	}
	w_field(out, F_DEST, h->dest);
	w_field(out, F_SENDER, h->sender);
	if (h->sig && *h->sig)
		w_field(out, F_SIG, h->sig);
	sk_dbus_w_array_close(out);
	sk_dbus_w_struct(out);	/* the body is 8-aligned */
	if (blen)
		w_put(out, 1, body->p, blen);
	if (out->oom)
		return sk_error(err, ENOMEM, "D-Bus: cannot build the message");
	return 0;
}

size_t sk_dbus_msg_size(const uint8_t head[16])
{
	bool be = head[0] == 'B';
	uint64_t body = get(head + 4, 4, be), fields = get(head + 12, 4, be);
	uint64_t n;

	if ((head[0] != 'l' && !be) || head[3] != 1)
		return 0;
	n = (16 + fields + 7) / 8 * 8 + body;
	return n > SK_DBUS_MAX_MSG ? 0 : (size_t)n;
}

/* the header fields (from offset 12: a(yv)) into m */
static int decode_fields(const uint8_t *buf, size_t end, struct sk_dbus_msg *m,
			 struct sk_error *err)
{
	struct sk_dbus_it it = { .base = buf, .pos = 12, .end = end, .sig = "a(yv)", .be = m->be };
	struct sk_dbus_it arr, st, v;
	const char *vsig, **dst;
	uint32_t seen = 0, u;
	uint8_t code;

	if (sk_dbus_it_enter(&it, 'a', &arr, NULL, err) < 0)
		return -1;
	while (sk_dbus_it_next(&arr)) {
		if (sk_dbus_it_enter(&arr, '(', &st, NULL, err) < 0 ||
		    sk_dbus_it_basic(&st, 'y', &code, err) < 0 ||
		    sk_dbus_it_enter(&st, 'v', &v, &vsig, err) < 0)
			return -1;
		if (code == 0 || code >= sizeof(field_type)) {
			/* unknown fields are ignored (the specification) */
		} else if (seen & 1u << code) {
			return bad(err, "a header field twice");
		} else if (vsig[0] != field_type[code] || vsig[1]) {
			return bad(err, "a header field of the wrong type");
		} else if (code == F_REPLY_SERIAL || code == F_UNIX_FDS) {
			if (sk_dbus_it_basic(&v, 'u', &u, err) < 0)
				return -1;
			if (code == F_UNIX_FDS && u)
				return bad(err, "file descriptors (not negotiated)");
			if (code == F_REPLY_SERIAL && !u)
				return bad(err, "reply serial 0");
			m->reply_serial = code == F_REPLY_SERIAL ? u : m->reply_serial;
		} else {
			const char **f[] = { [F_PATH] = &m->path, [F_IFACE] = &m->iface,
					     [F_MEMBER] = &m->member, [F_ERROR] = &m->error,
					     [F_DEST] = &m->dest, [F_SENDER] = &m->sender,
					     [F_SIG] = &m->sig };

			dst = f[code];
			if (sk_dbus_it_basic(&v, field_type[code], dst, err) < 0)
				return -1;
		}
		seen |= code < 32 ? 1u << code : 0;
		if (sk_dbus_it_exit(&st, &v, err) < 0 || sk_dbus_it_exit(&arr, &st, err) < 0)
			return -1;
	}
	return 0;
}

static int decode(const uint8_t *buf, size_t len, struct sk_dbus_msg *m, struct sk_error *err)
{
	static const char *const need[] = { NULL, "path and member", "reply serial",
					    "error name and reply serial",
					    "path, interface and member" };
	size_t fields_end, body_at;
	struct sk_dbus_it it;
	bool ok;

	memset(m, 0, sizeof(*m));
	if (len < 16)
		return bad(err, "shorter than a header");
	if (sk_dbus_msg_size(buf) != len)
		return bad(err, "length does not match the header");
	m->be = buf[0] == 'B';
	m->type = buf[1];
	m->flags = buf[2];
	m->serial = (uint32_t)get(buf + 8, 4, m->be);
	m->body_len = get(buf + 4, 4, m->be);
	if (m->type < SK_DBUS_CALL || m->type > SK_DBUS_SIGNAL)
		return bad(err, "unknown message type");
	if (!m->serial)
		return bad(err, "serial 0");
	fields_end = 16 + get(buf + 12, 4, m->be);
	body_at = (fields_end + 7) / 8 * 8;
	if (decode_fields(buf, fields_end, m, err) < 0)
		return -1;
	for (size_t i = fields_end; i < body_at; i++)
		if (buf[i])
			return bad(err, "padding not zero");
	switch (m->type) {
	case SK_DBUS_CALL: ok = m->path && m->member; break;
	case SK_DBUS_RETURN: ok = m->reply_serial; break;
	case SK_DBUS_ERROR: ok = m->error && m->reply_serial; break;
	default: ok = m->path && m->iface && m->member; break;
	}
	if (!ok)
		return sk_error(err, EBADMSG, "malformed D-Bus message: no %s", need[m->type]);
	m->body = buf + body_at;
	if (!m->sig)
		m->sig = "";
	/* the whole body against its signature */
	sk_dbus_it_init(&it, m);
	while (sk_dbus_it_type(&it))
		if (sk_dbus_it_skip(&it, err) < 0)
			return -1;
	if (it.pos != it.end)
		return bad(err, "body longer than its signature");
	return 0;
}

int sk_dbus_decode(const uint8_t *buf, size_t len, struct sk_dbus_msg *m,
		   struct sk_error *err)
{
	if (decode(buf, len, m, err) == 0)
		return 0;
	memset(m, 0, sizeof(*m));	/* nothing of a malformed message is used */
	return -1;
}

void sk_dbus_it_init(struct sk_dbus_it *it, const struct sk_dbus_msg *m)
{
	*it = (struct sk_dbus_it){ .base = m->body, .end = m->body_len, .sig = m->sig ? m->sig : "",
				   .be = m->be };
}

int sk_dbus_read(const struct sk_dbus_msg *m, const char *sig, struct sk_error *err, ...)
{
	struct sk_dbus_it it;
	va_list ap;
	int r = 0;

	if (strcmp(m->sig ? m->sig : "", sig))
		return sk_error(err, EBADMSG, "D-Bus: %s%s%s reply of signature \"%s\", not \"%s\"",
				m->error ? m->error : "", m->error ? " " : "",
				m->member ? m->member : "", m->sig ? m->sig : "", sig);
	sk_dbus_it_init(&it, m);
	va_start(ap, err);
	for (; *sig && r == 0; sig++)
		r = sk_dbus_it_basic(&it, *sig, va_arg(ap, void *), err);
	va_end(ap);
	return r;
}

int sk_dbus_fuzz(const uint8_t *buf, size_t len)
{
	struct sk_error err;
	struct sk_dbus_msg m;
	const char *a, *b, *c;
	uint32_t u;

	if (sk_dbus_decode(buf, len, &m, &err) < 0)
		return -1;
	/* what the client reads of the replies it expects */
	if (sk_dbus_read(&m, "o", &err, &a) == 0 || sk_dbus_read(&m, "s", &err, &a) == 0 ||
	    sk_dbus_read(&m, "uoss", &err, &u, &a, &b, &c) == 0)
		return 0;
	return 1;
}
