#!/bin/bash
# skiff sandbox side by side with bubblewrap (bwrap) and, where systemd
# runs, systemd-run --scope: start-up time of `true` and a small real
# build (compiling a generated C project with make -j2).
#
#   sudo bench/sandbox.sh         (root; ~2 minutes; run it on a quiet machine)
#
# Environment: RUNS (rounds of `true`, default 50), BUILD_RUNS (rounds of the
# build, default 5), FILES (C files of the project, default 40), SKIFF (binary,
# default ./skiff of the repo), RESULTS (directory, default bench/results).
#
# Equivalent options: both get the host's / read-only, the working directory
# writable, a fresh /tmp, /dev and /proc, new user-visible namespaces (mount,
# pid, ipc, uts, network, cgroup) and no capabilities.  Differences that stay:
# skiff also loads its default seccomp profile and makes a cgroup (bwrap has
# no cgroup and a seccomp filter only when given one with --seccomp FD).
# Rounds alternate (skiff bwrap skiff ...); medians are reported.  Writes
# $RESULTS/sandbox.md and prints it.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
SKIFF=${SKIFF:-$REPO/skiff}
RUNS=${RUNS:-50}
BUILD_RUNS=${BUILD_RUNS:-5}
FILES=${FILES:-40}
RESULTS=${RESULTS:-$BENCH/results}

[ "$(id -u)" -eq 0 ] || { echo "bench/sandbox.sh: run as root" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "bench/sandbox.sh: bwrap missing (apt-get install bubblewrap, tools/deps.sh)" >&2; exit 1; }
[ -x "$SKIFF" ] || { echo "bench/sandbox.sh: $SKIFF missing (make)" >&2; exit 1; }

# skiff's cgroups and state below a private mount + cgroup namespace
if [ -z "${SANDBOX_BENCH_INNER:-}" ]; then
	export SANDBOX_BENCH_INNER=1
	exec unshare --mount --cgroup --propagation private "$0" "$@"
fi
STATE=$(mktemp -d /tmp/skiff-sandbox-bench.XXXXXX)
mount -t tmpfs tmpfs "$STATE"
WORK=$STATE/work
mkdir -p "$WORK" "$RESULTS"
trap 'cd /; umount -l "$STATE" 2>/dev/null; rm -rf "$STATE"' EXIT

skiff_sb() { (cd "$WORK" && "$SKIFF" --root "$STATE/root" sandbox -- "$@"); }
bwrap_sb() {
	(cd "$WORK" && bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp \
		--bind "$WORK" "$WORK" --unshare-all --die-with-parent --new-session \
		--cap-drop ALL --chdir "$WORK" -- "$@")
}
bare() { (cd "$WORK" && "$@"); }
systemd_sb() { (cd "$WORK" && systemd-run --quiet --scope --collect -- "$@"); }

now() { echo "${EPOCHREALTIME/./}"; }   # microseconds

# median of microsecond numbers on stdin, in ms with 2 decimals
median_ms() { sort -n | awk '{a[NR] = $1} END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m / 1000}'; }

runners=(skiff_sb bwrap_sb bare)
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
	echo "| runner | \`true\` median ms ($RUNS) | make -j2 of $FILES files median ms ($BUILD_RUNS) |"
	echo "|---|---:|---:|"
	for r in "${runners[@]}"; do
		printf '| %s | %s | %s |\n' "${r%_sb}" \
			"$(tr ' ' '\n' <<<"${t_true[$r]}" | grep . | median_ms)" \
			"$(tr ' ' '\n' <<<"${t_build[$r]}" | grep . | median_ms)"
	done
	echo
	echo "skiff: $("$SKIFF" --version | head -1); $(bwrap --version)."
	[ -d /run/systemd/system ] || echo "systemd-run --scope: n/a (systemd not running here)."
} >"$RESULTS/sandbox.md"
cat "$RESULTS/sandbox.md"
