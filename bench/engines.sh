#!/bin/bash
# bench/engines.sh: what a user of an engine feels of the runtime: the time
# of `docker run --rm`, `podman run --rm` and of a CRI pod start (containerd:
# RunPodSandbox + CreateContainer + StartContainer of one container), with
# skiff, runc and crun as the runtime, in the same run.
#
#   sudo bench/engines.sh        (root; ~5 minutes with RUNS=20)
#
# Env: RUNS (timed rounds per engine and runtime, default 20), WARM (untimed
# rounds first, default 2), RUNTIMES (default "skiff runc crun"), ENGINES
# (default "docker podman cri"), SKIFF (default ./skiff), RESULTS (default
# bench/results), NO_APT=1 (never call apt-get), CGROUP2=1 (/sys/fs/cgroup one
# cgroup2 mount, as bench/run.sh has it for crun; on this host no controller
# is there: podman and the CRI, which ask for pids and cpu limits, fail).
#
# The daemons are private (tests/tools/engines.sh: own roots, sockets, a
# network namespace each, vfs/native storage, cgroupfs below this run's
# cgroup), the image is the busybox rootfs of tools/mkrootfs.sh, the
# container runs `true` (`sleep` in the CRI pod); podman calls each runtime
# through the same one-line wrapper that gives it a --root under the run's
# directory.  Runtimes alternate round
# by round; the cgroup hierarchies stay as the host has them (this host:
# v1 + a unified mount holding hugetlb), where crun 1.8 refuses to run a
# container: its row then says so, with crun's message.  Writes RESULTS/engines.md.
set -uo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
RUNS=${RUNS:-20}
WARM=${WARM:-2}
RUNTIMES=${RUNTIMES:-skiff runc crun}
ENGINES=${ENGINES:-docker podman cri}
SKIFF=${SKIFF:-$REPO/skiff}
RESULTS=${RESULTS:-$BENCH/results}
PY=/usr/bin/python3
DOCKER=/usr/bin/docker
. "$BENCH/common.sh" # say, bench_chart; die is this script's own, below

die() { say "bench/engines: $*"; exit 1; }

