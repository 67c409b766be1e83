#!/bin/bash
# skiff at scale: N containers started at once, skiff vs crun vs runc.
#
#   sudo bench/scale.sh        (root; ~10 minutes with the defaults)
#
# For each N of SCALE_N (default "100 500 1000") and each runtime of RUNTIMES
# (default "crun runc skiff"), in one private mount + cgroup namespace whose
# /sys/fs/cgroup is cgroup2 (as bench/run.sh), on a `runc spec` bundle running
# /bin/sleep:
#   create  N `create`, at most PAR at once (default: PAR=N, all at once)
#   start   N `start`, likewise
#   exec    N `exec ID /bin/true`, one into each container
#   delete  N `delete --force`
# bench/pool.c runs each phase and times every command.  Reported per N and runtime:
# throughput (N / wall time of create+start, containers per second), p50 and p99
# of each command, failures, CPU time per container (user + system of the runtime's
# commands, create + start; with the wall time it tells CPU-bound from waiting), the host's peak memory (largest drop of MemAvailable
# below its value before create, and the peak of this session's memory cgroup,
# which the containers stay in: the runtimes' cgroups are made on the cgroup2
# mount, which holds no memory controller on a v1 host), the time to clean up
# (the delete phase) and what is left behind after it (state dirs, cgroups).
#
# Environment: SCALE_N, RUNTIMES, PAR (bound on parallel commands; default N),
# TIMEOUT (seconds per command, default 120), SKIFF, NO_APT, NO_BUILD, RESULTS
# (default bench/results).  Writes RESULTS/scale.md, scale.tsv and scale.png.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
SKIFF=${SKIFF:-$REPO/skiff}
RUNTIMES=${RUNTIMES:-crun runc skiff}
SCALE_N=${SCALE_N:-100 500 1000}
RESULTS=${RESULTS:-$BENCH/results}
. "$BENCH/common.sh"

[ -n "${SKIFF_BENCH_INNER:-}" ] || bench_outside "$@"
bench_inside
bench_cc "$W/pool" "$BENCH/pool.c" || die "cannot build pool"
bench_drop_pages
bench_rootfs
bench_spec
bundle b-true '.'
bundle b-sleep '.process.args = ["/bin/sleep", "3600"]'
bench_active

# This session's memory cgroup (v1), seen through its own mount: the cgroup
# namespace makes it the root, so usage_in_bytes is the session's.  Read only.
CG=
if mkdir -p "$W/memcg" && mount -t cgroup -o memory,ro none "$W/memcg" 2>/dev/null; then
	[ -r "$W/memcg/memory.usage_in_bytes" ] && CG=$W/memcg/memory.usage_in_bytes
elif [ -r /sys/fs/cgroup/memory.current ]; then
	CG=/sys/fs/cgroup/memory.current # a cgroup2 host
fi

TSV=$W/scale.tsv
: >"$TSV"
# percentile P of the latencies of ok commands in FILE (nearest rank)
pct() { awk '$2 == 0 { print $3 }' "$1" | sort -n | awk -v p="$2" '{ v[NR] = $1 }
	END { if (!NR) { print "nan"; exit } i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; printf "%.2f", v[i] }'; }
memavail() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
kv() { sed -n "s/.*\\b$2=\\([-0-9.]*\\).*/\\1/p" "$1"; }

for n in $SCALE_N; do
	par=${PAR:-$n}
	for rt in "${ACTIVE[@]}"; do
		b=${BIN[$rt]}
		R=$W/run/scale-$rt
		mkdir -p "$R"
		ids=$(seq -f "${PFX}-$n-%g" 1 "$n")
		say "bench: scale $rt N=$n PAR=$par"
		base=$(memavail) drop=0 cg0=-1 cg=-1
		[ -z "$CG" ] || cg0=$(($(cat "$CG") / 1024))
		for phase in create start exec delete; do
			case $phase in
			create) cmd="$b --root $R create --bundle $W/b-sleep" tail= ;;
			start) cmd="$b --root $R start" tail= ;;
			exec) cmd="$b --root $R exec" tail=" /bin/true" ;;
			delete) cmd="$b --root $R delete --force" tail= ;;
			esac
			s=$W/sum.$rt.$n.$phase
			l=$W/lat.$rt.$n.$phase
			printf '%s\n' $ids | sed "s|^|$cmd |; s|\$|$tail|" |
				"$W/pool" -p "$par" -t "${TIMEOUT:-120}" -b "$base" ${CG:+-c "$CG"} \
					-e "$W/err.$rt.$n.$phase" "$l" >"$s"
			d=$(kv "$s" memavail_drop_kb) c=$(kv "$s" cg_peak_kb)
			[ "$d" -le "$drop" ] || drop=$d
			[ "$c" -le "$cg" ] || cg=$c
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$rt" "$phase" "$(kv "$s" wall_ms)" \
				"$(kv "$s" ok)" "$(kv "$s" fail)" "$(pct "$l" 50)" "$(pct "$l" 99)" "$(kv "$s" cpu_ms)" >>"$TSV"
		done
		# what the delete phase left: state directories, cgroups of ours
		left_state=$(find "$R" -mindepth 1 -maxdepth 1 -name "${PFX}-*" | wc -l)
		left_cg=$(find /sys/fs/cgroup -mindepth 1 -type d -name "*${PFX}-*" | wc -l)
		[ "$cg0" -lt 0 ] || cg=$((cg - cg0))
		printf '%s\t%s\tsummary\t%s\t%s\t%s\t%s\t-\t-\n' "$n" "$rt" "$drop" "$cg" "$left_state" "$left_cg" >>"$TSV"
		for d in "$R"/*/; do # leftovers out of the way of the next runtime
			[ ! -d "$d" ] || timeout 20 "$b" --root "$R" delete -f "$(basename "$d")" >/dev/null 2>&1 || true
		done
		find /sys/fs/cgroup -depth -mindepth 1 -type d -name "*${PFX}-*" -exec rmdir {} + 2>/dev/null || true
	done
done

mkdir -p "$RESULTS"
cp "$TSV" "$RESULTS/scale.tsv"
rm -rf "$RESULTS/scale-logs" && mkdir -p "$RESULTS/scale-logs"
for f in "$W"/err.*; do [ ! -s "$f" ] || head -n 20 "$f" >"$RESULTS/scale-logs/${f##*/err.}"; done
"$BENCH/scale-report.sh" "$TSV" "$RESULTS" "$(bench_machine); PAR=${PAR:-N}"
cat "$RESULTS/scale.md"
