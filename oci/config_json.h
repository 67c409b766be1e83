/* A small typed layer over yajl's tree types for the oci/ parsers.
 *
 * Paths are built lazily: each level keeps a struct sk_jpath on the stack
 * pointing at its parent, and the text ("mounts[2].destination") is only
 * rendered when an error is reported.
 *
 * Getters look `key` up in the object `obj` whose path is `p`.  A member
 * that is absent or JSON null counts as absent: the getter returns 0 and
 * leaves *out alone (and sets *has to false when given), unless
 * SK_J_REQUIRED is passed, in which case it is an error.  Errors fill the
 * context's sk_error with "<name>: <path>: <problem>" and return -1. */
#ifndef SKIFF_OCI_CONFIG_JSON_H
#define SKIFF_OCI_CONFIG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

struct sk_error;
struct sk_kv;

struct sk_jpath {
	const struct sk_jpath *up;
	const char *key;        /* member name; NULL: array index `idx` */
	size_t idx;
};

struct sk_jctx {
	const char *name;       /* "config.json" */
	struct sk_error *err;
	const char *prefix;     /* the document's own path in messages, or NULL */
};

#define SK_J_REQUIRED 1u

/* Child paths. */
#define SK_JP_KEY(parent, k) { .up = (parent), .key = (k) }
#define SK_JP_IDX(parent, i) { .up = (parent), .key = NULL, .idx = (i) }

/* Render a path ("" for the root). */
void sk_jpath_render(const struct sk_jpath *p, char *buf, size_t size);
/* Describe a value for messages: "abc" (quoted, shortened), 42, true,
 * null, an object, an array. */
const char *sk_j_describe(yajl_val v, char *buf, size_t size);
/* Report "<name>: <path>: <message>"; returns -1. */
int sk_j_fail(struct sk_jctx *c, const struct sk_jpath *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "expected <what>, got <value>" */
int sk_j_type_fail(struct sk_jctx *c, const struct sk_jpath *p,
		   const char *what, yajl_val v);

/* Member lookup (first match), NULL when absent or null. */
yajl_val sk_j_member(yajl_val obj, const char *key);

/* Parse a whole document.  The text need not be NUL-terminated.  NUL
 * bytes, nesting deeper than SK_J_MAX_DEPTH, duplicate keys and NUL
 * characters in strings are refused. */
#define SK_J_MAX_DEPTH 256
int sk_j_parse(struct sk_jctx *c, const char *json, size_t len, yajl_val *out);
/* Free what sk_j_parse() gave. */
void sk_j_free(yajl_val root);
/* json_tree.c: the parser behind sk_j_parse(): yajl_tree_parse()'s nodes,
 * settings and error text, in one arena (NULL and the error in ebuf).
 * A duplicate key or a NUL character in a string or key is refused too:
 * *refused is set and ebuf is "<path>: <problem>", the path after
 * `prefix` when not NULL. */
yajl_val sk_j_tree_parse(const char *text, size_t len, char *ebuf, size_t ebuf_size,
			 const char *prefix, bool *refused);
/* Quote a string for a message: escapes, shortened. */
void sk_j_quote(const char *s, char *buf, size_t size);

/* Value-level getters (v non-NULL, path p is v's own path). */
int sk_jv_string(struct sk_jctx *c, yajl_val v, const struct sk_jpath *p, char **out);
int sk_jv_int64(struct sk_jctx *c, yajl_val v, const struct sk_jpath *p,
		int64_t min, int64_t max, int64_t *out);
int sk_jv_uint64(struct sk_jctx *c, yajl_val v, const struct sk_jpath *p,
		 uint64_t max, uint64_t *out);

/* Member getters. */
int sk_j_object(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, yajl_val *out);
int sk_j_array(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	       const char *key, unsigned flags, yajl_val *out);
int sk_j_string(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, char **out);
int sk_j_bool(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	      const char *key, unsigned flags, bool *out, bool *has);
int sk_j_int64(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	       const char *key, unsigned flags, int64_t min, int64_t max,
	       int64_t *out, bool *has);
int sk_j_int32(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	       const char *key, unsigned flags, int32_t *out, bool *has);
int sk_j_uint64(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, uint64_t max,
		uint64_t *out, bool *has);
int sk_j_uint32(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, uint32_t *out, bool *has);
int sk_j_uint16(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, uint16_t *out, bool *has);
/* Array of strings; the array and its count are set (empty array: 0). */
int sk_j_strv(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	      const char *key, unsigned flags, char ***out, size_t *n);
/* Array of uint32. */
int sk_j_u32v(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	      const char *key, unsigned flags, uint32_t **out, size_t *n);
/* Object of strings (mapStringString). */
int sk_j_strmap(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, unsigned flags, struct sk_kv **out, size_t *n);
/* A string named in table e, stored as its value (sk_enum_value()). */
struct sk_enum;
int sk_j_enum(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
	      const char *key, unsigned flags, const struct sk_enum *e,
	      unsigned long *out, bool *has);
/* An array of names of table e: the OR of their values (a flag set). */
int sk_j_enum_flags(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		    const char *key, unsigned flags, const struct sk_enum *e,
		    unsigned long *out);
/* An array of names of table e: their values in order (*out NULL when empty). */
int sk_j_enum_list(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		   const char *key, unsigned flags, const struct sk_enum *e,
		   unsigned **out, size_t *n);

/* Shared between oci/config.c and oci/config_linux.c. */
struct sk_idmap;
struct sk_linux;
int sk_j_idmaps(struct sk_jctx *c, yajl_val obj, const struct sk_jpath *p,
		const char *key, struct sk_idmap **out, size_t *n);
int sk_config_parse_linux(struct sk_jctx *c, yajl_val linux_obj,
			  const struct sk_jpath *p, struct sk_linux *l);
void sk_config_free_linux(struct sk_linux *l);
struct sk_resources;
int sk_config_parse_resources(struct sk_jctx *c, yajl_val res, struct sk_resources *r);

/* Freeing helpers for the model. */
void sk_strv_free(char **v, size_t n);
void sk_kv_free(struct sk_kv *kv, size_t n);

#endif
