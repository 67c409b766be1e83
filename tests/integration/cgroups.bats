#!/usr/bin/env bats
# Cgroup commands that work on any cgroup2 (also one without controllers,
# like this host's hybrid /sys/fs/cgroup/unified): pause/resume, ps,
# kill --all, events, delete of a cgroup with escaped sub-cgroups, update
# errors, and the error for a controller the host lacks.  Limits themselves
# are tested in cgroups_v2.bats (run in the VM tier, tests/vm/run.sh).
# Also run on a legacy (v1-only) host in the VM tier's legacy pass, where
# the container's cgroup (state.json) is its freezer cgroup.

load helpers

# The container's cgroup directory (skiff's state.json).
cg_dir() {
	jq -r .cgroupPath "$ROOT/$1/state.json"
}

cg_mode() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then echo unified
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then echo hybrid
	else echo legacy; fi
}

# is_frozen DIR 0|1: the freezer state of the container's cgroup DIR
is_frozen() {
	if [ -e "$1/cgroup.events" ]; then
		grep -qx "frozen $2" "$1/cgroup.events"
	elif [ "$2" = 1 ]; then
		grep -qx FROZEN "$1/freezer.state"
	else
		grep -qx THAWED "$1/freezer.state"
	fi
}

@test "cgroups: pause freezes, state says paused, resume thaws" {
	set_args sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.1; done'
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	run -0 rt pause "$CID"
	assert_eq "$(status_of "$CID")" paused
	dir="$(cg_dir "$CID")"
	is_frozen "$dir" 1
	t1="$(cat "$ROOTFS/tmp/tick")"
	sleep 0.5
	assert_eq "$(cat "$ROOTFS/tmp/tick")" "$t1"
	run -0 rt resume "$CID"
	assert_eq "$(status_of "$CID")" running
	is_frozen "$dir" 0
	for i in $(seq 50); do [ "$(cat "$ROOTFS/tmp/tick")" != "$t1" ] && break; sleep 0.1; done
	[ "$(cat "$ROOTFS/tmp/tick")" != "$t1" ]
	run -0 rt delete --force "$CID"
}

@test "cgroups: pause/resume in the wrong state: one-line errors" {
	set_args sleep 300
	run -0 create_ctr "$CID"
	run --separate-stderr rt pause "$CID"
	assert_one_line_error
	assert_contains "$stderr" created
	run --separate-stderr rt resume "$CID"
	assert_one_line_error
	run -0 rt start "$CID"
	wait_for_status "$CID" running
	run --separate-stderr rt resume "$CID"
	assert_one_line_error
	assert_contains "$stderr" running
	run --separate-stderr rt pause nonexistent-$CID
	assert_one_line_error
	run -0 rt delete --force "$CID"
}

@test "cgroups: a paused container needs --force to delete; kill works on it" {
	set_args sleep 300
	run -0 run_detached "$CID"
	run -0 rt pause "$CID"
	run --separate-stderr rt delete "$CID"
	assert_one_line_error
	assert_contains "$stderr" paused
	assert_eq "$(status_of "$CID")" paused
	run -0 rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	run -0 rt delete "$CID"
	[ ! -e "$ROOT/$CID" ]
}

@test "cgroups: delete --force of a paused container" {
	set_args sh -c 'sleep 300 & exec sleep 301'
	run -0 run_detached "$CID"
	run -0 rt pause "$CID"
	dir="$(cg_dir "$CID")"
	run -0 rt delete --force "$CID"
	[ ! -e "$dir" ]
}

@test "cgroups: ps lists the host pids of the container (json and table)" {
	set_args sh -c 'sleep 300 & exec sleep 301'
	run -0 run_detached "$CID"
	pid="$(pid_of "$CID")"
	for i in $(seq 100); do [ "$(rt ps --format json "$CID" | jq length)" = 2 ] && break; sleep 0.05; done
	run -0 rt ps --format json "$CID"
	assert_eq "$(jq length <<<"$output")" 2
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	for p in $(jq -r '.[]' <<<"$output"); do grep -qx "$p" "$(cg_dir "$CID")/cgroup.procs"; done
	run -0 rt ps "$CID"
	assert_contains "${lines[0]}" PID
	assert_eq "${#lines[@]}" 3
	assert_contains "$output" "sleep 301"
	# ps(1) options after the id, as runc
	run -0 rt ps "$CID" -o pid,comm
	assert_eq "${#lines[@]}" 3
	assert_contains "$output" "$pid"
	run --separate-stderr rt ps --format yaml "$CID"
	assert_one_line_error
	run -0 rt delete --force "$CID"
}

@test "cgroups: kill --all signals every process of the cgroup" {
	set_args sh -c 'trap "" TERM; sleep 300 & sleep 301 & wait'
	run -0 run_detached "$CID"
	for i in $(seq 100); do [ "$(rt ps --format json "$CID" | jq length)" = 3 ] && break; sleep 0.05; done
	pids="$(rt ps --format json "$CID" | jq -r '.[]')"
	run -0 rt kill --all "$CID" KILL
	for p in $pids; do wait_pid_gone "$p"; done
	wait_for_status "$CID" stopped
	run -0 rt delete "$CID"
}

