#!/usr/bin/env bats
# Why a container stopped: `state` of a stopped container carries skiff's
# annotations run.skiff.exit.cause / .status / .message, `events` ends with
# a {"type":"exit"} event, and a foreground `run` says it on stderr when a
# limit was the cause.  (The cgroup v2 OOM case: tests/vm cgroups_v2.bats.)

load helpers

# exit_annotation KEY: run.skiff.exit.KEY of `state` (empty when absent)
exit_annotation() {
	rt state "$CID" | jq -r --arg k "run.skiff.exit.$1" '.annotations[$k] // empty'
}

has_v1() { [ -f "/sys/fs/cgroup/$1/cgroup.procs" ] && [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; }

@test "exit cause: an exit status is recorded: state annotations, valid OCI state, no message from run" {
	is_skiff || skip "skiff-specific annotations"
	set_args sh -c 'exit 3'
	run --separate-stderr rt run --keep --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$status" 3
	assert_eq "$stderr" ""
	assert_eq "$(exit_annotation cause)" exited
	assert_eq "$(exit_annotation status)" 3
	assert_eq "$(exit_annotation message)" "exited with status 3"
	rt state "$CID" | validate_state_json
	# the config's own annotations are kept
	run -0 rt delete "$CID"
}

@test "exit cause: a signal that ended the init: signaled, 128+N" {
	is_skiff || skip "skiff-specific annotations"
	# not the init of a pid namespace, which ignores signals it has no handler for
	update_config '.annotations = {"org.example.keep": "yes"} | .linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'kill -USR1 $$'
	run --separate-stderr rt run --keep --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$status" 138
	assert_eq "$(exit_annotation cause)" signaled
	assert_eq "$(exit_annotation status)" 138
	assert_eq "$(exit_annotation message)" "was killed by signal 10 (SIGUSR1)"
	assert_eq "$(rt state "$CID" | jq -r '.annotations["org.example.keep"]')" yes
	run -0 rt delete "$CID"
}

@test "exit cause: the OOM killer at the memory limit: run says so on stderr, state says oom-killed" {
	is_skiff || skip "skiff-specific message"
	has_v1 memory || skip "no v1 memory hierarchy (the v2 case is in the VM tier)"
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 67108864}'
	set_args dd if=/dev/zero of=/dev/null bs=128M count=1
	run --separate-stderr rt run --keep --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$status" 137
	assert_eq "$stderr" "skiff: container \"$CID\" was killed by the OOM killer: memory.limit_in_bytes 64M reached"
	assert_eq "$(exit_annotation cause)" oom-killed
	assert_eq "$(exit_annotation status)" 137
	run -0 rt delete "$CID"
}

@test "exit cause: forks refused at pids.max: pids-limit, with the limit and the count" {
	is_skiff || skip "skiff-specific message"
	[ -f /sys/fs/cgroup/pids/cgroup.procs ] || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		skip "no pids controller"
	update_config '.linux.resources.pids = {"limit": 4}'
	# the 4th process cannot be made: sh -e stops there
	set_args sh -ec 'for i in 1 2 3 4 5 6; do sleep 100 & done'
	run --separate-stderr rt run --keep --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "skiff: container \"$CID\" stopped after reaching its pids limit: pids.max 4 reached ("
	assert_eq "$(exit_annotation cause)" pids-limit
	assert_eq "$(exit_annotation status)" "$status"
	run -0 rt delete "$CID"
}

@test "exit cause: killed by skiff kill (detached: no exit status known)" {
	is_skiff || skip "skiff-specific annotations"
	set_args sleep 1000
	run -0 run_detached "$CID"
	run -0 rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	assert_eq "$(exit_annotation cause)" killed
	assert_eq "$(exit_annotation status)" ""
	assert_eq "$(exit_annotation message)" "was killed by kill (SIGKILL)"
	rt state "$CID" | validate_state_json
	run -0 rt delete "$CID"
}

@test "exit cause: a detached container that exited by itself: unknown status, said so" {
	is_skiff || skip "skiff-specific annotations"
	set_args true
	run -0 run_detached "$CID"
	wait_for_status "$CID" stopped
	assert_eq "$(exit_annotation cause)" unknown
	assert_contains "$(exit_annotation message)" "exit status is not known"
	# a running container has no exit annotations
	run -0 rt delete "$CID"
	set_args sleep 1000
	run -0 run_detached "$CID"
	assert_eq "$(exit_annotation cause)" ""
	cleanup_ctr "$CID"
}

@test "exit cause: events ends with an exit event naming the cause" {
	is_skiff || skip "skiff-specific event"
	set_args sleep 1000
	run -0 run_detached "$CID"
	rt events --interval 100ms "$CID" >"$TESTDIR/events" 2>&1 &
	ev=$!
	wait_for_file "$TESTDIR/events"
	run -0 rt kill "$CID" KILL
	wait "$ev"
	tail -1 "$TESTDIR/events" | jq -e --arg id "$CID" \
		'.type == "exit" and .id == $id and .data.cause == "killed" and .data.message == "was killed by kill (SIGKILL)"'
	run -0 rt delete "$CID"
}
