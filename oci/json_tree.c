/* A JSON document as yajl's tree types (yajl_val), built from yajl's event
 * parser into one arena: every node, string, key and child array of a
 * document lives in a few large blocks, freed at once.
 *
 * yajl_tree_parse() does the same work with a malloc per node, string and
 * key, and a realloc per member added: for a 3 KB config.json that was
 * half of the parse time, and the free as much again.  The nodes are the
 * same (struct yajl_val_s, so the sk_j_* getters read them unchanged),
 * with the same parser settings (comments allowed, UTF-8 checked) and the
 * same error text.  Numbers keep their text (u.number.r); i and d are
 * filled, with the flags, as yajl_tree fills them.
 *
 * The builder keeps the children of every open object or array on two
 * stacks (values, keys); when the container closes, its exact arrays are
 * copied into the arena.  The top-level value is the first node made, in
 * a slot at the head of the first block that also points at the arena:
 * sk_j_free() needs nothing but the root.  Nesting deeper than
 * SK_J_MAX_DEPTH stops the parse (the getters recurse).
 *
 * Two things yajl accepts are refused, with the JSON path of the value
 * (the way Go's and other readers would otherwise read the document
 * differently): a key twice in one object (which one wins depends on the
 * reader), and a NUL character (\u0000) in a string or key (skiff's
 * strings are C strings: the rest would be cut off silently). */
#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "config_json.h"
#include "skiff/util.h"

#define BLOCK_SIZE (64 * 1024)

struct block {
	struct block *next;
	size_t used, size;
	alignas(max_align_t) char data[];
};

struct root_slot {
	struct block *blocks;
	struct yajl_val_s node;
};

struct frame {
	yajl_val node;
	size_t values, keys;	/* where its children start on the stacks */
	const char *key;	/* its place in its parent: a key, */
	size_t idx;		/* else an index (SIZE_MAX: the root) */
};

struct builder {
	bool too_deep, refused;
	const char *prefix;
	char *ebuf;
	size_t ebuf_size;
	const char **scratch;
	size_t cap_scratch;
	struct block *blocks;
	struct root_slot *slot;
	yajl_val root;
	yajl_val *values;
	const char **keys;
	struct frame *frames;
	size_t n_values, cap_values, n_keys, cap_keys, n_frames, cap_frames;
};

/* Where the next value of the open container goes (key or index). */
static void next_place(const struct builder *b, const char **key, size_t *idx)
{
	const struct frame *f = b->n_frames ? &b->frames[b->n_frames - 1] : NULL;

	*key = NULL;
	*idx = SIZE_MAX;
	if (f && f->node->type == yajl_t_object)
		*key = b->n_keys > f->keys ? b->keys[b->n_keys - 1] : NULL;
	else if (f)
		*idx = b->n_values - f->values;
}

static size_t put_place(char *buf, size_t size, size_t n, const char *key, size_t idx)
{
	int r = 0;

	if (n >= size)
		return n;
	if (key)
		r = snprintf(buf + n, size - n, "%s%s", n ? "." : "", key);
	else if (idx != SIZE_MAX)
		r = snprintf(buf + n, size - n, "[%zu]", idx);
	return r < 0 ? n : n + (size_t)r;
}

/* Refuse the document: "<path>: <msg>" in ebuf, the path being the open
 * containers' and, when `leaf`, the next value's. */
static int refuse(struct builder *b, bool leaf, const char *msg, const char *arg)
{
	char path[512];
	size_t i, n = 0;

	b->refused = true;
	path[0] = '\0';
	if (b->prefix)
		n = put_place(path, sizeof(path), n, b->prefix, 0);
	for (i = 1; i < b->n_frames; i++)
		n = put_place(path, sizeof(path), n, b->frames[i].key, b->frames[i].idx);
	if (leaf) {
		const char *key;
		size_t idx;

		next_place(b, &key, &idx);
		put_place(path, sizeof(path), n, key, idx);
	}
	if (b->ebuf_size)
		snprintf(b->ebuf, b->ebuf_size, "%s%s%s%s", path, path[0] ? ": " : "", msg,
			 arg ? arg : "");
	return 0;
}

