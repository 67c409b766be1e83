#!/bin/bash
# skiff benchmark: skiff side by side with crun, runc and a floor program.
#
#   sudo bench/run.sh            (root; ~5 minutes)
#
# Environment: RUNS (timed rounds per scenario, default 100), WARM (warm-up rounds,
# default 5), PAR (parallel containers, default 50), PAR_RUNS (rounds of the parallel
# scenario, default 10), SKIFF (runtime binary, default ./skiff of the repo),
# RUNTIMES (subset, default "floor floor-cfg floor-dyn crun runc skiff"), TIMEOUT (seconds before a hung
# command is killed and its runtime reported n/a, default 30), NO_APT=1 (never call apt-get),
# NO_BUILD=1 (never run make), SCENARIOS (subset by name, e.g. "run seccomp-first";
# default all), RESULTS (output directory, default bench/results).
#
# Writes bench/results/results.md (Markdown table), results.tsv (raw medians) and
# chart.png (gnuplot), and prints the table.  State roots (--root) are on a tmpfs,
# as /run is for engines.  Every runtime runs in one private mount
# + cgroup namespace whose /sys/fs/cgroup is a cgroup2 mount, on the same config:
# `runc spec` with args ["/bin/true"], terminal false and no linux.resources.devices
# (crun 1.8.1's eBPF device filter needs to raise RLIMIT_MEMLOCK, which root here may
# not).  Runtimes alternate run by run (floor floor-dyn crun runc skiff floor ...),
# medians are reported with their ratio to the floor measured in the same alternation.
# The floor is bench/floor.c built static (musl-gcc, else gcc -static): the limit;
# floor-dyn is the same program dynamic on glibc, the floor of the earlier reports.
# floor-cfg is the static floor doing also the kernel work the default config asks for
# (mounts, devices, masked paths, cgroup, capabilities: see bench/floor.c), so that
# skiff / floor-cfg is what the runtime itself adds.
#
# bench/all.sh runs this and the other families (scale, syscost, timeline) in turn.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
RUNS=${RUNS:-100}
WARM=${WARM:-5}
PAR=${PAR:-50}
PAR_RUNS=${PAR_RUNS:-10}
SKIFF=${SKIFF:-$REPO/skiff}
RUNTIMES=${RUNTIMES:-floor floor-cfg floor-dyn crun runc skiff}
RESULTS=${RESULTS:-$BENCH/results}

. "$BENCH/common.sh"

# ---------------------------------------------------------------- outside: setup
[ -n "${SKIFF_BENCH_INNER:-}" ] || bench_outside "$@"

# ---------------------------------------------------------------- inside the namespace
bench_inside

# ---------------------------------------------------------------- builds, rootfs, bundles
# The floor static (musl, else glibc), the limit a runtime is measured against,
# and dynamic (glibc, the floor of the earlier reports) beside it.
bench_cc "$W/floor" "$BENCH/floor.c" || die "cannot build floor"
cp "$W/floor" "$W/floor-cfg" # the name selects its config mode
gcc -O2 -Wall -o "$W/floor-dyn" "$BENCH/floor.c" || die "cannot build floor-dyn"
# The runner static too: a spawned command starts with the runner's pages and
# the kernel keeps that peak in its ru_maxrss across exec, so a dynamic runner
# (~1.6 MB) would hide any runtime smaller than itself.
bench_cc "$W/runner" "$BENCH/runner.c" ||
	gcc -O2 -Wall -o "$W/runner" "$BENCH/runner.c" || die "cannot build runner"
BIN[floor]=$W/floor
BIN[floor-cfg]=$W/floor-cfg
BIN[floor-dyn]=$W/floor-dyn
bench_drop_pages
bench_rootfs
mkdir -p "$W/share" && echo hello >"$W/share/file"

bench_spec
bundle b-true '.'
bundle b-sleep '.process.args = ["/bin/sleep", "600"]'
jq . "$BENCH/seccomp-300.json" >"$W/seccomp.json"
bundle b-seccomp ".linux.seccomp = $(cat "$W/seccomp.json")"
mounts=$(jq -n --arg share "$W/share" '[range(40) | if . % 2 == 0
	then {destination: "/mnt/t\(.)", type: "tmpfs", source: "tmpfs", options: ["nosuid","nodev","size=64k"]}
	else {destination: "/mnt/b\(.)", type: "bind", source: $share, options: ["rbind","ro"]} end]')
bundle b-mounts ".mounts += $mounts"

# ---------------------------------------------------------------- which runtimes
bench_active
say "bench: measuring ${ACTIVE[*]} (RUNS=$RUNS WARM=$WARM PAR=$PAR)"

OUT=$W/results.tsv
ERR=$W/err
mkdir -p "$ERR"
: >"$OUT"

# rm a leftover state directory (the timed command failed half-way)
post_delete() { # RT ROOT IDS...
	echo "for i in $3; do [ ! -e $2/\$i ] || timeout 20 ${BIN[$1]} --root $2 delete -f \$i; done"
}

# plan_line RT PAR PRE TIMED POST
pl() { printf '%s\t%s\t%s\t%s\t%s\n' "$@"; }

# scenario NAME RUNS -- writes the plan on stdin to a file and runs it
scenario() {
	local name=$1 runs=$2
	cat >"$W/plan.$name"
	if [ -n "${SCENARIOS:-}" ] && [[ " $SCENARIOS " != *" $name "* ]]; then
		return 0
	fi
	"$W/runner" -s "$name" -w "$WARM" -n "$runs" -t "${TIMEOUT:-30}" -e "$ERR" -o "$OUT" "$W/plan.$name"
}
na() { printf '%s\t%s\tna\t0\t0\t-\t-\t-\t-\t-\t%s\n' "$1" "$2" "$3" >>"$OUT"; }