@test "cgroups: events --stats prints one runc-style stats event" {
	set_args sleep 300
	run -0 run_detached "$CID"
	run -0 rt events --stats "$CID"
	assert_eq "${#lines[@]}" 1
	jq -e --arg id "$CID" '.type == "stats" and .id == $id and (.data | type == "object")' <<<"$output"
	jq -e '.data.cpu.usage | has("total")' <<<"$output"
	run -0 rt delete --force "$CID"
}

@test "cgroups: events streams stats every --interval and ends with the container" {
	set_args sleep 3
	run -0 run_detached "$CID"
	run -0 timeout 30 "$SKIFF" --root "$ROOT" events --interval 200ms "$CID"
	[ "${#lines[@]}" -ge 2 ]
	# stats events, then (skiff's) one exit event saying why it stopped
	n=${#lines[@]}
	if is_skiff; then
		jq -e '.type == "exit" and (.data.cause | type == "string")' <<<"${lines[n - 1]}"
		n=$((n - 1))
	fi
	for l in "${lines[@]:0:n}"; do jq -e '.type == "stats"' <<<"$l" >/dev/null; done
	run -0 rt delete "$CID"
}

@test "cgroups: events errors: bad interval, stopped or missing container" {
	set_args true
	run -0 rt run --keep --bundle "$BUNDLE" "$CID"
	run --separate-stderr rt events --interval 5parsecs "$CID"
	assert_one_line_error
	run --separate-stderr rt events "$CID"
	assert_one_line_error
	assert_contains "$stderr" stopped
	run --separate-stderr rt events "missing-$CID"
	assert_one_line_error
	run -0 rt delete "$CID"
}

@test "cgroups: delete removes the cgroup when processes escaped into sub-cgroups" {
	set_args sh -c 'sleep 300 & sleep 302 & exec sleep 301'
	run -0 run_detached "$CID"
	dir="$(cg_dir "$CID")"
	for i in $(seq 100); do [ "$(wc -l <"$dir/cgroup.procs")" = 3 ] && break; sleep 0.05; done
	mkdir -p "$dir/escaped/deeper"
	mkdir -p "$dir/empty"
	for p in $(cat "$dir/cgroup.procs"); do
		[ "$p" = "$(pid_of "$CID")" ] && continue
		echo "$p" >"$dir/escaped/deeper/cgroup.procs"
		break
	done
	grep -q . "$dir/escaped/deeper/cgroup.procs"
	run -0 rt delete --force "$CID"
	[ ! -e "$dir" ]
}

@test "cgroups: update errors: bad values, missing or stopped container (one line, nothing changed)" {
	set_args sleep 300
	run -0 run_detached "$CID"
	run --separate-stderr rt update --memory 12zb "$CID"
	assert_one_line_error
	assert_contains "$stderr" memory
	run --separate-stderr rt update --pids-limit -7 "$CID"
	assert_one_line_error
	echo '{"memory": {"limit": "big"}}' >"$TESTDIR/r.json"
	run --separate-stderr rt update -r "$TESTDIR/r.json" "$CID"
	assert_one_line_error
	run --separate-stderr rt update -r "$TESTDIR/missing.json" "$CID"
	assert_one_line_error
	run --separate-stderr rt update --memory 64m "missing-$CID"
	assert_one_line_error
	run -0 rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	run --separate-stderr rt update --memory 64m "$CID"
	assert_one_line_error
	assert_contains "$stderr" stopped
	run -0 rt delete "$CID"
}

@test "cgroups: a controller the host lacks: clear error naming it and the cgroup mode, nothing left" {
	mode="$(cg_mode)"
	ctrl=""
	for c in hugetlb rdma misc; do
		if [ "$mode" = unified ]; then
			grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || { ctrl=$c; break; }
		else
			[ -d "/sys/fs/cgroup/$c" ] || { ctrl=$c; break; }
		fi
	done
	[ -n "$ctrl" ] || skip "this host has the hugetlb, rdma and misc controllers"
	case $ctrl in
	hugetlb) update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 0}]' ;;
	rdma) update_config '.linux.resources.rdma = {"mlx5_0": {"hcaHandles": 1}}' ;;
	misc) update_config '.linux.resources.unified = {"misc.max": "res_a 1"}' ;;
	esac
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "$ctrl"
	assert_contains "$stderr" "cgroup mode: $mode"
	run ! rt state "$CID"
	[ ! -e "$ROOT/$CID" ]
}

@test "cgroups: linux.resources.unified with a bad key: error before anything exists" {
	for k in '../cgroup.procs' 'memory/max' 'nodot' '..'; do
		update_config '.linux.resources.unified = {($k): "1"}' --arg k "$k"
		run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
		assert_one_line_error
		assert_contains "$stderr" unified
		[ ! -e "$ROOT/$CID" ]
	done
}
