/* skiff state, skiff list. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "exit_cause.h"
#include "skiff.h"
#include "skiff/util.h"

static bool oom_killed(const struct sk_state *st)
{
	struct sk_cgroup cg = { .dirfd = -1 };

	if (!st->cgroup_path)
		return false;
	cg.dir = st->cgroup_path;
	return sk_cgroup_oom_kills(&cg) > 0;
}

int sk_cmd_state(int argc, char **argv, struct sk_error *err)
{
	const struct sk_opt opts[] = { { NULL, 0, 0, NULL } };
	struct sk_container c;
	struct sk_state empty = { 0 };
	char *pos[1], *json;

	if (sk_parse_id_opts(argc, argv, opts, pos, 1, err) < 0)
		return -1;
	if (sk_container_peek(pos[0], &c, err) < 0)
		return -1;
	if (!c.state) {
		empty.id = c.id;
		empty.bundle = "";
	}
	if (c.state && sk_container_status(&c) == SK_STATUS_STOPPED) {
		/* skiff's annotations: why it stopped (exit_cause.c) */
		struct sk_kv *orig = c.state->annotations;
		size_t n = c.state->n_annotations;
		struct sk_exit_cause e;

		sk_exit_cause_of(&c, &e);
		sk_exit_cause_annotate(&e, c.state);
		json = sk_state_oci_json(c.state, SK_STATUS_STOPPED, true);
		sk_exit_cause_annotations_free(c.state, n);
		c.state->annotations = orig;
		c.state->n_annotations = n;
	} else {
		json = sk_state_oci_json(c.state ? c.state : &empty, sk_container_status(&c), true);
	}
	if (c.state && oom_killed(c.state)) {
		/* skiff's extension, like runc's extra keys: the kernel OOM killer
		 * killed in the container's cgroup */
		char *end = strrchr(json, '}'), *more;

		while (end && end > json && (end[-1] == '\n' || end[-1] == ' '))
			end--;
		more = sk_xasprintf("%.*s,\n  \"oomKilled\": true\n}", (int)(end - json), json);
		free(json);
		json = more;
	}
	fputs(json, stdout);
	putchar('\n');
	free(json);
	sk_container_release(&c);
	return 0;
}

static void gen_str(yajl_gen g, const char *k, const char *v)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
	yajl_gen_string(g, (const unsigned char *)(v ? v : ""), v ? strlen(v) : 0);
}

static const char *owner_of(int dirfd, char *buf, size_t len)
{
	struct stat st;
	struct passwd *pw;

	if (fstat(dirfd, &st) < 0)
		return "";
	pw = getpwuid(st.st_uid);
	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "#%u", (unsigned)st.st_uid);
	return buf;
}

/* runc's table (Go's tabwriter, minwidth 12, padding 3): every column
 * but the last as wide as its widest cell plus 3, at least 12. */
#define COLS 6
struct table { char **cells; size_t rows; size_t width[COLS]; };

static void table_add(struct table *t, const char *const row[COLS])
{
	t->cells = sk_xrealloc(t->cells, (t->rows + 1) * COLS * sizeof(char *));
	for (int i = 0; i < COLS; i++) {
		t->cells[t->rows * COLS + (size_t)i] = sk_xstrdup(row[i]);
		if (strlen(row[i]) + 3 > t->width[i])
			t->width[i] = strlen(row[i]) + 3;
		if (t->width[i] < 12)
			t->width[i] = 12;
	}
	t->rows++;
}

static void table_print(struct table *t)
{
	for (size_t r = 0; r < t->rows; r++) {
		for (int i = 0; i < COLS; i++) {
			char *cell = t->cells[r * COLS + (size_t)i];

			if (i < COLS - 1)
				printf("%-*s", (int)t->width[i], cell);
			else
				printf("%s\n", cell);
			free(cell);
		}
	}
	free(t->cells);
}

