#!/bin/bash
# tools/hot-functions.sh: record which of skiff's functions a container start
# runs, into tools/hot-functions.txt (tools/layout.sh lays them out first).
# Run as root after changing what the hot path calls; a stale list only costs
# memory (pages mapped), never behaviour.
#
# Builds a copy of the tree with -finstrument-functions (a hook prints each
# function entered), then, in a private cgroup+mount namespace with cgroup2
# at /sys/fs/cgroup (as bench/run.sh), runs what engines run most: `run` of
# the default config without and with a seccomp profile (cache hit: the
# compile on a miss is the cold path), and create, start, state, exec, kill,
# delete.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUTFILE="${1:-$REPO/tools/hot-functions.txt}"
[ "$(id -u)" -eq 0 ] || { echo "hot-functions.sh: must run as root" >&2; exit 1; }

if [ -z "${SKIFF_HOT_INNER:-}" ]; then
	W="$(mktemp -d /tmp/skiff-hot.XXXX)"
	trap 'rm -rf "$W"' EXIT
	(cd "$REPO" && git ls-files -z | cpio -0pdm --quiet "$W/src")
	cat >"$W/hook.c" <<'C'
#include <stdio.h>
#include <unistd.h>
__attribute__((no_instrument_function)) void __cyg_profile_func_enter(void *fn, void *site)
{
	char b[40];
	int n = snprintf(b, sizeof b, "@fn %p\n", fn);
	(void)site;
	if (write(2, b, (size_t)n) < 0)
		return;
}
__attribute__((no_instrument_function)) void __cyg_profile_func_exit(void *fn, void *site)
{
	(void)fn, (void)site;
}
C
	(
		cd "$W/src"
		autoreconf -fi >/dev/null 2>&1
		# glibc: musl-gcc links no __cyg_profile_func_* hooks, configure fails
		./configure -q --without-musl CFLAGS="-O2 -finstrument-functions" >/dev/null
		make -s -j"$(nproc)" libskiff.a src/cli/main.o >/dev/null 2>&1
		gcc -O2 -c -o "$W/hook.o" "$W/hook.c"
		# not a PIE: the addresses printed are nm's
		gcc -no-pie -o "$W/skiff" src/cli/main.o libskiff.a "$W/hook.o" \
			$(sed -n 's/^SECCOMP_LIBS = //p;s/^CAP_LIBS = //p;s/^YAJL_LIBS = //p' Makefile)
		# and a plain build: what it inlines has no section to place
		make -s distclean >/dev/null 2>&1
		./configure -q >/dev/null
		make -s -j"$(nproc)" skiff >/dev/null 2>&1
		cp skiff "$W/skiff.plain"
	) || { echo "hot-functions.sh: build failed" >&2; exit 1; }
	unshare --cgroup --mount --propagation private \
		env SKIFF_HOT_INNER="$W" "${BASH_SOURCE[0]}" "$W/recorded" || exit 1
	{
		echo "# functions a container start runs (tools/hot-functions.sh); tools/layout.sh"
		echo "# puts them first in .text"
		nm "$W/skiff.plain" | awk 'NF == 3 && $2 ~ /[tT]/ { n = $3; sub(/\..*$/, "", n); print n }' |
			sort -u | comm -12 - "$W/recorded"
	} >"$OUTFILE"
	echo "hot-functions.sh: $(grep -vc '^#' "$OUTFILE") functions in $OUTFILE"
	exit
fi

W="$SKIFF_HOT_INNER"
umount -l /sys/fs/cgroup 2>/dev/null || true
mount -t cgroup2 none /sys/fs/cgroup
mkdir -p "$W/run" "$W/b/rootfs/bin" && mount -t tmpfs tmpfs "$W/run"
trap 'umount -l "$W/run"' EXIT
R="$W/b/rootfs"
cp /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sleep"
gcc -O2 -static -nostdlib -o "$R/bin/true" "$REPO/bench/true.c"
S="$W/skiff"
(cd "$W/b" && "$S" spec >/dev/null 2>&1)
jq '.process.args = ["/bin/true"] | .process.terminal = false | .root.path = "rootfs"' \
	"$W/b/config.json" >"$W/seccomp.json"
jq 'del(.linux.seccomp)' "$W/seccomp.json" >"$W/plain.json"
jq '.process.args = ["/bin/sleep", "60"]' "$W/plain.json" >"$W/sleep.json"

rt() { "$S" --root "$W/run" "$@"; }
use() { cp "$W/$1.json" "$W/b/config.json"; }
{
	use plain
	rt run --bundle "$W/b" h1
	use seccomp
	rt run --bundle "$W/b" h2 2>/dev/null # fills the filter cache: not recorded
} 2>/dev/null
{
	rt run --bundle "$W/b" h3
	use plain
	rt run --bundle "$W/b" h4
	use sleep
	rt create --bundle "$W/b" h5 </dev/null >/dev/null
	rt start h5
	rt state h5 >/dev/null
	rt exec h5 /bin/true
	rt kill h5 KILL
	sleep 0.2
	rt delete h5
} 2>"$W/trace"

nm "$S" | awk 'NF == 3 && $2 ~ /[tT]/ { print $1, $3 }' >"$W/syms"
{
	awk 'FNR == NR { a = $1; sub(/^0+/, "", a); s[a] = $2; next }
		$1 == "@fn" { a = $2; sub(/^0x0*/, "", a); if (!(a in s)) next
			n = s[a]; sub(/\.(constprop|isra|part|cold)\..*$/, "", n); print n }' \
		"$W/syms" "$W/trace" | grep -v '^__cyg_profile' | sort -u
} >"$OUTFILE"
