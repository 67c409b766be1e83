#!/usr/bin/env bats
# skiff sandbox's limits on a cgroup v2 host (the VM tier's v2 pass: the
# host's hybrid hierarchy has no controllers on cgroup2): --memory (the
# OOM kill named, --report's limit), --pids, --cpus, --io-weight, --timeout
# killing a tree that left the process group; rootless with a delegated
# cgroup and without one.  Elsewhere every test is skipped.

load helpers

setup() {
	skip_unless_cgroup2_controllers
	common_setup
	is_skiff || skip "skiff-specific command"
	mkdir -p "$TESTDIR/work"
}

teardown() {
	[ -z "${DELEG:-}" ] || rmdir "$DELEG"/* "$DELEG" 2>/dev/null || true
	common_teardown
}

sb() {
	(cd "$TESTDIR/work" && timeout -k 5 60 "$SKIFF" --root "$ROOT" sandbox "$@")
}

# nothing of a sandbox left: no state dir, no root dir, no cgroup
assert_no_sandbox_left() {
	run -0 find "$ROOT" -maxdepth 2 \( -name 'sandbox-*' -o -name '.sandbox-*' \)
	assert_eq "$output" ""
	run -0 find /sys/fs/cgroup -name '*sandbox-*' -type d
	assert_eq "$output" ""
}

@test "sandbox v2: the limits are the container cgroup's: memory.max, cpu.max, pids.max, io weight" {
	mkfifo "$TESTDIR/work/go"
	(cd "$TESTDIR/work" && exec timeout -k 5 60 "$SKIFF" --root "$ROOT" sandbox --memory 48M --cpus 0.5 \
		--pids 20 --io-weight 300 -- sh -c 'echo r >ready; read x <go') &
	pid=$!
	wait_for_file "$TESTDIR/work/ready" 1200
	state="$(find "$ROOT" -maxdepth 2 -name state.json)"
	dir="$(jq -r .cgroupPath "$state")"
	cat "$dir/memory.max" "$dir/cpu.max" "$dir/pids.max" >"$TESTDIR/limits"
	if [ -e "$dir/io.bfq.weight" ]; then
		cat "$dir/io.bfq.weight" >>"$TESTDIR/limits"
	else	# linear 10..1000 -> 1..10000
		cat "$dir/io.weight" >>"$TESTDIR/limits"
	fi
	echo go >"$TESTDIR/work/go"
	wait "$pid"
	run -0 cat "$TESTDIR/limits"
	assert_eq "${lines[0]}" 50331648
	assert_eq "${lines[1]}" "50000 100000"
	assert_eq "${lines[2]}" 20
	[[ ${lines[3]} == "default 300" || ${lines[3]} == "default 2930" ]]
	assert_no_sandbox_left
}

@test "sandbox v2: --memory: the OOM kill is named with the limit, --report and --summary say so" {
	run --separate-stderr sb --memory 32M --summary --report "$TESTDIR/r.json" -- \
		dd if=/dev/zero of=/dev/null bs=96M count=1
	assert_eq "$status" 137
	assert_contains "$stderr" "was killed by the OOM killer: memory.max 32M reached"
	assert_contains "$stderr" ", limit hit: oom-killed"
	jq -e '.exit_status == 137 and .cause == "oom-killed" and .limit_hit == "oom-killed"
		and .peak_memory_bytes > 1000000 and .peak_memory_bytes <= 33554432
		and (.peak_pids | type) == "number"' "$TESTDIR/r.json"
	assert_no_sandbox_left
}

@test "sandbox v2: --pids: forks past the limit refused, named; --report's peak pids" {
	run --separate-stderr sb --pids 4 --report "$TESTDIR/r.json" -- \
		sh -c 'for i in 1 2 3 4 5 6; do sleep 100 & done; wait'
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "pids.max 4 reached"
	jq -e '.limit_hit == "pids-limit"' "$TESTDIR/r.json"
	# pids.peak: Linux >= 6.1
	mkdir /sys/fs/cgroup/skt-probe-$$
	if [ -e /sys/fs/cgroup/skt-probe-$$/pids.peak ]; then
		jq -e '.peak_pids == 4' "$TESTDIR/r.json"
	fi
	rmdir /sys/fs/cgroup/skt-probe-$$
	assert_no_sandbox_left
}

@test "sandbox v2: --timeout kills the whole tree (a daemon in its own session too), exit 124" {
	run --separate-stderr sb --timeout 2 --report "$TESTDIR/r.json" -- \
		sh -c "setsid sh -c 'sleep 6$$' </dev/null >/dev/null 2>&1 & sleep 6$$"
	assert_eq "$status" 124
	assert_contains "$stderr" "was killed by the --timeout"
	jq -e '.exit_status == 124 and .limit_hit == "timeout"' "$TESTDIR/r.json"
	run -1 pgrep -f "sleep 6$$"
	assert_no_sandbox_left
}

# deleg_cgroup: a cgroup delegated to nobody, as systemd's Delegate=yes
# makes one: the directory and its cgroup.procs, cgroup.subtree_control
# and cgroup.threads owned by nobody
deleg_cgroup() {
	getent group nogroup >/dev/null || skip "no nogroup group"
	nobody_skiff
	chown nobody: "$TESTDIR/work"
	# (its state root outside $ROOT, whose every entry teardown takes for a container)
	NROOT="$TESTDIR/nobody-root"
	mkdir -p "$NROOT"
	chown nobody: "$NROOT"
	DELEG="/sys/fs/cgroup/skt-deleg-$$"
	mkdir "$DELEG"
	chown nobody: "$DELEG" "$DELEG/cgroup.procs" "$DELEG/cgroup.subtree_control" "$DELEG/cgroup.threads"
}

# in_deleg ARGS...: skiff sandbox ARGS as nobody, alone in $DELEG (as in
# a systemd-run --user --scope -p Delegate=yes)
in_deleg() {
	(cd "$TESTDIR/work" && exec timeout -k 5 60 sh -c 'echo $$ >"$0/cgroup.procs" && exec setpriv \
		--reuid nobody --regid nogroup --clear-groups "$@"' "$DELEG" \
		"$TESTDIR/skiff-nobody" --root "$NROOT" sandbox "$@")
}

@test "sandbox v2: rootless in a delegated cgroup: limits hold, the cgroup is left as it was" {
	deleg_cgroup
	run --separate-stderr in_deleg --memory 32M --pids 10 --report "$TESTDIR/work/r.json" -- \
		sh -c 'id -u; exec dd if=/dev/zero of=/dev/null bs=96M count=1'
	assert_eq "$status" 137
	assert_eq "$output" "$(id -u nobody)"
	assert_contains "$stderr" "was killed by the OOM killer: memory.max 32M reached"
	jq -e '.limit_hit == "oom-killed" and .peak_memory_bytes <= 33554432' "$TESTDIR/work/r.json"
	# the delegated cgroup as it was: no child, no controller enabled
	run -0 find "$DELEG" -mindepth 1 -type d
	assert_eq "$output" ""
	assert_eq "$(cat "$DELEG/cgroup.subtree_control")" ""
	run -0 in_deleg --pids 3 -- sh -c 'echo ok'
	assert_eq "$output" ok
	run -0 find "$DELEG" -mindepth 1 -type d
	assert_eq "$output" ""
	# (the seccomp cache stays: skiff's, reused by the next run)
	run -0 find "$NROOT" -name '*sandbox-*'
	assert_eq "$output" ""
}

@test "sandbox v2: rootless in a delegated cgroup, kill -9 of skiff: the guard undoes it all" {
	deleg_cgroup
	rm -f "$TESTDIR/work/ready"
	in_deleg --pids 10 -- sh -c "echo r >ready; exec sleep 5$$" &
	job=$!
	wait_for_file "$TESTDIR/work/ready" 1200
	# skiff in its leaf, the container's cgroup beside it
	skiff_pid="$(pgrep -o -f "^$TESTDIR/skiff-nobody --root")"   # (not its guard, forked later)
	[ -d "$DELEG/skiff-sandbox-$skiff_pid" ]
	[ "$(find "$DELEG" -mindepth 1 -maxdepth 1 -type d -name 'sandbox-*' | wc -l)" = 1 ]
	kill -KILL "$skiff_pid"
	wait "$job" || true
	for i in $(seq 600); do
		[ -z "$(find "$DELEG" -mindepth 1 -type d)" ] && ! pgrep -f "^sleep 5$$\$" >/dev/null && break
		sleep 0.05
	done
	run -1 pgrep -f "^sleep 5$$\$"
	run -0 find "$DELEG" -mindepth 1 -type d
	assert_eq "$output" ""
	assert_eq "$(cat "$DELEG/cgroup.subtree_control")" ""
	run -0 find "$NROOT" -name '*sandbox-*'
	assert_eq "$output" ""
}

@test "sandbox v2: rootless, limits without a delegated cgroup or beside other processes: one-line error, --no-limits runs" {
	deleg_cgroup
	# nobody in the root cgroup, which it cannot write
	run --separate-stderr sh -c 'cd "$1/work" && exec setpriv --reuid nobody --regid nogroup --clear-groups \
		"$1/skiff-nobody" --root "$2" sandbox --memory 32M -- true' sh "$TESTDIR" "$NROOT"
	assert_eq "$status" 125
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1
	assert_contains "$stderr" "need a cgroup uid $(id -u nobody) can write"
	assert_contains "$stderr" "--no-limits"
	# a delegated cgroup that holds another process (this shell) too
	run --separate-stderr sh -c 'echo $$ >"$3/cgroup.procs" && cd "$1/work" && setpriv --reuid nobody \
		--regid nogroup --clear-groups "$1/skiff-nobody" --root "$2" sandbox --pids 5 -- true; r=$?;
		echo $$ >/sys/fs/cgroup/cgroup.procs; exit $r' sh "$TESTDIR" "$NROOT" "$DELEG"
	assert_eq "$status" 125
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1
	assert_contains "$stderr" "has other processes"
	run -0 find "$DELEG" -mindepth 1 -type d
	assert_eq "$output" ""
	run -0 sh -c 'cd "$1/work" && exec setpriv --reuid nobody --regid nogroup --clear-groups \
		"$1/skiff-nobody" --root "$2" sandbox --memory 32M --no-limits -- echo ran' sh "$TESTDIR" "$NROOT"
	assert_eq "$output" ran
}