if [ -z "${SKIFF_BENCH_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || die "run as root"
	[ -x "$SKIFF" ] || die "no skiff at $SKIFF (make)"
	bash "$REPO/tools/deps.sh" || die "tools/deps.sh failed"
	if ! command -v crun >/dev/null && [[ " $RUNTIMES " == *" crun "* ]] && [ -z "${NO_APT:-}" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends crun >/dev/null 2>&1 ||
			say "bench/engines: crun could not be installed: left out"
	fi
	# never leave the cgroup we started in: a new cgroup namespace makes it "/"
	exec unshare --cgroup --mount --propagation private env SKIFF_BENCH_INNER=1 "$0" "$@"
fi

# ---------------------------------------------------------------- inside
if [ -n "${CGROUP2:-}" ]; then
	# /sys/fs/cgroup one cgroup2 mount, as bench/run.sh does for crun
	umount -l /sys/fs/cgroup 2>/dev/null
	mount -t cgroup2 none /sys/fs/cgroup || die "cannot mount cgroup2 on /sys/fs/cgroup"
else
	# every hierarchy remounted with this namespace's cgroup as its root
	while read -r target opts fstype; do
		o="$(tr ',' '\n' <<<"$opts" | grep -vxE 'rw|ro' | paste -sd, -)"
		umount -l "$target" && mount -t "$fstype" ${o:+-o "$o"} "$fstype" "$target" || die "remount of $target failed"
	done < <(findmnt -rn -t cgroup,cgroup2 -o TARGET,FS-OPTIONS,FSTYPE)
fi

# shellcheck source=../tests/tools/engines.sh
source "$REPO/tests/tools/engines.sh"
W=$(mktemp -d /tmp/skiff-bench-engines.XXXXXX)
CG=skbeng$$
declare -A BIN=([skiff]=$SKIFF [runc]=$(command -v runc) [crun]=$(command -v crun || true))
rts=()
for rt in $RUNTIMES; do
	[ -n "${BIN[$rt]}" ] && rts+=("$rt") || say "bench/engines: no $rt: left out"
done
cp "$SKIFF" "$W/skiff" && BIN[skiff]=$W/skiff # a snapshot: a make beside must not swap it

cleanup() {
	set +e
	[ -S "$W/docker/docker.sock" ] && dk rm -f $(dk ps -aq) >/dev/null 2>&1
	eng_dockerd_stop "$W/docker" "$CG-docker"
	eng_containerd_stop "$W/cri" "$CG-cri"
	[ -d "$W/podman" ] && pm rm -af -t 0 >/dev/null 2>&1 && pm rmi -af >/dev/null 2>&1
	for pid in $(pgrep -f "conmon .*$W/podman" 2>/dev/null); do kill -9 "$pid"; done
	for h in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		[ -d "$h/libpod_parent" ] && find "$h/libpod_parent" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	grep -F "$W" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	[ -e "$W/made-var-lib-containers" ] && rm -rf /var/lib/containers
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- images
bash "$REPO/tools/mkrootfs.sh" "$W/rootfs" >/dev/null || die "mkrootfs failed"
bash "$REPO/tests/tools/mkimage.sh" "$W/rootfs" skiff-busybox:1 "$W/busybox.tar" sh || die "mkimage failed"
mkdir -p "$W/pause"
cc -static -O2 -o "$W/pause/pause" "$REPO/tests/tools/pause.c" || die "cannot build the pause program"
ENTRYPOINT=/pause bash "$REPO/tests/tools/mkimage.sh" "$W/pause" skiff-pause:1 "$W/pause.tar" || die "mkimage failed"

dk() { DOCKER_CONFIG="$W/docker/cfg" timeout -k 5 120 "$DOCKER" -H "unix://$W/docker/docker.sock" "$@"; }
pm() {
	CONTAINERS_CONF="$W/podman/containers.conf" CONTAINERS_STORAGE_CONF="$W/podman/storage.conf" \
		timeout -k 5 120 podman --root "$W/podman/root" --runroot "$W/podman/runroot" --tmpdir "$W/podman/tmp" \
		--cgroup-manager cgroupfs --events-backend file --storage-driver vfs \
		--network-config-dir "$W/podman/net" "$@"
}

# ms CMD...: the command's wall time in ms, or `fail LAST-LINE-OF-ITS-ERROR`
ms() {
	local t0 t1 out
	t0=$EPOCHREALTIME
	if out="$("$@" 2>&1 >/dev/null)"; then
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
	else
		echo "fail $(tail -1 <<<"$out")"
	fi
}

# round ENGINE RUNTIME: one timed start
round() {
	case $1 in
	docker) ms dk run --rm --network none --runtime "$2" skiff-busybox:1 true ;;
	podman) ms pm run --rm --network none --runtime "$W/podman/$2" localhost/skiff-busybox:1 true ;;
	cri) $PY "$BENCH/cri-pods.py" "$W/cri/containerd.sock" docker.io/library/skiff-busybox:1 "$2" 1 "$CG-cri" ;;
	esac
}

for e in $ENGINES; do
	case $e in
	docker)
		args=()
		for rt in "${rts[@]}"; do args+=("$rt=${BIN[$rt]}"); done
		eng_dockerd_start "$W/docker" "$CG-docker" "${args[@]}" || die "dockerd did not start"
		dk load -i "$W/busybox.tar" >/dev/null || die "docker load failed"
		;;
	podman)
		mkdir -p "$W/podman/root" "$W/podman/runroot" "$W/podman/tmp" "$W/podman/net"
		[ -e /var/lib/containers ] || touch "$W/made-var-lib-containers"
		printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\nnetns = "none"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "%s/events.log"\n' \
			"$W/podman" >"$W/podman/containers.conf"
		printf '[storage]\ndriver = "vfs"\nrunroot = "%s/runroot"\ngraphroot = "%s/root"\n' "$W/podman" "$W/podman" >"$W/podman/storage.conf"
		# each runtime with its state under $W (podman passes no --root to
		# a runtime it does not know), the same wrapper for every one
		for rt in "${rts[@]}"; do
			printf '#!/bin/sh\nexec %q --root %q "$@"\n' "${BIN[$rt]}" "$W/podman/state-$rt" >"$W/podman/$rt"
			chmod +x "$W/podman/$rt"
		done
		tar -C "$W/rootfs" -cf "$W/rootfs.tar" .
		pm import --change CMD=/bin/sh "$W/rootfs.tar" localhost/skiff-busybox:1 >/dev/null || die "podman import failed"
		;;
	cri)
		args=()
		for rt in "${rts[@]}"; do args+=("$rt=${BIN[$rt]}"); done
		eng_containerd_start "$W/cri" docker.io/library/skiff-pause:1 "${args[@]}" || die "containerd did not start"
		for i in pause busybox; do
			ctr -a "$W/cri/containerd.sock" -n k8s.io images import --snapshotter native "$W/$i.tar" >/dev/null ||
				die "ctr import failed"
		done
		;;
	esac
