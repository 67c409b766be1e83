# bench/common.sh: the setup bench/run.sh, bench/scale.sh and bench/syscost.sh share.
# Sourced; the caller sets BENCH, REPO, SKIFF and RUNTIMES, and may set PKGS_EXTRA.
#
#   bench_outside "$@"   as root: install what is missing (unless NO_APT), build skiff
#                        (unless NO_BUILD), then re-execute the script in a private mount
#                        + cgroup namespace (never leaving the cgroup we started in: a new
#                        cgroup namespace makes it "/").  Returns only inside.
#   bench_inside         mount cgroup2 on /sys/fs/cgroup (crun needs it), make $W with a
#                        tmpfs $W/run for the state roots, set BIN[], the cleanup trap,
#                        copy skiff (a snapshot) and drop the binaries' pages.
#   bench_rootfs         $ROOTFS: busybox and a tiny static /bin/true.
#   bench_spec           $W/spec.json: `runc spec`, the base of every bundle.
#   bench_cc OUT SRC...  build a static program (musl-gcc, else gcc -static).

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

bench_outside() {
	[ "$(id -u)" = 0 ] || die "run as root (namespaces, mounts, cgroups)"
	local pkgs="runc crun gnuplot-nox strace jq busybox-static gcc libc6-dev musl-tools binutils util-linux ${PKGS_EXTRA:-}"
	local missing= p
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
	exec unshare --cgroup --mount --propagation private \
		env SKIFF_BENCH_INNER=1 SKIFF="$SKIFF" RUNTIMES="$RUNTIMES" "$0" "$@"
}

bench_cleanup() {
	set +e
	local rt root d
	for rt in crun runc skiff; do
		for root in "$W"/run/*-$rt; do
			[ -d "$root" ] || continue
			for d in "$root"/*/; do
				[ -d "$d" ] || continue
				timeout 20 "${BIN[$rt]}" --root "$root" delete -f "$(basename "$d")" >/dev/null 2>&1
			done
		done
	done
	# cgroups a killed runtime may have left (ours all start with $PFX)
	find /sys/fs/cgroup -depth -mindepth 1 -type d -name "$PFX*" -exec rmdir {} + 2>/dev/null
	grep -o " $W[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$W"
}

bench_inside() {
	umount -l /sys/fs/cgroup 2>/dev/null || true
	mount -t cgroup2 none /sys/fs/cgroup || die "cannot mount cgroup2 on /sys/fs/cgroup"
	W=$(mktemp -d /tmp/skiff-bench.XXXXXX)
	PFX=skb$$ # every container id starts with it
	declare -gA BIN SRC
	BIN[crun]=$(command -v crun || true)
	BIN[runc]=$(command -v runc || true)
	BIN[skiff]=$SKIFF
	SRC=([crun]=${BIN[crun]} [runc]=${BIN[runc]} [skiff]=$SKIFF)
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	# The runtimes' state roots on a tmpfs, as /run is where engines keep them:
	# on ext4 the inode allocator's scan for recently deleted inodes grows with
	# every container made and removed, and would time the disk, not the runtime.
	mkdir -p "$W/run" && mount -t tmpfs -o mode=700 skiff-bench-run "$W/run" ||
		die "cannot mount a tmpfs for the state roots"
	# measure a snapshot: a `make` running beside the benchmark must not swap the binary
	if [ -x "$SKIFF" ]; then
		cp "$SKIFF" "$W/skiff" && BIN[skiff]=$W/skiff
	fi
}

# Every binary run from the page cache as an installed one is: written back,
# then dropped, so that its pages come in by readahead (crun and runc from
# /usr/bin already do).  A file just written sits in the large folios of the
# write, which a fault maps whole: a fresh copy would be charged every page.
bench_drop_pages() {
	local b
	for b in "${BIN[@]}"; do
		[ -f "$b" ] && sync "$b" && dd if="$b" iflag=nocache count=0 status=none
	done
	return 0
}

