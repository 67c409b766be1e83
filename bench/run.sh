#!/bin/bash
# skiff benchmark: skiff side by side with crun, runc and a floor program.
#
#   sudo bench/run.sh            (root; ~5 minutes)
#
# Environment: RUNS (timed rounds per scenario, default 100), WARM (warm-up rounds,
# default 5), PAR (parallel containers, default 50), PAR_RUNS (rounds of the parallel
# scenario, default 10), SKIFF (runtime binary, default ./skiff of the repo),
# RUNTIMES (subset, default "floor crun runc skiff"), TIMEOUT (seconds before a hung
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
# not).  Runtimes alternate run by run (floor crun runc skiff floor crun ...), medians
# are reported with their ratio to the floor measured in the same alternation.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
RUNS=${RUNS:-100}
WARM=${WARM:-5}
PAR=${PAR:-50}
PAR_RUNS=${PAR_RUNS:-10}
SKIFF=${SKIFF:-$REPO/skiff}
RUNTIMES=${RUNTIMES:-floor crun runc skiff}
RESULTS=${RESULTS:-$BENCH/results}

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

# ---------------------------------------------------------------- outside: setup
if [ -z "${SKIFF_BENCH_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || die "run as root (namespaces, mounts, cgroups)"
	pkgs="runc crun gnuplot-nox strace jq busybox-static gcc libc6-dev musl-tools binutils util-linux"
	missing=
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		[ -z "${NO_APT:-}" ] || die "missing packages:$missing (NO_APT is set)"
		say "bench: installing$missing"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
			die "apt-get install$missing failed"
	fi
	if [ ! -x "$SKIFF" ] && [ -z "${NO_BUILD:-}" ] && [ "$SKIFF" = "$REPO/skiff" ] &&
		[ -f "$REPO/Makefile" ]; then
		say "bench: building skiff (make)"
		make -C "$REPO" -s skiff >/dev/null 2>&1 || say "bench: make failed; skiff is left out"
	fi
	# Never leave the cgroup we started in: a new cgroup namespace makes it "/".
	exec unshare --cgroup --mount --propagation private \
		env SKIFF_BENCH_INNER=1 SKIFF="$SKIFF" RUNTIMES="$RUNTIMES" "$0" "$@"
fi

# ---------------------------------------------------------------- inside the namespace
umount -l /sys/fs/cgroup 2>/dev/null || true
mount -t cgroup2 none /sys/fs/cgroup || die "cannot mount cgroup2 on /sys/fs/cgroup"

W=$(mktemp -d /tmp/skiff-bench.XXXXXX)
PFX=skb$$ # every container id starts with it
declare -A BIN
BIN[crun]=$(command -v crun || true)
BIN[runc]=$(command -v runc || true)
BIN[skiff]=$SKIFF

cleanup() {
	set +e
	for rt in crun runc skiff; do
		for root in "$W"/run/state-$rt "$W"/run/cold-$rt; do
			[ -d "$root" ] || continue
			for d in "$root"/*/; do
				[ -d "$d" ] || continue
				id=$(basename "$d")
				timeout 20 "${BIN[$rt]}" --root "$root" delete -f "$id" >/dev/null 2>&1
			done
		done
	done
	# cgroups a killed runtime may have left (ours all start with $PFX)
	find /sys/fs/cgroup -depth -mindepth 1 -type d -name "$PFX*" -exec rmdir {} + 2>/dev/null
	grep -o " $W[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The runtimes' state roots on a tmpfs, as /run is where engines keep them:
# on ext4 the inode allocator's scan for recently deleted inodes grows with
# every container made and removed, and would time the disk, not the runtime.
mkdir -p "$W/run" && mount -t tmpfs -o mode=700 skiff-bench-run "$W/run" ||
	die "cannot mount a tmpfs for the state roots"

# ---------------------------------------------------------------- builds, rootfs, bundles
gcc -O2 -Wall -o "$W/floor" "$BENCH/floor.c" || die "cannot build floor"
# The runner static (musl, else glibc): a spawned command starts with the
# runner's pages and the kernel keeps that peak in its ru_maxrss across exec,
# so a dynamic runner (~1.6 MB) would hide any runtime smaller than itself.
musl-gcc -O2 -Wall -static -o "$W/runner" "$BENCH/runner.c" 2>/dev/null ||
	gcc -O2 -Wall -static -o "$W/runner" "$BENCH/runner.c" 2>/dev/null ||
	gcc -O2 -Wall -o "$W/runner" "$BENCH/runner.c" || die "cannot build runner"
BIN[floor]=$W/floor
declare -A SRC=([crun]=${BIN[crun]} [runc]=${BIN[runc]} [skiff]=$SKIFF)
# measure a snapshot: a `make` running beside the benchmark must not swap the binary
if [ -x "$SKIFF" ]; then
	cp "$SKIFF" "$W/skiff" && BIN[skiff]=$W/skiff
fi
# Every binary run from the page cache as an installed one is: written back,
# then dropped, so that its pages come in by readahead (crun and runc from
# /usr/bin already do).  A file just written sits in the large folios of the
# write, which a fault maps whole: a fresh copy would be charged every page.
for b in "${BIN[@]}"; do
	[ -f "$b" ] && sync "$b" && dd if="$b" iflag=nocache count=0 status=none
done

ROOTFS=$W/rootfs
mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/tmp" "$ROOTFS/mnt"
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in $("$ROOTFS/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$ROOTFS/bin/$a"
done
# /bin/true: a tiny static exit(0) (busybox's applet when it cannot be built)
rm -f "$ROOTFS/bin/true"
gcc -O2 -static -nostdlib -o "$ROOTFS/bin/true" "$BENCH/true.c" 2>/dev/null ||
	ln -sf busybox "$ROOTFS/bin/true"
mkdir -p "$W/share" && echo hello >"$W/share/file"

bundle() { # NAME JQ-FILTER
	mkdir -p "$W/$1"
	jq --arg root "$ROOTFS" "$BASE_FILTER | $2" "$W/spec.json" >"$W/$1/config.json"
}
(cd "$W" && runc spec && mv config.json spec.json) || die "runc spec failed"
BASE_FILTER='.process.args = ["/bin/true"] | .process.terminal = false
	| del(.linux.resources.devices) | .root.path = $root'
bundle b-true '.'
bundle b-sleep '.process.args = ["/bin/sleep", "600"]'
jq . "$BENCH/seccomp-300.json" >"$W/seccomp.json"
bundle b-seccomp ".linux.seccomp = $(cat "$W/seccomp.json")"
mounts=$(jq -n --arg share "$W/share" '[range(40) | if . % 2 == 0
	then {destination: "/mnt/t\(.)", type: "tmpfs", source: "tmpfs", options: ["nosuid","nodev","size=64k"]}
	else {destination: "/mnt/b\(.)", type: "bind", source: $share, options: ["rbind","ro"]} end]')
bundle b-mounts ".mounts += $mounts"

# ---------------------------------------------------------------- which runtimes
declare -A NOTE # runtime -> why it is left out entirely
ACTIVE=()
for rt in $RUNTIMES; do
	bin=${BIN[$rt]:-}
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then
		NOTE[$rt]="not built ($bin missing)"
	elif [ "$rt" != floor ]; then
		mkdir -p "$W/run/state-$rt"
		if ! out=$(timeout 30 "$bin" --root "$W/run/state-$rt" run --bundle "$W/b-true" "${PFX}check-$rt" 2>&1 </dev/null); then
			NOTE[$rt]="\`run\` of the default bundle fails: $(printf '%s' "$out" | head -n1 | tr '|\t' '  ')"
			timeout 20 "$bin" --root "$W/run/state-$rt" delete -f "${PFX}check-$rt" >/dev/null 2>&1 || true
		fi
	elif ! "$bin" "$ROOTFS"; then
		NOTE[$rt]="floor program fails"
	fi
	if [ -n "${NOTE[$rt]:-}" ]; then
		say "bench: NOTE: $rt left out: ${NOTE[$rt]}"
	else
		ACTIVE+=("$rt")
	fi
done
[ ${#ACTIVE[@]} -gt 0 ] || die "no runtime to measure"
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

F="${BIN[floor]} $ROOTFS"

# 1. run /bin/true, default config
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	case $rt in
	floor) pl floor 1 - "$F" - ;;
	*) pl "$rt" 1 - "${BIN[$rt]} --root $R run --bundle $W/b-true {id}" "$(post_delete "$rt" "$R" "{id}")" ;;
	esac
done | scenario run "$RUNS"

# 2. run with a 300-rule seccomp profile: first run (empty state root, so no cached
# filter) and cached (a state root kept across runs)
for mode in first cached; do
	for rt in "${ACTIVE[@]}"; do
		if [ $mode = first ]; then R=$W/run/cold-$rt; else R=$W/run/state-$rt; fi
		case $rt in
		floor) pl floor 1 - "$F" - ;;
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
	floor) pl floor 1 - "$F" - ;;
	*) pl "$rt" 1 - "$b --root $R create --bundle $W/b-true {id} ;; $b --root $R start {id} ;; $b --root $R delete --force {id}" \
		"$(post_delete "$rt" "$R" "{id}")" ;;
	esac
done | scenario create-start-delete "$RUNS"

# 4. exec /bin/true into a running container (one per runtime, made beforehand)
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	case $rt in
	floor) pl floor 1 - "$F" - ;;
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
	[ "$rt" = floor ] || timeout 20 "${BIN[$rt]}" --root "$W/run/state-$rt" delete -f "${PFX}exec-$rt" >/dev/null 2>&1 || true
done

# 5. PAR containers started at once (run -d of sleep): time until all run
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	case $rt in
	floor) pl floor "$PAR" - "$F" - ;;
	*) pl "$rt" "$PAR" - "${BIN[$rt]} --root $R run -d --bundle $W/b-sleep {id}" "$(post_delete "$rt" "$R" "{ids}")" ;;
	esac
done | scenario "parallel-$PAR" "$PAR_RUNS"

# 6. a config with 40 more mounts (20 tmpfs, 20 read-only binds)
for rt in "${ACTIVE[@]}"; do
	R=$W/run/state-$rt
	case $rt in
	floor) pl floor 1 - "$F" - ;;
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
	"$(uname -r), $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"); RUNS=$RUNS WARM=$WARM PAR_RUNS=$PAR_RUNS; $(date -u +%Y-%m-%dT%H:%MZ)"
cat "$RESULTS/results.md"
