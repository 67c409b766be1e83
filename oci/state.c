/* <root>/<id>/state.json (skiff's own record) and the OCI state document. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "skiff/config.h"
#include "skiff/error.h"
#include "skiff/json.h"
#include "skiff/oci.h"
#include "skiff/util.h"
#include "config_json.h"

#define STATE_FILE "state.json"
#define STATE_MAX_SIZE (4u << 20)

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_kv_str(yajl_gen g, const char *k, const char *v)
{
	gen_str(g, k);
	gen_str(g, v);
}

static void gen_u64(yajl_gen g, const char *k, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	gen_str(g, k);
	yajl_gen_number(g, buf, (size_t)n);
}

static void gen_annotations(yajl_gen g, const struct sk_kv *kv, size_t n)
{
	size_t i;

	gen_str(g, "annotations");
	yajl_gen_map_open(g);
	for (i = 0; i < n; i++)
		gen_kv_str(g, kv[i].key ? kv[i].key : "", kv[i].value ? kv[i].value : "");
	yajl_gen_map_close(g);
}

/* Take the generator's buffer as a heap string (with a trailing newline
 * when `nl`), and free the generator. */
char *sk_json_finish(yajl_gen g, bool nl)
{
	const unsigned char *buf;
	size_t len;
	char *s;

	yajl_gen_get_buf(g, &buf, &len);
	while (len && buf[len - 1] == '\n')
		len--;
	s = sk_xmalloc(len + 2);
	memcpy(s, buf, len);
	if (nl)
		s[len++] = '\n';
	s[len] = '\0';
	yajl_gen_free(g);
	return s;
}

static yajl_gen gen_new(bool pretty, const char *indent)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g) {
		fputs("skiff: out of memory\n", stderr);
		abort();
	}
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, indent);
	}
	return g;
}

char *sk_state_json(const struct sk_state *s)
{
	yajl_gen g = gen_new(false, NULL);

	yajl_gen_map_open(g);
	gen_kv_str(g, "ociVersion", SK_OCI_VERSION);
	gen_kv_str(g, "id", s->id ? s->id : "");
	gen_str(g, "pid");
	yajl_gen_integer(g, s->pid);
	gen_u64(g, "startTime", s->start_time);
	if (s->bundle)
		gen_kv_str(g, "bundle", s->bundle);
	if (s->rootfs)
		gen_kv_str(g, "rootfs", s->rootfs);
	if (s->created)
		gen_kv_str(g, "created", s->created);
	if (s->cgroup_path)
		gen_kv_str(g, "cgroupPath", s->cgroup_path);
	gen_str(g, "cgroupOwned");
	yajl_gen_bool(g, s->cgroup_owned);
	if (s->cgroup_owned_v1)
		gen_kv_str(g, "cgroupOwnedV1", s->cgroup_owned_v1);
	if (s->cgroup_rel)
		gen_kv_str(g, "cgroupRel", s->cgroup_rel);
	if (s->cgroup_unit)
		gen_kv_str(g, "cgroupUnit", s->cgroup_unit);
	if (s->n_annotations)
		gen_annotations(g, s->annotations, s->n_annotations);
	yajl_gen_map_close(g);
	return sk_json_finish(g, true);
}

int sk_state_write(int dirfd, const struct sk_state *s, struct sk_error *err)
{
	_cleanup_free_ char *json = sk_state_json(s);

	/* the reader checks UTF-8 (yajl copies other bytes as they are):
	 * never write what it would refuse */
	if (!sk_utf8_valid(json))
		return sk_error(err, EILSEQ, "write %s: a path or annotation is not valid UTF-8",
				STATE_FILE);
	if (sk_write_file_atomic(dirfd, STATE_FILE, json, strlen(json), 0600, err) < 0)
		return sk_error_ctx(err, "write %s", STATE_FILE);
	return 0;
}

static int state_parse(struct sk_jctx *c, yajl_val root, struct sk_state *s)
{
	int64_t pid;

	if (!YAJL_IS_OBJECT(root))
		return sk_j_type_fail(c, NULL, "a JSON object at the top level", root);
	if (sk_j_string(c, root, NULL, "id", SK_J_REQUIRED, &s->id) < 0 ||
	    sk_j_int64(c, root, NULL, "pid", SK_J_REQUIRED, 0, INT32_MAX, &pid, NULL) < 0 ||
	    sk_j_uint64(c, root, NULL, "startTime", 0, UINT64_MAX, &s->start_time, NULL) < 0 ||
	    sk_j_string(c, root, NULL, "bundle", SK_J_REQUIRED, &s->bundle) < 0 ||
	    sk_j_string(c, root, NULL, "rootfs", 0, &s->rootfs) < 0 ||
	    sk_j_string(c, root, NULL, "created", 0, &s->created) < 0 ||
	    sk_j_string(c, root, NULL, "cgroupPath", 0, &s->cgroup_path) < 0 ||
	    sk_j_bool(c, root, NULL, "cgroupOwned", 0, &s->cgroup_owned, NULL) < 0 ||
	    sk_j_string(c, root, NULL, "cgroupOwnedV1", 0, &s->cgroup_owned_v1) < 0 ||
	    sk_j_string(c, root, NULL, "cgroupRel", 0, &s->cgroup_rel) < 0 ||
	    sk_j_string(c, root, NULL, "cgroupUnit", 0, &s->cgroup_unit) < 0 ||
	    sk_j_strmap(c, root, NULL, "annotations", 0, &s->annotations,
			&s->n_annotations) < 0)
		return -1;
	s->pid = (pid_t)pid;
	return 0;
}

int sk_state_read(int dirfd, struct sk_state **out, struct sk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	if (sk_read_file_at(dirfd, STATE_FILE, &buf, &len, STATE_MAX_SIZE, err) < 0)
		return -1;
	return sk_state_parse(buf, len, out, err);
}

int sk_state_parse(const char *buf, size_t len, struct sk_state **out, struct sk_error *err)
{
	struct sk_jctx c = { .name = STATE_FILE, .err = err };
	struct sk_state *s;
	yajl_val tree;
	int r;

	if (sk_j_parse(&c, buf, len, &tree) < 0)
		return -1;
	s = sk_xcalloc(1, sizeof(*s));
	r = state_parse(&c, tree, s);
	sk_j_free(tree);
	if (r < 0) {
		sk_state_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void sk_state_free(struct sk_state *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->cgroup_path);
	free(s->cgroup_owned_v1);
	free(s->cgroup_rel);
	free(s->cgroup_unit);
	sk_kv_free(s->annotations, s->n_annotations);
	free(s);
}

char *sk_state_oci_json(const struct sk_state *s, const char *status, bool pretty)
{
	yajl_gen g = gen_new(pretty, "  ");

	yajl_gen_map_open(g);
	gen_kv_str(g, "ociVersion", SK_OCI_VERSION);
	gen_kv_str(g, "id", s->id ? s->id : "");
	gen_kv_str(g, "status", status ? status : "stopped");
	if (s->pid > 0) {
		gen_str(g, "pid");
		yajl_gen_integer(g, s->pid);
	}
	gen_kv_str(g, "bundle", s->bundle ? s->bundle : "");
	if (s->n_annotations)
		gen_annotations(g, s->annotations, s->n_annotations);
	yajl_gen_map_close(g);
	return sk_json_finish(g, pretty);
}
