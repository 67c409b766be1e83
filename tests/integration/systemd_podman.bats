#!/usr/bin/env bats
# podman in its default configuration on a systemd host (cgroup_manager
# "systemd": it passes --systemd-cgroup and a cgroupsPath
# machine.slice:libpod:<id>) with the runtime under test
# (tests/integration/systemd_engines.bash).  podman's storage, run root and
# tmp are this file's (tests/tools/engines.sh), networking is `none`, the
# image is the busybox rootfs imported with `podman import`.

load systemd_engines

IMG=localhost/skiff-busybox

setup_file() {
	export P="$BATS_FILE_TMPDIR/podman"
	# (podman passes no --root)
	sd_setup_file "$P" podman conmon -- --root "$P/state" || return 0
	mkdir -p "$P/state"
	eng_podman_setup "$P" "${RT##*/}=$RT"
	tar -C "$(_rootfs_template)" -cf "$P/rootfs.tar" .
	pm import --change CMD=/bin/sh "$P/rootfs.tar" "$IMG:latest" >/dev/null
}

teardown_file() {
	[ -n "${P:-}" ] && [ -d "$P" ] || return 0
	local rc=0
	pm rm -af -t 0 >/dev/null 2>&1
	sd_leftovers || rc=1
	eng_podman_stop "$P"
	rm -rf "$P"
	return $rc
}

pm() { eng_podman "$P" "$@"; }

@test "podman (systemd): run --rm prints the output, passes exit codes; the runtime got --systemd-cgroup" {
	run -0 pm run --rm "$IMG" echo hello-podman
	assert_contains "$output" hello-podman
	run -3 pm run --rm "$IMG" sh -c 'exit 3'
	grep -q -- '--systemd-cgroup .*create ' "$RT_CALLS"
	# its cgroup, seen from inside: the scope
	run -0 pm run --rm --cgroupns host "$IMG" cat /proc/self/cgroup
	grep -qE '^0::/machine\.slice/libpod-[0-9a-f]{64}\.scope$' <<<"$output"
	run -0 pm ps -aq
	assert_eq "$output" ""
}

@test "podman (systemd): run -d is a scope in machine.slice, exec joins it, stop and rm leave no unit" {
	run -0 pm run -d --name skd "$IMG" sh -c "$HOLD"
	cid="$output"
	sd_assert_systemd_create "$cid"
	run -0 pm inspect --format '{{.State.Pid}}' skd
	sd_assert_scope machine.slice "libpod-$cid.scope" "$output"
	run -0 pm exec skd sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_contains "$output" in-exec
	assert_contains "$output" "cat /hold"
	run -6 pm exec skd sh -c 'exit 6'
	# a second process, exec'd: in the same scope
	run -0 pm exec -d skd sh -c 'exec cat /hold'
	run -0 pm top skd hpid
	pids="$(tail -n +2 <<<"$output")"
	[ "$(wc -w <<<"$pids")" -eq 2 ]
	# shellcheck disable=SC2086
	sd_assert_scope machine.slice "libpod-$cid.scope" $pids
	run -0 pm stop -t 1 skd
	run -0 pm inspect --format '{{.State.Status}}' skd
	assert_eq "$output" exited
	run -0 pm rm skd
	run ! "$RT" state "$cid"
	sd_assert_gone machine.slice "libpod-$cid.scope"
}

@test "podman (systemd): pause and unpause freeze and thaw the scope" {
	run -0 pm run -d --name skp "$IMG" sh -c "$HOLD"
	cid="$output"
	run -0 pm pause skp
	run -0 pm inspect --format '{{.State.Status}}' skp
	assert_eq "$output" paused
	sd_assert_frozen machine.slice "libpod-$cid.scope" 1
	assert_eq "$(systemctl show -P ActiveState "libpod-$cid.scope")" active
	run -0 pm unpause skp
	run -0 pm inspect --format '{{.State.Status}}' skp
	assert_eq "$output" running
	sd_assert_frozen machine.slice "libpod-$cid.scope" 0
	run -0 pm exec skp true
	run -0 pm rm -f -t 0 skp
	sd_assert_gone machine.slice "libpod-$cid.scope"
}

@test "podman (systemd): --memory and --pids-limit are the scope's (unit and cgroup), hold inside, show in stats" {
	run -0 pm run -d --name skm --memory 64m --pids-limit 20 "$IMG" sh -c "$HOLD"
	cid="$output"
	sd_assert_limits machine.slice "libpod-$cid.scope" $((64 << 20)) 20
	run -0 pm stats --no-stream --format '{{.MemUsage}} {{.PIDs}}' skm
	[[ $output =~ ^[0-9.]+[kMG]?B\ /\ 67\.11MB\ 1$ ]] || { echo "stats: $output" >&2; return 1; }
	# from inside: no more than 20 tasks
	run -0 pm exec skm sh -c "$FORK40"
	sd_assert_tasks 10 20
	run -0 pm rm -f -t 0 skm
	sd_assert_gone machine.slice "libpod-$cid.scope"
}
