/* runc's cgroupsPath rules for the systemd cgroup driver (cgroups/systemd.h):
 * "slice:prefix:name", the unit it names and the cgroup it gets. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "systemd.h"
#include "skiff/error.h"

#define SUFFIX ".slice"

static int bad(struct sk_error *err, const char *what, const char *v)
{
	return sk_error(err, EINVAL, "linux.cgroupsPath: %s \"%s\"", what, v);
}

/* systemd's unit name characters (unit_name_is_valid: no template here) */
static bool unit_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("-_.\\", s[i])))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

int sk_sd_slice_expand(const char *slice, char *out, size_t size, struct sk_error *err)
{
	size_t n = strlen(slice), base, len = 0, k;
	const char *p, *dash;

	if (!ends_with(slice, SUFFIX) || n >= SK_SD_NAME_MAX || !unit_chars(slice, n))
		return bad(err, "invalid slice", slice);
	base = n - strlen(SUFFIX);
	if (base == 1 && slice[0] == '-') {
		if (size < 2)
			return bad(err, "slice path too long", slice);
		strcpy(out, "/");
		return 0;
	}
	/* components: non-empty, separated by one '-' */
	for (p = slice;; p = dash + 1) {
		dash = memchr(p, '-', (size_t)(slice + base - p));
		k = (size_t)((dash ? dash : slice + base) - slice);
		if (p == slice + k)
			return bad(err, "invalid slice (empty component)", slice);
		if (len + k + 1 + strlen(SUFFIX) + 1 > size)
			return bad(err, "slice path too long", slice);
		len += (size_t)sprintf(out + len, "/%.*s" SUFFIX, (int)k, slice);
		if (!dash)
			return 0;
	}
}

int sk_sd_path_parse(const char *cgroups_path, const char *id, bool rootless,
		     struct sk_sd_path *out, struct sk_error *err)
{
	char buf[3 * SK_SD_NAME_MAX], *slice, *prefix, *name, *c2;
	int n;

	memset(out, 0, sizeof(*out));
	if (!cgroups_path || !*cgroups_path)
		n = snprintf(buf, sizeof(buf), ":skiff:%s", id);
	else
		n = snprintf(buf, sizeof(buf), "%s", cgroups_path);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return sk_error(err, EINVAL, "linux.cgroupsPath: too long for a systemd unit");
	slice = buf;
	prefix = strchr(buf, ':');
	c2 = prefix ? strchr(prefix + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':'))
		return sk_error(err, EINVAL, "linux.cgroupsPath: \"%s\" is not of the form "
				"\"slice:prefix:name\" (the systemd cgroup driver)", cgroups_path);
	*prefix++ = 0;
	*c2 = 0;
	name = c2 + 1;
	if (!*name)
		return bad(err, "empty name in", cgroups_path);
	if (!unit_chars(prefix, strlen(prefix)))
		return bad(err, "invalid prefix", prefix);
	if (!*slice)
		slice = rootless ? "user.slice" : "system.slice";
	else if (!strcmp(slice, "-"))
		slice = "-.slice";
	if (sk_sd_slice_expand(slice, out->cgroup, sizeof(out->cgroup), err) < 0)
		return -1;
	strcpy(out->slice, slice);
	if (ends_with(name, SUFFIX))
		n = snprintf(out->unit, sizeof(out->unit), "%s", name);
	else if (*prefix)
		n = snprintf(out->unit, sizeof(out->unit), "%s-%s.scope", prefix, name);
	else
		n = snprintf(out->unit, sizeof(out->unit), "%s.scope", name);
	if (n < 0 || (size_t)n >= sizeof(out->unit))
		return bad(err, "unit name too long", name);
	if (!unit_chars(name, strlen(name)) || name[0] == '.' || !strcmp(name, SUFFIX))
		return bad(err, "invalid unit name", out->unit);
	n = (int)strlen(out->cgroup);
	if (n == 1)
		n = 0;	/* the root slice */
	if ((size_t)n + 1 + strlen(out->unit) + 1 > sizeof(out->cgroup))
		return bad(err, "path too long", cgroups_path);
	sprintf(out->cgroup + n, "/%s", out->unit);
	return 0;
}