bench_cc() { # OUT SRC... (extra flags after the sources are passed on)
	local out=$1
	shift
	musl-gcc -O2 -Wall -static -o "$out" "$@" 2>/dev/null ||
		gcc -O2 -Wall -static -o "$out" "$@"
}

bench_rootfs() {
	ROOTFS=$W/rootfs
	mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/tmp" "$ROOTFS/mnt"
	cp /bin/busybox "$ROOTFS/bin/busybox"
	local a
	for a in $("$ROOTFS/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$ROOTFS/bin/$a"
	done
	# /bin/true: a tiny static exit(0) (busybox's applet when it cannot be built)
	rm -f "$ROOTFS/bin/true"
	gcc -O2 -static -nostdlib -o "$ROOTFS/bin/true" "$BENCH/true.c" 2>/dev/null ||
		ln -sf busybox "$ROOTFS/bin/true"
}

BASE_FILTER='.process.args = ["/bin/true"] | .process.terminal = false
	| del(.linux.resources.devices) | .root.path = $root'

bench_spec() {
	(cd "$W" && runc spec && mv config.json spec.json) || die "runc spec failed"
}

bundle() { # NAME JQ-FILTER: $W/NAME/config.json from the spec, the base filter and this one
	mkdir -p "$W/$1"
	jq --arg root "$ROOTFS" "$BASE_FILTER | $2" "$W/spec.json" >"$W/$1/config.json"
}

# The runtimes of $RUNTIMES that `run` the default bundle $W/b-true: ACTIVE[],
# and NOTE[rt] saying why the others are left out.
bench_active() {
	declare -gA NOTE
	ACTIVE=()
	local rt bin out
	for rt in $RUNTIMES; do
		bin=${BIN[$rt]:-}
		if [ -z "$bin" ] || [ ! -x "$bin" ]; then
			NOTE[$rt]="not built ($bin missing)"
		elif [[ $rt == floor* ]]; then
			"$bin" "$ROOTFS" || NOTE[$rt]="floor program fails"
		else
			mkdir -p "$W/run/state-$rt"
			if ! out=$(timeout 30 "$bin" --root "$W/run/state-$rt" run --bundle "$W/b-true" "${PFX}check-$rt" 2>&1 </dev/null); then
				NOTE[$rt]="\`run\` of the default bundle fails: $(printf '%s' "$out" | head -n1 | tr '|\t' '  ')"
				timeout 20 "$bin" --root "$W/run/state-$rt" delete -f "${PFX}check-$rt" >/dev/null 2>&1 || true
			fi
		fi
		if [ -n "${NOTE[$rt]:-}" ]; then
			say "bench: NOTE: $rt left out: ${NOTE[$rt]}"
		else
			ACTIVE+=("$rt")
		fi
	done
	[ ${#ACTIVE[@]} -gt 0 ] || die "no runtime to measure"
}

bench_machine() { # the machine line of a report
	echo "$(uname -r), $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"); $(date -u +%Y-%m-%dT%H:%MZ)"
}

# bench_chart PNG SIZE TITLE DAT NCOL [GNUPLOT LINES...]: clustered bars, one group a
# row of the TAB-separated DAT (first column the label, header line the series names),
# NCOL series; extra lines (ylabel, log scale, ...) go before the plot.
bench_chart() {
	local png=$1 size=$2 title=$3 dat=$4 ncol=$5
	shift 5
	command -v gnuplot >/dev/null || return 0
	{
		printf '%s\n' "set terminal pngcairo size $size font \"sans,10\" noenhanced" \
			"set output \"$png\"" "set title \"$title\"" \
			"set style data histograms" "set style histogram clustered gap 1" \
			"set style fill solid 0.85 border -1" "set boxwidth 0.9" "set grid ytics" \
			"set datafile separator \"\\t\"" "set datafile missing \"NaN\"" "$@" \
			"plot for [i=2:$((ncol + 1))] \"$dat\" using i:xtic(1) title columnheader(i)"
	} | gnuplot || say "bench: gnuplot failed; no $png"
}
