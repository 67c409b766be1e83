/* skiff spec, skiff features. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

int sk_cmd_spec(int argc, char **argv, struct sk_error *err)
{
	const char *bundle = ".";
	bool rootless = false;
	const struct sk_opt opts[] = {
		{ "bundle", 'b', SK_OPT_STRING, &bundle },
		{ "rootless", 0, SK_OPT_FLAG, &rootless },
		{ NULL, 0, 0, NULL },
	};
	_cleanup_free_ char *path = NULL, *json = NULL;
	_cleanup_close_ int fd = -1;
	char *pos[1];

	if (sk_parse_opts(argc, argv, opts, pos, 0, err) < 0)
		return -1;
	path = sk_xasprintf("%s/config.json", bundle);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return sk_error(err, EEXIST, "spec: %s exists already: remove it first", path);
	if (fd < 0)
		return sk_error_sys(err, "spec: create %s", path);
	json = sk_spec_default_json(rootless);
	if (sk_write_all(fd, json, strlen(json)) < 0) {
		sk_error_sys(err, "spec: write %s", path);
		unlink(path);
		return -1;
	}
	return 0;
}

int sk_cmd_features(int argc, char **argv, struct sk_error *err)
{
	const struct sk_opt opts[] = { { NULL, 0, 0, NULL } };
	_cleanup_free_ char *json = NULL;
	char *pos[1];

	if (sk_parse_opts(argc, argv, opts, pos, 0, err) < 0)
		return -1;
	json = sk_features_json();
	fputs(json, stdout);
	if (!*json || json[strlen(json) - 1] != '\n')
		putchar('\n');
	return 0;
}
