/* skiff ps: the processes of a container (host pids from its cgroup). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "skiff.h"
#include "skiff/util.h"

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static bool has_pid(const pid_t *v, size_t n, long p)
{
	pid_t key = (pid_t)p;

	return bsearch(&key, v, n, sizeof(*v), cmp_pid) != NULL;
}

/* runc's table: `ps` output (ps_args, default -ef) keeping the header and
 * the lines whose PID column is one of the container's. */
static int ps_table(const pid_t *pids, size_t n, char **args, int nargs, struct sk_error *err)
{
	_cleanup_free_ char *cmd = sk_xstrdup("ps");
	char line[4096];
	int pid_col = -1, st;
	bool header = true;
	FILE *f;

	if (nargs == 0) {
		free(cmd);
		cmd = sk_xstrdup("ps -ef");
	}
	for (int i = 0; i < nargs; i++) {
		char *n2;

		if (strpbrk(args[i], "'\\"))
			return sk_error(err, EINVAL, "ps: unsupported character in ps argument \"%s\"", args[i]);
		n2 = sk_xasprintf("%s '%s'", cmd, args[i]);
		free(cmd);
		cmd = n2;
	}
	f = popen(cmd, "r");
	if (!f)
		return sk_error_sys(err, "ps: run `%s`", cmd);
	while (fgets(line, sizeof(line), f)) {
		char copy[4096], *tok, *save = NULL;
		int col = 0;

		if (header) {
			snprintf(copy, sizeof(copy), "%s", line);
			for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), col++)
				if (!strcmp(tok, "PID"))
					pid_col = col;
			header = false;
			fputs(line, stdout);
			continue;
		}
		if (pid_col < 0)
			continue;
		snprintf(copy, sizeof(copy), "%s", line);
		for (tok = strtok_r(copy, " \t\n", &save); tok && col < pid_col; tok = strtok_r(NULL, " \t\n", &save))
			col++;
		if (tok && has_pid(pids, n, strtol(tok, NULL, 10)))
			fputs(line, stdout);
	}
	st = pclose(f);
	if (pid_col < 0)
		return sk_error(err, EINVAL, "ps: `%s` printed no PID column", cmd);
	if (st != 0)
		return sk_error(err, EINVAL, "ps: `%s` failed (status %d)", cmd,
				WIFEXITED(st) ? WEXITSTATUS(st) : st);
	return 0;
}

int sk_cmd_ps(int argc, char **argv, struct sk_error *err)
{
	const char *format = "table";
	const struct sk_opt opts[] = {
		{ "format", 'f', SK_OPT_STRING, &format },
		{ NULL, 0, 0, NULL },
	};
	struct sk_container c;
	struct sk_cgroup cg;
	pid_t *pids = NULL;
	size_t n = 0;
	char *pos[32];
	int np, r = -1;

	/* like runc, what follows the id goes to ps(1): `skiff ps ID -eo pid,comm` */
	int cut = 1;

	while (cut < argc) {
		const char *a = argv[cut];

		if (!strcmp(a, "-f") || !strcmp(a, "--format"))
			cut += 2;
		else if (a[0] == '-' && a[1])
			cut++;
		else
			break;
	}
	np = sk_parse_id_opts(cut < argc ? cut + 1 : argc, argv, opts, pos, 1, err);
	if (np == 1 && cut + 1 < argc) {
		for (int i = cut + 1; i < argc && np < 32; i++)
			if (i > cut + 1 || strcmp(argv[i], "--"))
				pos[np++] = argv[i];
	}
	if (np < 0)
		return -1;
	if (strcmp(format, "table") && strcmp(format, "json"))
		return sk_error(err, EINVAL, "ps: unknown format \"%s\" (table or json)", format);
	if (sk_container_load(pos[0], &c, err) < 0)
		return -1;
	if (sk_container_cgroup(&c, &cg, err) < 0)
		goto out;
	if (sk_cgroup_pids(&cg, &pids, &n, err) < 0)
		goto out_cg;
	qsort(pids, n, sizeof(*pids), cmp_pid);
	if (!strcmp(format, "json")) {
		putchar('[');
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
	} else if (ps_table(pids, n, pos + 1, np - 1, err) < 0) {
		goto out_cg;
	}
	r = 0;
out_cg:
	free(pids);
	sk_cgroup_release(&cg);
out:
	sk_container_release(&c);
	return r;
}
