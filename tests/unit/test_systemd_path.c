/* Unit tests of runc's cgroupsPath rules for the systemd cgroup driver
 * (cgroups/systemd_path.c): "slice:prefix:name", the defaults, nested
 * slices, and the one-line errors naming linux.cgroupsPath. */
#include <stdio.h>
#include <string.h>

#include "../../cgroups/systemd.h"
#include "skiff/error.h"
#include "tap.h"

static void ok_case(const char *in, bool rootless, const char *slice, const char *unit,
		    const char *cgroup)
{
	struct sk_sd_path p;
	struct sk_error err = { 0 };
	char name[300];
	int r = sk_sd_path_parse(in, "c1", rootless, &p, &err);

	snprintf(name, sizeof(name), "systemd path: \"%s\"%s -> %s", in ? in : "(none)",
		 rootless ? " rootless" : "", cgroup);
	tap(r == 0 && !strcmp(p.slice, slice) && !strcmp(p.unit, unit) && !strcmp(p.cgroup, cgroup),
	    name, "%d %s: %s %s %s", r, err.msg, p.slice, p.unit, p.cgroup);
}

static void bad_case(const char *in, const char *want)
{
	struct sk_sd_path p;
	struct sk_error err = { 0 };
	char name[700];
	int r = sk_sd_path_parse(in, "c1", false, &p, &err);

	snprintf(name, sizeof(name), "systemd path: \"%.300s\" refused", in);
	tap(r < 0 && !strncmp(err.msg, "linux.cgroupsPath: ", 19) && strstr(err.msg, want) &&
	    !strchr(err.msg, '\n'), name, "%d %s", r, err.msg);
}

static void expand(const char *slice, size_t size, const char *want)
{
	struct sk_error err = { 0 };
	char out[512], name[300];
	int r = sk_sd_slice_expand(slice, out, size, &err);

	snprintf(name, sizeof(name), "systemd slice: %s -> %s", slice, want ? want : "error");
	tap(want ? r == 0 && !strcmp(out, want) : r < 0, name, "%d %s %s", r, r ? err.msg : out, want);
}

int main(void)
{
	char longname[400];

	ok_case(NULL, false, "system.slice", "skiff-c1.scope", "/system.slice/skiff-c1.scope");
	ok_case("", false, "system.slice", "skiff-c1.scope", "/system.slice/skiff-c1.scope");
	ok_case("", true, "user.slice", "skiff-c1.scope", "/user.slice/skiff-c1.scope");
	ok_case("machine.slice:libpod:abc", false, "machine.slice", "libpod-abc.scope",
		"/machine.slice/libpod-abc.scope");
	ok_case(":cri-containerd:x1", false, "system.slice", "cri-containerd-x1.scope",
		"/system.slice/cri-containerd-x1.scope");
	ok_case(":p:n", true, "user.slice", "p-n.scope", "/user.slice/p-n.scope");
	ok_case("a-b-c.slice:p:n", false, "a-b-c.slice", "p-n.scope",
		"/a.slice/a-b.slice/a-b-c.slice/p-n.scope");
	ok_case("-:p:n", false, "-.slice", "p-n.scope", "/p-n.scope");
	ok_case("-.slice:p:n", false, "-.slice", "p-n.scope", "/p-n.scope");
	ok_case("system.slice::n", false, "system.slice", "n.scope", "/system.slice/n.scope");
	ok_case("kubepods.slice:p:kubepods-besteffort.slice", false, "kubepods.slice",
		"kubepods-besteffort.slice", "/kubepods.slice/kubepods-besteffort.slice");
	ok_case("system.slice:docker:0123abc_x.y\\x2d", false, "system.slice",
		"docker-0123abc_x.y\\x2d.scope", "/system.slice/docker-0123abc_x.y\\x2d.scope");

	bad_case("system.slice:n", "is not of the form \"slice:prefix:name\"");
	bad_case("a:b:c:d", "is not of the form");
	bad_case("/sys/fs/cgroup/x", "is not of the form");
	bad_case("system:p:n", "invalid slice \"system\"");
	bad_case("a--b.slice:p:n", "invalid slice (empty component) \"a--b.slice\"");
	bad_case("-a.slice:p:n", "empty component");
	bad_case("a-.slice:p:n", "empty component");
	bad_case(".slice:p:n", "empty component");
	bad_case("a/b.slice:p:n", "invalid slice \"a/b.slice\"");
	bad_case("system.slice:p:", "empty name");
	bad_case("system.slice:p/q:n", "invalid prefix \"p/q\"");
	bad_case("system.slice:p:n/x", "invalid unit name \"p-n/x.scope\"");
	bad_case("system.slice:p:a b", "invalid unit name");
	bad_case("system.slice:p:.slice", "invalid unit name");
	memset(longname, 'n', 300);
	strcpy(longname + 300, "");
	{
		char in[420];

		snprintf(in, sizeof(in), "system.slice:p:%s", longname);
		bad_case(in, "unit name too long");
	}

	expand("-.slice", 64, "/");
	expand("test.slice", 64, "/test.slice");
	expand("a-b-c.slice", 64, "/a.slice/a-b.slice/a-b-c.slice");
	expand("a-b-c.slice", 20, NULL);
	expand("a.slice.slice", 64, "/a.slice.slice");
	expand("a", 64, NULL);
	expand("-", 64, NULL);
	return tap_done();
}
