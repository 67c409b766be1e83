#!/bin/bash
# skiff sandbox side by side with bubblewrap (bwrap) and, where systemd
# runs, systemd-run --scope: start-up time of `true` and a small real
# build (compiling a generated C project with make -j2).
#
#   sudo bench/sandbox.sh         (root; ~3 minutes; run it on a quiet machine)
#
# Environment: RUNS (rounds of `true`, default 100), BUILD_RUNS (rounds of the
# build, default 5), FILES (C files of the project, default 40), SKIFF (binary,
# default ./skiff of the repo), RESULTS (directory, default bench/results),
# NOTE (a line added to the results, e.g. that the machine was loaded).
#
# Equivalent options: `skiff sandbox --read-only` and bwrap both get the
# host's / read-only, the working directory writable, a fresh /tmp, /dev and
# /proc, new namespaces (mount, pid, ipc, uts, network, cgroup) and no
# capabilities.  Differences that stay: skiff also loads its default seccomp
# profile, sets no_new_privs and makes a cgroup (bwrap has no cgroup and a
# seccomp filter only when given one with --seccomp FD).  `skiff sandbox`
# without --read-only (its default: / behind a private overlay, writes
# vanish) has a row of its own; Debian 12's bwrap (0.8) has no overlay.
# Rounds alternate (skiff bwrap ... skiff bwrap ...); medians and 90th
# percentiles are reported.  Writes $RESULTS/sandbox.md and prints it.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
SKIFF=${SKIFF:-$REPO/skiff}
RUNS=${RUNS:-100}
BUILD_RUNS=${BUILD_RUNS:-5}
FILES=${FILES:-40}
RESULTS=${RESULTS:-$BENCH/results}
NOTE=${NOTE:-}

[ "$(id -u)" -eq 0 ] || { echo "bench/sandbox.sh: run as root" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "bench/sandbox.sh: bwrap missing (apt-get install bubblewrap, tools/deps.sh)" >&2; exit 1; }
[ -x "$SKIFF" ] || { echo "bench/sandbox.sh: $SKIFF missing (make)" >&2; exit 1; }

# skiff's cgroups and state below a private mount + cgroup namespace, its
# cgroup hierarchies remounted there (as tests/run.sh does): the cgroups
# skiff makes sit below the bench's own cgroup
if [ -z "${SANDBOX_BENCH_INNER:-}" ]; then
	export SANDBOX_BENCH_INNER=1
	exec unshare --mount --cgroup --propagation private bash "$0" "$@"
fi
while read -r target opts fstype; do
	o="$(tr ',' '\n' <<<"$opts" | { grep -vxE 'rw|ro' || true; } | paste -sd, -)"
	umount -l "$target"
	mount -t "$fstype" ${o:+-o "$o"} "$fstype" "$target"
done < <(findmnt -rn -t cgroup,cgroup2 -o TARGET,FS-OPTIONS,FSTYPE)
STATE=$(mktemp -d /tmp/skiff-sandbox-bench.XXXXXX)
mount -t tmpfs tmpfs "$STATE"
WORK=$STATE/work
mkdir -p "$WORK" "$RESULTS"
trap 'cd /; umount -l "$STATE" 2>/dev/null; rm -rf "$STATE"' EXIT

skiff_sb() { (cd "$WORK" && "$SKIFF" --root "$STATE/root" sandbox --read-only -- "$@"); }
skiff_overlay_sb() { (cd "$WORK" && "$SKIFF" --root "$STATE/root" sandbox -- "$@"); }
bwrap_sb() {
	(cd "$WORK" && bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp \
		--bind "$WORK" "$WORK" --unshare-all --die-with-parent --new-session \
		--cap-drop ALL --chdir "$WORK" -- "$@")
}
bare() { (cd "$WORK" && "$@"); }
systemd_sb() { (cd "$WORK" && systemd-run --quiet --scope --collect -- "$@"); }

now() { echo "${EPOCHREALTIME/./}"; }   # microseconds

# median and 90th percentile of microsecond numbers on stdin, in ms
median_p90_ms() {
	sort -n | awk '{a[NR] = $1} END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		p = a[int(NR * 0.9 + 0.999)]; printf "%.2f | %.2f", m / 1000, p / 1000}'
}

runners=(skiff_sb bwrap_sb skiff_overlay_sb bare)
[ -d /run/systemd/system ] && command -v systemd-run >/dev/null && runners+=(systemd_sb)

declare -A t_true t_build
for r in "${runners[@]}"; do t_true[$r]=; t_build[$r]=; done

echo "start-up: $RUNS rounds of true" >&2
for r in "${runners[@]}"; do "$r" true; done   # warm-up
for ((i = 0; i < RUNS; i++)); do
	for r in "${runners[@]}"; do
		s=$(now); "$r" true; e=$(now)
		t_true[$r]+="$((e - s)) "
	done
done

# the project: FILES small C files and a Makefile
mkdir -p "$WORK/src"
for ((f = 0; f < FILES; f++)); do
	cat >"$WORK/src/f$f.c" <<EOF
#include <stdio.h>
#include <string.h>
static int table[256];
int f$f(const char *s) { int h = $f; for (size_t i = 0; i < strlen(s); i++) h = h * 31 + table[(unsigned char)s[i]] + s[i]; return h; }
EOF
done
{
	printf 'int main(void) { return 0; }\n'
} >"$WORK/src/main.c"
cat >"$WORK/Makefile" <<'EOF'
SRCS := $(wildcard src/*.c)
OBJS := $(SRCS:.c=.o)
prog: $(OBJS)
	$(CC) -o $@ $^
%.o: %.c
	$(CC) -O2 -c -o $@ $<
clean:
	rm -f src/*.o prog
EOF

echo "build: $BUILD_RUNS rounds of make -j2 ($FILES files)" >&2
for ((i = 0; i < BUILD_RUNS; i++)); do
	for r in "${runners[@]}"; do
		bare make -s clean
		s=$(now); "$r" make -s -j2 >/dev/null; e=$(now)
		t_build[$r]+="$((e - s)) "
	done
done

{
	echo "# skiff sandbox vs bwrap ($(date -u +%Y-%m-%d), $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
	echo
	[ -z "$NOTE" ] || { echo "$NOTE"; echo; }
	echo "| runner | \`true\` median ms | p90 ms | make -j2 of $FILES files median ms | p90 ms |"
	echo "|---|---:|---:|---:|---:|"
	declare -A label=([skiff_sb]="skiff sandbox --read-only" [bwrap_sb]="bwrap (same options)"
		[skiff_overlay_sb]="skiff sandbox (overlay on /)" [bare]="no sandbox"
		[systemd_sb]="systemd-run --scope")
	for r in "${runners[@]}"; do
		printf '| %s | %s | %s |\n' "${label[$r]}" \
			"$(tr ' ' '\n' <<<"${t_true[$r]}" | grep . | median_p90_ms)" \
			"$(tr ' ' '\n' <<<"${t_build[$r]}" | grep . | median_p90_ms)"
	done
	echo
	echo "$RUNS rounds of \`true\`, $BUILD_RUNS of the build, runners alternating within each round."
	echo "skiff: $("$SKIFF" --version | head -1); $(bwrap --version)."
	[ -d /run/systemd/system ] || echo "systemd-run --scope: not measured (systemd is not running here)."
} >"$RESULTS/sandbox.md"
cat "$RESULTS/sandbox.md"
