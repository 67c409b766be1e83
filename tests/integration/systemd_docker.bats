#!/usr/bin/env bats
# Docker (docker.io 20.10) on a systemd host: dockerd with
# native.cgroupdriver=systemd (its default on cgroup v2) and the runtime
# under test (tests/integration/systemd_engines.bash) registered as a
# runtime: each container a scope docker-<id>.scope of the cgroup parent,
# the slice skiffdk.slice.  dockerd is this file's own (tests/tools/engines.sh:
# data root, exec root, pidfile, socket, no iptables, no bridge), the image
# is made by tests/tools/mkimage.sh and loaded: nothing is pulled.

load systemd_engines

IMG=skiff-busybox:1
DOCKER=/usr/bin/docker
SLICE=skiffdk.slice

setup_file() {
	export D="$BATS_FILE_TMPDIR/docker"
	sd_setup_file "$D" dockerd "$DOCKER" || return 0
	[ -e /etc/docker ] || touch "$D/made-etc-docker"
	export RTN="${RT##*/}"
	eng_dockerd_start "$D" "$SLICE" "$RTN=$RT"
	bash "$REPO_ROOT/tests/tools/mkimage.sh" "$(_rootfs_template)" "$IMG" "$D/busybox.tar" sh
	dk load -i "$D/busybox.tar" >/dev/null
}

teardown_file() {
	[ -n "${D:-}" ] && [ -d "$D" ] || return 0
	local rc=0
	if [ -S "$D/docker.sock" ]; then
		dk rm -f $(dk ps -aq 2>/dev/null) >/dev/null 2>&1
		dk system prune -af >/dev/null 2>&1
	fi
	sd_leftovers || rc=1
	eng_dockerd_stop "$D" "$SLICE"
	[ -e "$D/made-etc-docker" ] && rm -rf /etc/docker
	rm -rf "$D"
	return $rc
}

dk() {
	DOCKER_CONFIG="$D/cfg" timeout -k 5 120 "$DOCKER" -H "unix://$D/docker.sock" "$@"
}

# docker run with the runtime under test.  (The VM's kernel has AppArmor on
# and the host, whose / it uses, no apparmor_parser: dockerd could not load
# its docker-default profile.)
dkrun() {
	dk run --runtime "$RTN" --network none --security-opt apparmor=unconfined "$@"
}

@test "docker (systemd driver): run --runtime prints the output, passes exit codes; the runtime got --systemd-cgroup" {
	run -0 dkrun --rm "$IMG" echo hello-docker
	assert_contains "$output" hello-docker
	grep -q -- '--systemd-cgroup .*create ' "$RT_CALLS"
	run -3 dkrun --rm "$IMG" sh -c 'exit 3'
	# its cgroup, seen from inside: the scope
	run -0 dkrun --rm --cgroupns host "$IMG" cat /proc/self/cgroup
	grep -qE "^0::/$SLICE/docker-[0-9a-f]{64}\.scope\$" <<<"$output"
	run -0 dk ps -aq
	assert_eq "$output" ""
}

@test "docker (systemd driver): run -d is a scope in the cgroup parent's slice; exec joins it; stats, pause, stop and rm leave no unit" {
	run -0 dkrun -d --name skd "$IMG" sh -c "$HOLD"
	cid="$output"
	sd_assert_systemd_create "$cid"
	run -0 dk inspect --format '{{.State.Pid}}' skd
	sd_assert_scope "$SLICE" "docker-$cid.scope" "$output"
	run -0 dk exec skd sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_contains "$output" in-exec
	assert_contains "$output" "cat /hold"
	run -6 dk exec skd sh -c 'exit 6'
	# a second process, exec'd: in the same scope
	run -0 dk exec -d skd sh -c 'exec cat /hold'
	for _ in $(seq 100); do [ "$(dk top skd -o pid | tail -n +2 | wc -l)" -ge 2 ] && break; sleep 0.1; done
	run -0 dk top skd -o pid
	pids="$(tail -n +2 <<<"$output")"
	[ "$(wc -w <<<"$pids")" -eq 2 ]
	# shellcheck disable=SC2086
	sd_assert_scope "$SLICE" "docker-$cid.scope" $pids
	run -0 dk stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' skd
	[[ $output =~ ^skd\ [0-9.]+[kKMG]i?B\ /\ .*\ 2$ ]] || { echo "stats: $output" >&2; return 1; }
	run -0 dk pause skd
	sd_assert_frozen "$SLICE" "docker-$cid.scope" 1
	run -0 dk unpause skd
	sd_assert_frozen "$SLICE" "docker-$cid.scope" 0
	# `cat` as PID 1 ignores SIGTERM: stop kills it after 1 s
	run -0 dk stop -t 1 skd
	run -0 dk inspect --format '{{.State.Status}} {{.State.ExitCode}}' skd
	assert_eq "$output" "exited 137"
	run -0 dk rm skd
	sd_assert_gone "$SLICE" "docker-$cid.scope"
}

@test "docker (systemd driver): --memory and --pids-limit are the scope's (unit and cgroup), hold inside, show in stats" {
	run -0 dkrun -d --name skm --memory 64m --pids-limit 20 "$IMG" sh -c "$HOLD"
	cid="$output"
	sd_assert_limits "$SLICE" "docker-$cid.scope" $((64 << 20)) 20
	run -0 dk exec skm cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
	assert_eq "$output" $'67108864\n20'
	run -0 dk stats --no-stream --format '{{.MemUsage}}' skm
	[[ $output =~ ^[0-9.]+[kKMG]i?B\ /\ 64MiB$ ]] || { echo "stats: $output" >&2; return 1; }
	run -0 dk exec skm sh -c "$FORK40"
	sd_assert_tasks 10 20
	run -0 dk rm -f skm
	sd_assert_gone "$SLICE" "docker-$cid.scope"
}
