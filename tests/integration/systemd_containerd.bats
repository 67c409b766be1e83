#!/usr/bin/env bats
# containerd 1.6 on a systemd host: its runc v2 shim with the options
# SystemdCgroup = true and BinaryName = the runtime under test
# (tests/integration/systemd_engines.bash), as Kubernetes nodes run it:
# `ctr run --runc-systemd-cgroup --runc-binary` gives each container those
# options (the CRI plugin's runtimes have them too: tests/tools/engines.sh)
# and a cgroupsPath skiffctr.slice:ctr:<id>.  containerd is this file's own
# (tests/tools/engines.sh), the image is made by tests/tools/mkimage.sh.

load systemd_engines

NS=skiffsd
IMG=docker.io/library/skiff-busybox:1
SLICE=skiffctr.slice

setup_file() {
	export C="$BATS_FILE_TMPDIR/ctrd"
	sd_setup_file "$C" containerd ctr containerd-shim-runc-v2 || return 0
	eng_containerd_start "$C" "$IMG" "${RT##*/}=$RT"
	bash "$REPO_ROOT/tests/tools/mkimage.sh" "$(_rootfs_template)" "$IMG" "$C/busybox.tar" sh
	c images import --snapshotter native "$C/busybox.tar" >/dev/null
}

teardown_file() {
	[ -n "${C:-}" ] && [ -d "$C" ] || return 0
	local t rc=0
	if [ -S "$C/containerd.sock" ]; then
		for t in $(c task ls -q 2>/dev/null); do c task delete -f "$t" >/dev/null 2>&1; done
		for t in $(c containers ls -q 2>/dev/null); do c containers delete "$t" >/dev/null 2>&1; done
		c images rm "$IMG" >/dev/null 2>&1
	fi
	sd_leftovers || rc=1
	eng_containerd_stop "$C" "$SLICE"
	rm -rf "$C"
	return $rc
}

c() {
	timeout -k 5 60 ctr -a "$C/containerd.sock" -n "$NS" "$@"
}

# cr ID [FLAG...] [-- CMD...]: ctr run of the image as ID, in $SLICE
cr() {
	local id="$1" f=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do f+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	c run --snapshotter native --runc-binary "$RT" --runc-systemd-cgroup --cgroup "$SLICE:ctr:$id" \
		--runc-root "$C/runc" "${f[@]}" "$IMG" "$id" "$@"
}

# the host pids of ID's processes
task_pids() {
	c task ps "$1" | awk 'NR > 1 { print $1 }'
}

@test "containerd (SystemdCgroup): ctr run --rm prints the output, passes exit codes; the runtime got --systemd-cgroup" {
	run -0 cr crt1 --rm -- sh -c 'echo hello-containerd; cat /proc/self/cgroup'
	assert_eq "$output" "hello-containerd
0::/$SLICE/ctr-crt1.scope"
	sd_assert_systemd_create crt1
	run -3 cr crt2 --rm -- sh -c 'exit 3'
	run -0 c containers ls -q
	assert_eq "$output" ""
	sd_assert_gone "$SLICE" ctr-crt1.scope
}

@test "containerd (SystemdCgroup): run -d is a scope in its slice; exec joins it; pause, resume, kill --all, delete leave no unit" {
	run -0 cr crt3 -d -- sh -c "$HOLD"
	sd_assert_systemd_create crt3
	# shellcheck disable=SC2046
	sd_assert_scope "$SLICE" ctr-crt3.scope $(task_pids crt3)
	run -0 c task exec --exec-id e1 crt3 sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_contains "$output" in-exec
	assert_contains "$output" "cat /hold"
	run -7 c task exec --exec-id e2 crt3 sh -c 'exit 7'
	# a second process, exec'd: in the same scope
	c task exec -d --exec-id bg crt3 sh -c 'exec cat /hold' </dev/null >/dev/null 2>&1
	for _ in $(seq 100); do [ "$(task_pids crt3 | wc -l)" -ge 2 ] && break; sleep 0.1; done
	pids="$(task_pids crt3)"
	[ "$(wc -l <<<"$pids")" -eq 2 ]
	# shellcheck disable=SC2086
	sd_assert_scope "$SLICE" ctr-crt3.scope $pids

	run -0 c task pause crt3
	run -0 c task ls
	assert_contains "$output" PAUSED
	sd_assert_frozen "$SLICE" ctr-crt3.scope 1
	run -0 c task resume crt3
	sd_assert_frozen "$SLICE" ctr-crt3.scope 0
	run -0 c task ls
	assert_contains "$output" RUNNING

	run -0 c task kill -a -s KILL crt3
	for _ in $(seq 100); do c task ls | grep -q STOPPED && break; sleep 0.1; done
	run -0 c task ls
	assert_contains "$output" STOPPED
	run -0 c task delete crt3
	run -0 c containers delete crt3
	sd_assert_gone "$SLICE" ctr-crt3.scope
}

@test "containerd (SystemdCgroup): task kill of the init alone; delete reports its status" {
	run -0 cr crt4 -d -- sh -c "trap 'exit 9' TERM; $HOLD & wait"
	for _ in $(seq 100); do [ "$(task_pids crt4 | wc -l)" -ge 2 ] && break; sleep 0.1; done
	# shellcheck disable=SC2046
	sd_assert_scope "$SLICE" ctr-crt4.scope $(task_pids crt4)
	run -0 c task kill -s TERM crt4
	for _ in $(seq 100); do c task ls | grep -q STOPPED && break; sleep 0.1; done
	run -0 c task ls
	assert_contains "$output" STOPPED
	run -0 c task delete crt4
	assert_contains "$output" 9
	run -0 c containers delete crt4
	sd_assert_gone "$SLICE" ctr-crt4.scope
}

@test "containerd (SystemdCgroup): --memory-limit is the scope's (unit and cgroup) and shows in the metrics" {
	run -0 cr crt5 -d --memory-limit 67108864 -- sh -c "$HOLD"
	sd_assert_limits "$SLICE" ctr-crt5.scope 67108864
	run -0 c task metrics --format json crt5
	assert_contains "$output" 67108864
	run -0 c task kill -a -s KILL crt5
	for _ in $(seq 100); do c task ls | grep -q STOPPED && break; sleep 0.1; done
	run -0 c task delete crt5
	run -0 c containers delete crt5
	sd_assert_gone "$SLICE" ctr-crt5.scope
}
