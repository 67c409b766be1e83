#!/usr/bin/env bats
# Namespaces: what the container sees of pid/uts/ipc/net/mnt/cgroup isolation.

load helpers

setup() {
	common_setup
	# every namespace the tests compare, cgroup included (runc 1.1's spec lacks it)
	update_config '.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"}]'
}

@test "namespaces: the process is pid 1" {
	in_ctr 'echo $$'
	assert_eq "$output" 1
}

@test "namespaces: ps shows only the container's processes" {
	in_ctr 'ps -o pid,comm >/tmp/ps; cat /tmp/ps'
	# a header, sh (pid 1) and ps itself
	assert_eq "$(wc -l <<<"$output")" 3
	grep -qE '^ *1 +sh$' <<<"$output"
	grep -qE '^ *[0-9]+ +ps$' <<<"$output"
	in_ctr 'ls -d /proc/[0-9]* | wc -l'
	[ "$output" -le 3 ] # sh, ls, (wc)
}

@test "namespaces: hostname from the config" {
	update_config '.hostname = "skiff-host-test"'
	in_ctr 'hostname; cat /proc/sys/kernel/hostname'
	assert_eq "$output" "skiff-host-test
skiff-host-test"
}

@test "namespaces: own uts, ipc, net, mnt, pid, cgroup namespaces" {
	in_ctr 'for n in uts ipc net mnt pid cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	for n in uts ipc net mnt pid cgroup; do
		inside="$(awk -v n="$n" '$1 == n { print $2 }' <<<"$output")"
		host="$(readlink "/proc/$$/ns/$n")"
		[ -n "$inside" ] || { echo "no $n namespace link inside" >&2; false; }
		[ "$inside" != "$host" ] || { echo "$n namespace shared with the host: $inside" >&2; false; }
	done
}

@test "namespaces: without a uts namespace in the config the host's is shared" {
	update_config '.linux.namespaces |= map(select(.type != "uts")) | del(.hostname)'
	in_ctr 'readlink /proc/self/ns/uts'
	assert_eq "$output" "$(readlink /proc/$$/ns/uts)"
}

@test "namespaces: the net namespace has only lo" {
	in_ctr 'ls /sys/class/net; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "'
	assert_eq "$output" "lo
lo"
}

@test "namespaces: the cgroup namespace root is the container's cgroup" {
	in_ctr 'cat /proc/self/cgroup'
	# inside its own cgroup namespace the process sees itself at "/"
	grep -qE '^0::/$' <<<"$output"
}

@test "namespaces: joining an existing namespace by path (ipc)" {
	# a host-side holder of a new ipc namespace
	unshare --ipc sleep 300 &
	holder=$!
	for i in $(seq 100); do
		[ "$(readlink /proc/$holder/ns/ipc)" != "$(readlink /proc/$$/ns/ipc)" ] && break
		sleep 0.02
	done
	want="$(readlink /proc/$holder/ns/ipc)"
	update_config '.linux.namespaces |= map(if .type == "ipc" then .path = $p else . end)' --arg p "/proc/$holder/ns/ipc"
	run run_ctr readlink /proc/self/ns/ipc
	kill "$holder"
	wait "$holder" || true
	[ "$status" -eq 0 ]
	assert_eq "$output" "$want"
}