# 1. run /bin/true, default config
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	case $rt in
	floor*) pl "$rt" 1 - "${BIN[$rt]} $ROOTFS" - ;;
	*) pl "$rt" 1 - "${BIN[$rt]} --root $R run --bundle $W/b-true {id}" "$(post_delete "$rt" "$R" "{id}")" ;;
	esac
done | scenario run "$RUNS"

# 2. run with a 300-rule seccomp profile: first run (empty state root, so no cached
# filter) and cached (a state root kept across runs)
for mode in first cached; do
	for rt in "${ACTIVE[@]}"; do
		if [ $mode = first ]; then R=$W/run/cold-$rt; else R=$W/run/state-$rt; fi
		case $rt in
		floor*) pl "$rt" 1 - "${BIN[$rt]} $ROOTFS" - ;;
		*)
			post=$(post_delete "$rt" "$R" "{id}")
			[ $mode = first ] && post="$post; rm -rf $R"
			pl "$rt" 1 - "${BIN[$rt]} --root $R run --bundle $W/b-seccomp {id}" "$post"
			;;
		esac
	done | scenario "seccomp-$mode" "$RUNS"
done

# 3. create + start + delete as three commands (youki's benchmark); delete --force
# because /bin/true may still be exiting when start returns.
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	b=${BIN[$rt]}
	case $rt in
	floor*) pl "$rt" 1 - "${BIN[$rt]} $ROOTFS" - ;;
	*) pl "$rt" 1 - "$b --root $R create --bundle $W/b-true {id} ;; $b --root $R start {id} ;; $b --root $R delete --force {id}" \
		"$(post_delete "$rt" "$R" "{id}")" ;;
	esac
done | scenario create-start-delete "$RUNS"

# 4. exec /bin/true into a running container (one per runtime, made beforehand)
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	case $rt in
	floor*) pl "$rt" 1 - "${BIN[$rt]} $ROOTFS" - ;;
	*)
		# stderr to a file: the detached container keeps it open
		if timeout 30 "${BIN[$rt]}" --root "$R" run -d --bundle "$W/b-sleep" "${PFX}exec-$rt" \
			</dev/null >/dev/null 2>"$ERR/exec-setup.$rt"; then
			pl "$rt" 1 - "${BIN[$rt]} --root $R exec ${PFX}exec-$rt /bin/true" -
		else
			na exec "$rt" "cannot start the container to exec into: $(head -n1 "$ERR/exec-setup.$rt" | tr '|\t' '  ')"
		fi
		;;
	esac
done | scenario exec "$RUNS"
for rt in "${ACTIVE[@]}"; do
	[[ $rt == floor* ]] || timeout 20 "${BIN[$rt]}" --root "$W/run/state-$rt" delete -f "${PFX}exec-$rt" >/dev/null 2>&1 || true
done

# 5. PAR containers started at once (run -d of sleep): time until all run
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	case $rt in
	floor*) pl "$rt" "$PAR" - "${BIN[$rt]} $ROOTFS" - ;;
	*) pl "$rt" "$PAR" - "${BIN[$rt]} --root $R run -d --bundle $W/b-sleep {id}" "$(post_delete "$rt" "$R" "{ids}")" ;;
	esac
done | scenario "parallel-$PAR" "$PAR_RUNS"

# 6. a config with 40 more mounts (20 tmpfs, 20 read-only binds)
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	case $rt in
	floor*) pl "$rt" 1 - "${BIN[$rt]} $ROOTFS" - ;;
	*) pl "$rt" 1 - "${BIN[$rt]} --root $R run --bundle $W/b-mounts {id}" "$(post_delete "$rt" "$R" "{id}")" ;;
	esac
done | scenario mounts-40 "$RUNS"

# runtimes left out entirely
for rt in $RUNTIMES; do
	[ -z "${NOTE[$rt]:-}" ] && continue
	for s in run seccomp-first seccomp-cached create-start-delete exec "parallel-$PAR" mounts-40; do
		na "$s" "$rt" "${NOTE[$rt]}"
	done
done

# binary sizes (as installed, and stripped)
: >"$W/sizes.tsv"
for rt in crun runc skiff; do
	bin=${BIN[$rt]:-}
	[ -n "$bin" ] && [ -x "$bin" ] || continue
	strip -o "$W/stripped" "$bin" 2>/dev/null || cp "$bin" "$W/stripped"
	printf '%s\t%s\t%s\t%s\n' "$rt" "${SRC[$rt]}" "$(stat -c %s "$bin")" "$(stat -c %s "$W/stripped")" >>"$W/sizes.tsv"
done

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS"
cp "$OUT" "$RESULTS/results.tsv"
rm -rf "$RESULTS/logs" && mkdir -p "$RESULTS/logs" # stderr of the runtimes, if any
for f in "$ERR"/*; do [ ! -s "$f" ] || cp "$f" "$RESULTS/logs/"; done
"$BENCH/report.sh" "$OUT" "$W/sizes.tsv" "$RESULTS" "$PAR" \
	"$(bench_machine); RUNS=$RUNS WARM=$WARM PAR_RUNS=$PAR_RUNS"
cat "$RESULTS/results.md"