static int skip_dot(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static void list_json(yajl_gen g, struct sk_container *c, const char *status, int pid,
		      const char *owner)
{
	const struct sk_state *st = c->state;

	yajl_gen_map_open(g);
	gen_str(g, "ociVersion", SK_OCI_VERSION);
	gen_str(g, "id", c->id);
	yajl_gen_string(g, (const unsigned char *)"pid", 3);
	yajl_gen_integer(g, pid);
	gen_str(g, "status", status);
	gen_str(g, "bundle", st ? st->bundle : "");
	gen_str(g, "rootfs", st ? st->rootfs : "");
	gen_str(g, "created", st ? st->created : "");
	if (st && st->n_annotations) {
		yajl_gen_string(g, (const unsigned char *)"annotations", 11);
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->n_annotations; i++)
			gen_str(g, st->annotations[i].key, st->annotations[i].value);
		yajl_gen_map_close(g);
	}
	gen_str(g, "owner", owner);
	yajl_gen_map_close(g);
}

/* runc's list: sorted by id; -q (before -f) only the ids; json "null"
 * when there is none (Go's nil slice); pid 0 once stopped. */
int sk_cmd_list(int argc, char **argv, struct sk_error *err)
{
	const char *format = "table";
	bool quiet = false;
	const struct sk_opt opts[] = {
		{ "format", 'f', SK_OPT_STRING, &format },
		{ "quiet", 'q', SK_OPT_FLAG, &quiet },
		{ NULL, 0, 0, NULL },
	};
	struct dirent **names = NULL;
	yajl_gen g = NULL;
	struct table t = { 0 };
	char *pos[1];
	bool json;
	int n, shown = 0;

	if (sk_parse_opts(argc, argv, opts, pos, 0, err) < 0)
		return -1;
	if (strcmp(format, "table") && strcmp(format, "json"))
		return sk_error(err, EINVAL, "list: invalid format option \"%s\" (table or json)", format);
	json = !quiet && !strcmp(format, "json");
	n = scandir(sk_g.root, &names, skip_dot, alphasort);
	if (n < 0 && errno != ENOENT)
		return sk_error_sys(err, "open state root %s", sk_g.root);
	if (json) {
		g = yajl_gen_alloc(NULL);
		yajl_gen_array_open(g);
	} else if (!quiet) {
		table_add(&t, (const char *[]){ "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" });
	}
	for (int k = 0; k < n; k++) {
		struct sk_container c;
		enum sk_status status;
		const char *owner;
		char obuf[32], pid[16];
		int p;

		/* runc warns about a container it cannot load: skiff lists
		 * it too, as "unknown", so that it can be deleted */
		if (sk_container_load_any(names[k]->d_name, true, &c, err) < 0) {
			if (sk_validate_id(names[k]->d_name, err) == 0)
				sk_log_warn("list: %s", err->msg);
			continue;
		}
		if (c.damage)
			sk_log_warn("list: container \"%s\": %s (status unknown; delete --force "
				    "removes it)", c.id, c.damage);
		status = sk_container_status(&c);
		owner = owner_of(c.dirfd, obuf, sizeof(obuf));
		p = c.state && status != SK_STATUS_STOPPED ? (int)c.state->pid : 0;
		shown++;
		if (quiet) {
			printf("%s\n", c.id);
		} else if (json) {
			list_json(g, &c, sk_status_name(status), p, owner);
		} else {
			snprintf(pid, sizeof(pid), "%d", p);
			table_add(&t, (const char *[]){ c.id, pid, sk_status_name(status), c.state ? c.state->bundle : "",
							 c.state ? c.state->created : "", owner });
		}
		sk_container_release(&c);
	}
	for (int k = 0; k < n; k++)
		free(names[k]);
	free(names);
	if (json) {
		const unsigned char *buf;
		size_t len;

		yajl_gen_array_close(g);
		yajl_gen_get_buf(g, &buf, &len);
		if (shown)
			fwrite(buf, 1, len, stdout);
		else
			fputs("null", stdout);
		putchar('\n');
		yajl_gen_free(g);
	}
	table_print(&t);
	return 0;
}