done

declare -A T
for e in $ENGINES; do
	say "bench/engines: $e, ${rts[*]}: $WARM + $RUNS rounds"
	for ((i = 0; i < WARM + RUNS; i++)); do
		for rt in "${rts[@]}"; do
			r="$(round "$e" "$rt")"
			[ $i -lt "$WARM" ] && [[ $r != fail* ]] && continue
			T[$e.$rt]+="$r"$'\n'
		done
	done
done

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS"
out="$RESULTS/engines.md"
{
	echo "## Engines: the start a user feels"
	echo
	echo "$(uname -r), $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"); RUNS=$RUNS WARM=$WARM; $(date -u +%Y-%m-%dT%H:%MZ)."
	echo "docker.io $("$DOCKER" --version | sed 's/Docker version \([^,]*\),.*/\1/'), podman $(podman --version | awk '{ print $3 }'),"
	echo "containerd $(containerd --version | awk '{ print $3 }') (CRI); runtimes alternate round by round; vfs/native"
	echo "storage, no network (\`--network none\`; the CRI pod: a CNI bridge in containerd's own network"
	echo "namespace). docker/podman: \`run --rm IMAGE true\` as the CLI sees it; CRI: RunPodSandbox +"
	echo "CreateContainer + StartContainer (pause + one container) through gRPC, stop and removal not timed."
	echo
	echo "| engine | runtime | median ms | p90 ms | runs ok/failed |"
	echo "| --- | --- | ---: | ---: | ---: |"
	printf 'engine' >"$W/chart.dat"
	printf '\t%s' "${rts[@]}" >>"$W/chart.dat"
	echo >>"$W/chart.dat"
	for e in $ENGINES; do
		printf '%s' "$e" >>"$W/chart.dat"
		for rt in "${rts[@]}"; do
			v="$(grep -vE '^(fail|$)' <<<"${T[$e.$rt]:-}" | sort -n)"
			n=$(grep -c . <<<"$v")
			f=$(grep -c '^fail' <<<"${T[$e.$rt]:-}")
			if [ "$n" -gt 0 ]; then
				med=$(awk -v n="$n" 'NR == int((n + 1) / 2) { print }' <<<"$v")
				p90=$(awk -v n="$n" 'NR == int((n * 9 + 9) / 10) { print }' <<<"$v")
				echo "| $e | $rt | $med | $p90 | $n/$f |"
			else
				med=NaN
				echo "| $e | $rt | n/a | n/a | 0/$f |"
			fi
			printf '\t%s' "$med" >>"$W/chart.dat"
		done
		echo >>"$W/chart.dat"
	done
	fails="$(for k in "${!T[@]}"; do grep '^fail' <<<"${T[$k]}" | head -1 | sed "s|^fail |$k: |"; done | sort)"
	if [ -n "$fails" ]; then
		echo
		echo "Failures (the first of each):"
		echo
		sed 's/^/    /' <<<"$fails"
	fi
	echo
	echo "![median start under each engine](engines.png)"
} >"$out"
bench_chart "$RESULTS/engines.png" 800,420 \
	"Container start under an engine: median ms (lower is better; a missing bar: the runtime fails there)" \
	"$W/chart.dat" "${#rts[@]}" 'set ylabel "ms"' "set yrange [0:*]" "set key top left"
cat "$out"
