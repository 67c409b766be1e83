#!/usr/bin/env bats
# The benchmark's yardsticks are honest: floor-cfg (bench/floor.c named so) gives
# its process what skiff gives it for the same config (bench/config.json with a
# cgroup namespace, as `runc spec` has): the same mount points, capabilities,
# no_new_privs, hostname, open-file limit, read-only root and cgroup; the plain
# floor gives none of it.  Seen from inside, in a private mount namespace whose
# /sys/fs/cgroup is cgroup2, as bench/run.sh measures them.
# Self-contained: SKIFF (default: the repo's ./skiff), busybox-static, a C compiler.

setup_file() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export REPO SKIFF=${SKIFF:-$REPO/skiff}
	export W="$BATS_FILE_TMPDIR/w"
	mkdir -p "$W/b"
	"$REPO/tools/mkrootfs.sh" "$W/b/rootfs" >/dev/null
	musl-gcc -O2 -static -o "$W/floor" "$REPO/bench/floor.c" 2>/dev/null ||
		gcc -O2 -static -o "$W/floor" "$REPO/bench/floor.c"
	cp "$W/floor" "$W/floor-cfg"
	# what the process reports: its mount points, ids of the mounts' types,
	# capabilities, limits, hostname, and whether / can be written
	cat >"$W/b/rootfs/report" <<'EOF'
#!/bin/sh
awk '{ print "mount", $5, $(NF-2) }' /proc/self/mountinfo | sort
grep -E '^(CapBnd|CapEff|CapPrm|CapInh|CapAmb|NoNewPrivs):' /proc/self/status
echo "hostname $(hostname)"
echo "nofile $(ulimit -n)"
touch /probe 2>/dev/null && echo "root writable" || echo "root read-only"
echo "cgroup $(grep -c . /proc/self/cgroup) $(cut -d: -f3 /proc/self/cgroup | sort -u | tr '\n' ' ')"
EOF
	chmod 755 "$W/b/rootfs/report"
	jq '.process.args = ["/report"] | .linux.namespaces += [{"type": "cgroup"}]
		| .root.path = "rootfs"' "$REPO/bench/config.json" >"$W/b/config.json"
}

# $1: the command, run in a private mount namespace with cgroup2 on /sys/fs/cgroup
in_bench_ns() {
	unshare --mount --propagation private sh -c \
		'umount -l /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' sh "$@"
}

@test "bench: floor-cfg gives its process what skiff gives it for the same config" {
	run in_bench_ns "$W/floor-cfg" "$W/b/rootfs" /report
	[ "$status" -eq 0 ]
	local floor_cfg="$output"
	run in_bench_ns "$SKIFF" --root "$W/state" run --bundle "$W/b" bench-floor
	[ "$status" -eq 0 ]
	echo "--- floor-cfg"; echo "$floor_cfg"; echo "--- skiff"; echo "$output"
	[ "$floor_cfg" = "$output" ]
	# and it is the config's: the root, the 7 mounts, the 4 read-only /proc
	# directories every kernel has and the masked paths this one has; only
	# the three capabilities; a read-only root
	[ "$(grep -c '^mount ' <<<"$output")" -ge 12 ]
	grep -qx 'CapBnd:	0000000020000420' <<<"$output"
	grep -qx 'root read-only' <<<"$output"
	grep -qx 'hostname runc' <<<"$output"
	# both removed their cgroups
	run in_bench_ns sh -c 'ls /sys/fs/cgroup | grep -E "^(floor-|bench-floor)"'
	[ "$status" -ne 0 ]
}

@test "bench: the plain floor does none of the config's work" {
	run in_bench_ns "$W/floor" "$W/b/rootfs" /report
	[ "$status" -eq 0 ]
	# no /proc mounted: nothing to read the mounts or the status from
	! grep -q '^mount ' <<<"$output"
	! grep -q '^CapBnd:' <<<"$output"
	grep -qx 'root writable' <<<"$output"
	! grep -qx 'hostname runc' <<<"$output"
}
