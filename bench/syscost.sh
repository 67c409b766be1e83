#!/bin/bash
# The cost a runtime's seccomp filter puts on every system call of the workload.
#
#   sudo bench/syscost.sh      (root; ~1 minute)
#
# bench/syscost.c (static) times getpid(), read(0, buf, 0) and personality(0xffffffff)
# in a container, ns per call (median of ROUNDS rounds of CALLS calls), with no seccomp
# filter ("none") and with skiff's default profile ("default": `skiff spec`'s
# linux.seccomp, the same config.json for the three runtimes), skiff vs crun vs runc,
# and on the host outside any container for reference.  Every runtime runs in one
# private mount + cgroup namespace whose /sys/fs/cgroup is cgroup2 (as bench/run.sh),
# runtimes and profiles alternating, REPS times; the table has the median of the reps.
#
# getpid and read are allowed whatever their arguments: Linux >= 5.11 decides them
# once per syscall number (the seccomp action cache) and skips the filter after.
# personality is allowed for a few argument values only, so the filter runs at every
# call: its cost shows the filter's shape (libseccomp's binary tree or a linear list).
#
# Environment: CALLS (default 200000), ROUNDS (default 7), REPS (default 5),
# RUNTIMES (default "crun runc skiff"), SKIFF, NO_APT, NO_BUILD, RESULTS (default
# bench/results).  Writes RESULTS/syscost.md, syscost.tsv and syscost.png.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
SKIFF=${SKIFF:-$REPO/skiff}
RUNTIMES=${RUNTIMES:-crun runc skiff}
CALLS=${CALLS:-200000}
ROUNDS=${ROUNDS:-7}
REPS=${REPS:-5}
RESULTS=${RESULTS:-$BENCH/results}
. "$BENCH/common.sh"

[ -n "${SKIFF_BENCH_INNER:-}" ] || bench_outside "$@"
bench_inside
[ -x "${BIN[skiff]}" ] || die "skiff ($SKIFF) is needed for its default profile"
bench_drop_pages
bench_rootfs
bench_cc "$ROOTFS/syscost" "$BENCH/syscost.c" || die "cannot build syscost"
bench_spec
mkdir -p "$W/prof" && (cd "$W/prof" && "${BIN[skiff]}" spec) || die "skiff spec failed"
jq '.linux.seccomp' "$W/prof/config.json" >"$W/default.json"
[ "$(jq -r .defaultAction "$W/default.json")" != null ] || die "skiff spec has no linux.seccomp"
bundle b-true '.'
args=$(jq -cn --arg c "$CALLS" --arg r "$ROUNDS" '["/syscost", $c, $r]')
bundle b-none ".process.args = $args | del(.linux.seccomp)"
bundle b-default ".process.args = $args | .linux.seccomp = $(cat "$W/default.json")"
bench_active

TSV=$W/syscost.tsv
: >"$TSV"
line() { # RT PROFILE OUTPUT
	local g r p
	g=$(sed -n 's/.*getpid_ns=\([0-9.]*\).*/\1/p' <<<"$3")
	r=$(sed -n 's/.*read_ns=\([0-9.]*\).*/\1/p' <<<"$3")
	p=$(sed -n 's/.*personality_ns=\([0-9.]*\).*/\1/p' <<<"$3")
	if [ -n "$g" ] && [ -n "$r" ] && [ -n "$p" ]; then
		printf '%s\t%s\tok\t%s\t%s\t%s\t-\n' "$1" "$2" "$g" "$r" "$p" >>"$TSV"
	else
		printf '%s\t%s\tna\t-\t-\t-\t%s\n' "$1" "$2" "$(printf '%s' "$3" | head -n1 | tr '|\t' '  ')" >>"$TSV"
	fi
}
for rep in $(seq "$REPS"); do
	say "bench: syscost round $rep/$REPS"
	line host none "$("$ROOTFS/syscost" "$CALLS" "$ROUNDS" </dev/null 2>&1)"
	for rt in "${ACTIVE[@]}"; do
		R=$W/run/state-$rt
		for prof in none default; do
			id=${PFX}-$rep-$prof
			out=$(timeout 120 "${BIN[$rt]}" --root "$R" run --bundle "$W/b-$prof" "$id" </dev/null 2>&1) || true
			line "$rt" "$prof" "$out"
			[ ! -e "$R/$id" ] || timeout 20 "${BIN[$rt]}" --root "$R" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
done

mkdir -p "$RESULTS"
cp "$TSV" "$RESULTS/syscost.tsv"
"$BENCH/syscost-report.sh" "$TSV" "$RESULTS" "$(bench_machine); CALLS=$CALLS ROUNDS=$ROUNDS REPS=$REPS"
cat "$RESULTS/syscost.md"
