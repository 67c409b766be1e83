#!/usr/bin/env bats
# skiff's D-Bus client (base/dbus.h) and systemd's API (cgroups/systemd.h)
# against a real systemd, through tests/tools/dbus_probe: transient scopes
# with properties, their cgroups, stop and reset-failed, D-Bus errors, the
# bounded wait for a job.  Needs systemd as PID 1 on cgroup v2: the VM tier
# runs it (VM_CGROUP=systemd tests/vm/run.sh); elsewhere every test is skipped.

bats_require_minimum_version 1.5.0

PROBE="$BATS_TEST_DIRNAME/../tools/dbus_probe"
CG=/sys/fs/cgroup

setup_file() {
	if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] ||
		[ "$(stat -f -c %T $CG)" != cgroup2fs ]; then
		return 0
	fi
	# the host's build has it after `make check`; else build it (make check does)
	if [ ! -x "$PROBE" ]; then
		make -C "$BATS_TEST_DIRNAME/../.." tests/tools/dbus_probe >&2
	fi
}

setup() {
	if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] ||
		[ "$(stat -f -c %T $CG)" != cgroup2fs ]; then
		skip "needs systemd as PID 1 on cgroup v2 (the VM tier: VM_CGROUP=systemd tests/vm/run.sh)"
	fi
	[ -x "$PROBE" ]
	UNIT="skiff-probe-$BATS_TEST_NUMBER-$$.scope"
	SLEEPER=
}

teardown() {
	[ -n "${UNIT:-}" ] || return 0
	local left=
	if systemctl is-active -q "$UNIT" 2>/dev/null; then
		left="unit $UNIT still active"
		systemctl stop "$UNIT"
	fi
	systemctl reset-failed "$UNIT" 2>/dev/null
	[ -d "$CG/system.slice/$UNIT" ] && left="$left cgroup $CG/system.slice/$UNIT"
	[ -n "$SLEEPER" ] && kill -9 "$SLEEPER" 2>/dev/null
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# a process to put in the scope (not a child of bats' test: nothing waits on it)
start_sleeper() {
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	SLEEPER=$!
}

# wait_gone PID: at most 20 s for PID to end (a zombie has ended)
wait_gone() {
	local i
	for i in $(seq 100); do
		[ -e "/proc/$1" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null || return 0
		sleep 0.2
	done
	return 1
}

# prop NAME: the unit's property
prop() {
	systemctl show -P "$1" "$UNIT"
}

# start_scope [--private]: the probe's scope of $SLEEPER (64 MiB, 32 tasks)
start_scope() {
	run -0 "$PROBE" "$@" start "$UNIT" system.slice "$SLEEPER" 67108864 32
	[[ "$output" =~ ^/org/freedesktop/systemd1/job/[0-9]+$ ]]
}

check_scope() {
	[ "$(prop ActiveState)" = active ]
	[ "$(prop Delegate)" = yes ]
	[ "$(prop Slice)" = system.slice ]
	[ "$(prop Description)" = "skiff probe" ]
	[ "$(prop MemoryMax)" = 67108864 ]
	[ "$(prop TasksMax)" = 32 ]
	[ "$(prop CPUWeight)" = 50 ]
	[ "$(prop CPUQuotaPerSecUSec)" = 500ms ]
	[ "$(prop DevicePolicy)" = strict ]
	[[ "$(prop DeviceAllow)" == *"/dev/null rwm"* ]]
	[ "$(prop AllowedCPUs)" = 0 ]
	[ "$(prop ControlGroup)" = "/system.slice/$UNIT" ]
	# the cgroup, with the process and the limits in its files
	local d="$CG/system.slice/$UNIT"
	grep -qx "$SLEEPER" "$d/cgroup.procs"
	[ "$(cat /proc/$SLEEPER/cgroup)" = "0::/system.slice/$UNIT" ]
	[ "$(cat "$d/memory.max")" = 67108864 ]
	[ "$(cat "$d/pids.max")" = 32 ]
	[ "$(cat "$d/cpu.weight")" = 50 ]
	[ "$(cat "$d/cpu.max")" = "50000 100000" ]
	# Delegate=yes: the scope's cgroup files belong to the delegate (the
	# controllers are available below it)
	grep -qw memory "$d/cgroup.controllers"
}

stop_scope() {
	run -0 "$PROBE" "$@" stop "$UNIT"
	[[ "$output" =~ ^/org/freedesktop/systemd1/job/[0-9]+$ ]]
	wait_gone "$SLEEPER"
	[ ! -d "$CG/system.slice/$UNIT" ]
	[ "$(prop LoadState)" = not-found ]
	[ "$(prop ActiveState)" = inactive ]
}

@test "systemd: StartTransientUnit over the system bus: a delegated scope with its properties and cgroup; StopUnit and ResetFailedUnit remove it" {
	start_sleeper
	start_scope
	check_scope
	stop_scope
}

@test "systemd: the same over systemd's private socket (no bus daemon)" {
	start_sleeper
	start_scope --private
	check_scope
	stop_scope --private
}

@test "systemd: GetUnit of a unit that does not exist: the D-Bus error name and message" {
	run -1 "$PROBE" get "skiff-none-$$.scope"
	[ "$output" = "dbus_probe: org.freedesktop.systemd1.NoSuchUnit: Unit skiff-none-$$.scope not loaded." ]
	run -1 "$PROBE" --private get "skiff-none-$$.scope"
	[[ "$output" == "dbus_probe: org.freedesktop.systemd1.NoSuchUnit: "* ]]
}

@test "systemd: StartTransientUnit refused (a bad unit name, a process that does not exist): the error, nothing left" {
	run -1 "$PROBE" start "skiff-bad-$$" system.slice 1 67108864 32
	[[ "$output" == "dbus_probe: org.freedesktop.DBus.Error.InvalidArgs: "* ]]
	# a pid that is not running: systemd refuses the scope
	start_sleeper
	kill -9 "$SLEEPER"
	wait_gone "$SLEEPER"
	run -1 "$PROBE" start "$UNIT" system.slice "$SLEEPER" 67108864 32
	[[ "$output" == "dbus_probe: org.freedesktop."* ]]
	[ ! -d "$CG/system.slice/$UNIT" ]
	SLEEPER=
}

@test "systemd: the wait for a JobRemoved that never comes is bounded" {
	local t0=$SECONDS
	run -1 "$PROBE" wait-job /org/freedesktop/systemd1/job/999999 2000
	[ "$output" = "dbus_probe: D-Bus: no answer in time" ]
	[ $((SECONDS - t0)) -lt 15 ]
}

@test "systemd: the messages of a real systemd decode (recorded: a method return with a job path, JobRemoved)" {
	start_sleeper
	local rec="$BATS_TEST_TMPDIR/rec"
	run -0 "$PROBE" --private --record "$rec" start "$UNIT" system.slice "$SLEEPER" 67108864 32
	# every message the probe received decoded (or it failed): signals, the
	# reply with the job path, JobRemoved
	[ "$(stat -c %s "$rec")" -gt 1000 ]
	# SKIFF_DBUS_RECORD=1 (e.g. VM_CMD='SKIFF_DBUS_RECORD=1 bats tests/integration/systemd.bats'):
	# the messages in hex, for tests/unit/data/dbus/systemd_return.bin
	[ -z "${SKIFF_DBUS_RECORD:-}" ] ||
		echo "# recorded from systemd $(systemctl --version | sed -n '1s/systemd //p'): $(od -An -v -tx1 "$rec" | tr -d ' \n')" >&3
	stop_scope --private
}