static void *arena_alloc(struct builder *b, size_t n)
{
	struct block *bl = b->blocks;

	n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if (!bl || bl->size - bl->used < n) {
		size_t size = n > BLOCK_SIZE / 2 ? n : BLOCK_SIZE;

		bl = sk_xmalloc(sizeof(*bl) + size);
		bl->size = size;
		bl->used = 0;
		bl->next = b->blocks;
		b->blocks = bl;
	}
	bl->used += n;
	return bl->data + bl->used - n;
}

static void grow(void **v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 64;
	*v = sk_xrealloc(*v, *cap * elem);
}

/* A new node, linked into the open container (or made the root). */
static yajl_val node(struct builder *b, yajl_type type)
{
	yajl_val v;

	if (!b->root) {
		b->slot = arena_alloc(b, sizeof(*b->slot));
		v = &b->slot->node;
		b->root = v;
	} else {
		v = arena_alloc(b, sizeof(*v));
		grow((void **)&b->values, &b->cap_values, b->n_values, sizeof(*b->values));
		b->values[b->n_values++] = v;
	}
	memset(v, 0, sizeof(*v));
	v->type = type;
	return v;
}

static char *arena_strndup(struct builder *b, const unsigned char *s, size_t len)
{
	char *p = arena_alloc(b, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static int on_null(void *ctx)
{
	node(ctx, yajl_t_null);
	return 1;
}

static int on_boolean(void *ctx, int v)
{
	node(ctx, v ? yajl_t_true : yajl_t_false);
	return 1;
}

/* As yajl's yajl_parse_integer(): an optional sign and digits that fit. */
static bool parse_integer(const char *s, long long *out)
{
	unsigned long long max = LLONG_MAX, r = 0;
	bool neg = *s == '-';

	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || r > (max - (unsigned)(*s - '0')) / 10)
			return false;
		r = r * 10 + (unsigned)(*s - '0');
	}
	*out = neg ? -(long long)r : (long long)r;
	return true;
}

static int on_number(void *ctx, const char *s, size_t len)
{
	struct builder *b = ctx;
	yajl_val v = node(b, yajl_t_number);
	char *end;

	v->u.number.r = arena_strndup(b, (const unsigned char *)s, len);
	if (parse_integer(v->u.number.r, &v->u.number.i))
		v->u.number.flags |= YAJL_NUMBER_INT_VALID;
	else
		v->u.number.i = *v->u.number.r == '-' ? LLONG_MIN : LLONG_MAX;
	errno = 0;
	v->u.number.d = strtod(v->u.number.r, &end);
	if (!errno && !*end)
		v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
	return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;

	if (memchr(s, '\0', len))
		return refuse(b, true, "string contains a NUL character", NULL);
	node(b, yajl_t_string)->u.string = arena_strndup(b, s, len);
	return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;

	if (memchr(s, '\0', len))
		return refuse(b, false, "key contains a NUL character", NULL);
	grow((void **)&b->keys, &b->cap_keys, b->n_keys, sizeof(*b->keys));
	b->keys[b->n_keys++] = arena_strndup(b, s, len);
	return 1;
}

static int open_container(struct builder *b, yajl_type type)
{
	const char *key;
	size_t idx;
	yajl_val v;

	/* the getters recurse: a bound on nesting (stops the parse) */
	if (b->n_frames >= SK_J_MAX_DEPTH) {
		b->too_deep = true;
		return 0;
	}
	next_place(b, &key, &idx);
	v = node(b, type);

	grow((void **)&b->frames, &b->cap_frames, b->n_frames, sizeof(*b->frames));
	b->frames[b->n_frames++] = (struct frame){ v, b->n_values, b->n_keys, key, idx };
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, yajl_t_object);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, yajl_t_array);
}

