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

# A new network namespace in skiff's own user namespace is made ahead, on a
# thread, while skiff makes the cgroup and the init (src/net/netns_ahead.c); the
# init joins it.  With one CPU, clone3 makes it as before.  Either way the
# container sees the same: a namespace of its own with lo up and nothing else.
netns_seen_inside() {
	in_ctr 'readlink /proc/self/ns/net; ls /sys/class/net; cat /sys/class/net/lo/flags'
	[ "${lines[0]}" != "$(readlink /proc/$$/ns/net)" ] || { echo "network namespace shared with the host" >&2; false; }
	assert_eq "${lines[1]}" lo
	assert_eq "${lines[2]}" 0x9 # IFF_UP | IFF_LOOPBACK
}

# thread_path_traced RUNTIME: run the container under strace and check the
# thread path: skiff's thread makes the namespace and sends it itself
# (SCM_RIGHTS), clone3 leaves CLONE_NEWNET out, the init joins it.  The
# first message skiff's end of the socket carries is left in $first_msg_tid
# (the thread's tid when nothing went before it) and the thread's tid in $tid.
thread_path_traced() {
	set_args true
	run -0 strace -f -qq -e trace=clone3,unshare,setns,sendmsg -e signal=none -o "$TESTDIR/strace" \
		"$1" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	run -0 grep -E '^[0-9]+ +unshare\(CLONE_NEWNET\) += 0' "$TESTDIR/strace"
	tid="${output%% *}"
	run -0 grep -E "^$tid +sendmsg\(.*cmsg_type=SCM_RIGHTS" "$TESTDIR/strace"
	run -0 grep -E '^[0-9]+ +setns\([0-9]+, CLONE_NEWNET\) += 0' "$TESTDIR/strace"
	[ "${output%% *}" != "$tid" ]
	run -0 grep -E 'clone3\(\{flags=[^}]*CLONE_NEWPID' "$TESTDIR/strace"
	[[ $output != *CLONE_NEWNET* ]] || { echo "clone3 made the network namespace: $output" >&2; false; }
	run -0 grep -m1 -E '^[0-9]+ +sendmsg\(' "$TESTDIR/strace"
	first_msg_tid="${output%% *}"
}

@test "namespaces: the network namespace is made ahead on a thread and joined by the init (2+ CPUs)" {
	command -v strace >/dev/null || skip "no strace"
	[ "$(nproc)" -ge 2 ] || skip "one CPU: nothing to overlap"
	netns_seen_inside
	thread_path_traced "$SKIFF"
}

@test "namespaces: on a cgroup2-only host the thread sends the namespace first, with no GO before it" {
	command -v strace >/dev/null || skip "no strace"
	[ "$(nproc)" -ge 2 ] || skip "one CPU: nothing to overlap"
	# skiff in a mount namespace whose /sys/fs/cgroup is the cgroup2 mount alone
	# (the cgroup namespace of the test run: every cgroup stays below the run's)
	cat >"$TESTDIR/skiff-v2" <<S
#!/bin/sh
exec unshare --mount --propagation private sh -c 'umount -l /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup && exec "\$0" "\$@"' "$SKIFF" "\$@"
S
	chmod +x "$TESTDIR/skiff-v2"
	SKIFF="$TESTDIR/skiff-v2" netns_seen_inside
	thread_path_traced "$TESTDIR/skiff-v2"
	assert_eq "$first_msg_tid" "$tid"
}

@test "namespaces: with one CPU the network namespace comes from clone3, the same inside" {
	command -v strace >/dev/null || skip "no strace"
	printf '#!/bin/sh\nexec taskset -c 0 %s "$@"\n' "$SKIFF" >"$TESTDIR/skiff-1cpu"
	chmod +x "$TESTDIR/skiff-1cpu"
	SKIFF="$TESTDIR/skiff-1cpu" netns_seen_inside
	set_args true
	run -0 taskset -c 0 strace -f -qq -e trace=clone3,unshare,setns -e signal=none -o "$TESTDIR/strace" \
		"$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	run -0 grep -E 'clone3\(\{flags=[^}]*CLONE_NEWNET' "$TESTDIR/strace"
	run grep -E 'unshare\(CLONE_NEWNET\)|setns\([0-9]+, CLONE_NEWNET\)' "$TESTDIR/strace"
	[ "$status" -eq 1 ]
}

@test "namespaces: a network namespace skiff may not make fails the run with one line, nothing left" {
	[ "$(nproc)" -ge 2 ] || skip "one CPU: the namespace comes from clone3"
	cc -O1 -o "$TESTDIR/deny_netns" "$REPO_ROOT/tests/tools/deny_netns.c" || skip "no C compiler"
	set_args true
	run -1 "$TESTDIR/deny_netns" "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	assert_eq "$output" "skiff: create network namespace: operation not permitted"
	[ ! -e "$ROOT/$CID" ]
}
