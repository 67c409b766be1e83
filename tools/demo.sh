#!/bin/bash
# tools/demo.sh: the quick start. As root on a fresh Debian 12:
#   installs the dependencies, builds skiff, makes a busybox bundle in ./demo/
#   and runs a container that prints what it sees.
# Safe on hosts with cgroup v1 or hybrid hierarchies: skiff runs inside a
# private cgroup+mount namespace whose cgroup roots are remounted, so the
# container's cgroup is created below the caller's own cgroup.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (sudo $0)" >&2; exit 1; }

echo "==> installing dependencies (tools/deps.sh)"
bash tools/deps.sh

echo "==> building"
{
	[ -x configure ] || autoreconf -fi
	[ -f Makefile ] || ./configure
	make -j2
} >/tmp/skiff-demo-build.log 2>&1 || {
	tail -30 /tmp/skiff-demo-build.log >&2
	echo "demo: build failed (full log: /tmp/skiff-demo-build.log)" >&2
	exit 1
}

echo "==> making the bundle ./demo"
rm -rf demo
mkdir -p demo
bash tools/mkrootfs.sh demo/rootfs
(cd demo && ../skiff spec)
jq '.process.terminal = false
    | .process.args = ["sh", "-c", "echo hostname: $(hostname); id; echo pid: $$; ls /"]' \
	demo/config.json >demo/config.json.tmp
mv demo/config.json.tmp demo/config.json

echo "==> ./skiff run --bundle demo skiff-demo"
echo "--- what the container saw:"
rc=0
# shellcheck disable=SC2016
unshare --cgroup --mount --propagation private -- bash -c '
	set -e
	while read -r target opts fstype; do
		o="$(tr "," "\n" <<<"$opts" | grep -vxE "rw|ro" | paste -sd, -)"
		umount -l "$target"
		if [ "$fstype" = cgroup2 ]; then
			mount -t cgroup2 ${o:+-o "$o"} cgroup2 "$target"
		else
			mount -t cgroup ${o:+-o "$o"} cgroup "$target"
		fi
	done < <(findmnt -rn -t cgroup,cgroup2 -o TARGET,FS-OPTIONS,FSTYPE)
	exec ./skiff --root /run/skiff-demo run --bundle demo skiff-demo
' </dev/null || rc=$?
echo "--- container exited with status $rc"
exit $rc