/* n elements from `at` on of a stack (NULL when nothing was ever pushed) */
static void *copy_out(struct builder *b, const void *stack, size_t at, size_t n, size_t elem)
{
	void *p;

	if (!n)
		return NULL;
	p = arena_alloc(b, n * elem);
	memcpy(p, (const char *)stack + at * elem, n * elem);
	return p;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key twice among the n keys of the object being closed: each pair
 * compared in a small object (most of a config's), else sorted on a copy
 * (an object can have many keys) and neighbours compared. */
static const char *duplicate_key(struct builder *b, const char **keys, size_t n)
{
	size_t i, j;

	if (n <= 16) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (!strcmp(keys[i], keys[j]))
					return keys[i];
		return NULL;
	}
	if (n > b->cap_scratch) {
		b->cap_scratch = n;
		b->scratch = sk_xrealloc(b->scratch, n * sizeof(*b->scratch));
	}
	memcpy(b->scratch, keys, n * sizeof(*keys));
	qsort(b->scratch, n, sizeof(*keys), cmp_key);
	for (i = 1; i < n; i++)
		if (!strcmp(b->scratch[i - 1], b->scratch[i]))
			return b->scratch[i];
	return NULL;
}

/* A closing brace or bracket: the children on the stacks become the
 * container's exact arrays. */
static int on_end(void *ctx)
{
	struct builder *b = ctx;
	struct frame f = b->frames[b->n_frames - 1];
	size_t n = b->n_values - f.values;
	yajl_val *values;

	if (f.node->type == yajl_t_object) {
		const char *dup = n > 1 ? duplicate_key(b, b->keys + f.keys, n) : NULL;

		if (dup) {
			char q[128];

			sk_j_quote(dup, q, sizeof(q));
			return refuse(b, false, "duplicate key ", q);
		}
	}
	b->n_frames--;
	values = copy_out(b, b->values, f.values, n, sizeof(*b->values));

	if (f.node->type == yajl_t_object) {
		f.node->u.object.len = n;
		f.node->u.object.values = values;
		f.node->u.object.keys = copy_out(b, b->keys, f.keys, n, sizeof(*b->keys));
	} else {
		f.node->u.array.len = n;
		f.node->u.array.values = values;
	}
	b->n_values = f.values;
	b->n_keys = f.keys;
	return 1;
}

static void free_blocks(struct block *bl)
{
	while (bl) {
		struct block *next = bl->next;

		free(bl);
		bl = next;
	}
}

yajl_val sk_j_tree_parse(const char *text, size_t len, char *ebuf, size_t ebuf_size,
			 const char *prefix, bool *refused)
{
	static const yajl_callbacks cb = {
		.yajl_null = on_null, .yajl_boolean = on_boolean, .yajl_number = on_number,
		.yajl_string = on_string, .yajl_start_map = on_start_map, .yajl_map_key = on_key,
		.yajl_end_map = on_end, .yajl_start_array = on_start_array,
		.yajl_end_array = on_end,
	};
	struct builder b = { .ebuf = ebuf, .ebuf_size = ebuf_size, .prefix = prefix };
	yajl_handle h = yajl_alloc(&cb, NULL, &b);
	yajl_status st;

	if (!h)
		abort();
	yajl_config(h, yajl_allow_comments, 1);
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	free(b.values);
	free(b.keys);
	free(b.frames);
	free(b.scratch);
	*refused = b.refused;
	if (st != yajl_status_ok || !b.root) {
		if (b.refused) {
			/* ebuf filled */
		} else if (b.too_deep) {
			snprintf(ebuf, ebuf_size, "nested deeper than %d levels", SK_J_MAX_DEPTH);
		} else if (ebuf_size) {
			unsigned char *e = yajl_get_error(h, 1, (const unsigned char *)text, len);

			snprintf(ebuf, ebuf_size, "%s", e ? (const char *)e : "");
			yajl_free_error(h, e);
		}
		yajl_free(h);
		free_blocks(b.blocks);
		return NULL;
	}
	yajl_free(h);
	b.slot->blocks = b.blocks;
	return b.root;
}

void sk_j_free(yajl_val root)
{
	if (root)
		free_blocks(((struct root_slot *)((char *)root - offsetof(struct root_slot, node)))->blocks);
}
