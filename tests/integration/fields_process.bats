#!/usr/bin/env bats
# Config fields: process attributes (personality, ioPriority, scheduler,
# execCPUAffinity, memoryPolicy, consoleSize, LSM labels).

load fields_helpers

# created_pid: create the container (sleeping) and print its init's host pid.
created_pid() {
	set_args sleep 300
	create_ctr "$CID" >/dev/null && pid_of "$CID"
}

@test "fields: personality LINUX32 and LINUX" {
	update_config '.linux.personality = {"domain": "LINUX32"}'
	in_ctr 'uname -m'
	assert_eq "$output" i686
	update_config '.linux.personality = {"domain": "LINUX"}'
	in_ctr 'uname -m'
	assert_eq "$output" "$(uname -m)"
}

@test "fields: personality: unknown domain or flags are refused" {
	update_config '.linux.personality = {"domain": "SVR4"}'
	expect_config_error "linux.personality" "SVR4"
	update_config '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
	expect_config_error "linux.personality.flags"
}

@test "fields: ioPriority class and priority (ioprio_get from the host and inside)" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	pid="$(created_pid)"
	run -0 ionice -p "$pid"
	assert_eq "$output" "best-effort: prio 6"
	rt delete --force "$CID"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	in_ctr 'ionice -p $$'
	assert_contains "$output" "idle"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 1}'
	in_ctr 'ionice -p $$'
	assert_eq "$output" "realtime: prio 1"
}

@test "fields: ioPriority: unknown class, priority out of range are refused" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_NONE", "priority": 1}'
	expect_config_error "process.ioPriority"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 9}'
	expect_config_error "process.ioPriority"
}

# RT group scheduling (a v1 cpu hierarchy with cpu.rt_runtime_us): a new
# cgroup has no realtime runtime unless the config gives it some.
rt_budget() {
	local d
	d="$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)cpu(,|$)/ { print $1; exit }')"
	if [ -n "$d" ] && [ -e "$d/cpu.rt_runtime_us" ]; then
		update_config '.linux.resources.cpu.realtimeRuntime = 20000 | .linux.resources.cpu.realtimePeriod = 1000000'
	fi
}

sched_of() { # PID -> "policy prio nice"
	local s
	s="$(chrt -p "$1")"
	echo "$(sed -n 's/.*policy: //p' <<<"$s") $(sed -n 's/.*priority: //p' <<<"$s") $(awk '{ print $19 }' "/proc/$1/stat")"
}

@test "fields: scheduler policies SCHED_OTHER (nice), SCHED_BATCH, SCHED_IDLE" {
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "nice": 7}'
	pid="$(created_pid)"
	assert_eq "$(sched_of "$pid")" "SCHED_OTHER 0 7"
	rt delete --force "$CID"
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": -3}'
	pid="$(created_pid)"
	assert_eq "$(sched_of "$pid")" "SCHED_BATCH 0 -3"
	rt delete --force "$CID"
	update_config '.process.scheduler = {"policy": "SCHED_IDLE"}'
	pid="$(created_pid)"
	assert_eq "$(sched_of "$pid" | cut -d' ' -f1)" SCHED_IDLE
	rt delete --force "$CID"
}

@test "fields: scheduler policies SCHED_FIFO, SCHED_RR with priority and SCHED_FLAG_RESET_ON_FORK" {
	rt_budget
	update_config '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
	pid="$(created_pid)"
	assert_eq "$(sched_of "$pid")" "SCHED_FIFO|SCHED_RESET_ON_FORK 10 0"
	rt delete --force "$CID"
	update_config '.process.scheduler = {"policy": "SCHED_RR", "priority": 5}'
	pid="$(created_pid)"
	assert_eq "$(sched_of "$pid")" "SCHED_RR 5 0"
	rt delete --force "$CID"
}

@test "fields: scheduler policy SCHED_DEADLINE with runtime, deadline, period" {
	update_config '.process.scheduler = {"policy": "SCHED_DEADLINE", "runtime": 1000000, "deadline": 5000000, "period": 10000000}'
	pid="$(created_pid)"
	run -0 chrt -p "$pid"
	assert_contains "$output" SCHED_DEADLINE
	assert_contains "$output" "1000000/5000000/10000000"
	rt delete --force "$CID"
}

@test "fields: scheduler flags SCHED_FLAG_RECLAIM, DL_OVERRUN, KEEP_POLICY, KEEP_PARAMS, UTIL_CLAMP_MIN/MAX" {
	update_config '.process.scheduler = {"policy": "SCHED_DEADLINE", "runtime": 1000000, "deadline": 5000000, "period": 10000000, "flags": ["SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN"]}'
	in_ctr 'cut -d" " -f41 /proc/self/stat'
	assert_eq "$output" 6
	# KEEP_PARAMS: the nice value is not changed
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "nice": 3, "flags": ["SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS"]}'
	in_ctr 'cut -d" " -f19 /proc/self/stat'
	assert_eq "$output" 0
	# utilization clamps: applied where the kernel has them, else a clear error
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX"]}'
	run --separate-stderr create_ctr "$CID"
	if [ "$status" -eq 0 ]; then
		rt delete --force "$CID"
	else
		assert_one_line_error
		assert_contains "$stderr" "process.scheduler.flags"
		assert_contains "$stderr" "not supported by this kernel"
	fi
}

@test "fields: scheduler: unknown policy or flag, bad values are refused" {
	update_config '.process.scheduler = {"policy": "SCHED_FAST"}'
	expect_config_error "process.scheduler"
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_TURBO"]}'
	expect_config_error "process.scheduler" "SCHED_FLAG_TURBO"
	update_config '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 1000}'
	expect_config_error "process.scheduler"
	# a realtime policy without the right to it: the error says why
	update_config '.process.scheduler = {"policy": "SCHED_RR", "priority": 1} | .process.capabilities |= with_entries(.value -= ["CAP_SYS_NICE"])'
	update_config '.process.user.uid = 1000'
	expect_config_error "process.scheduler" "SCHED_RR" "realtime"
}

@test "fields: execCPUAffinity initial and final" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	update_config '.process.execCPUAffinity = {"initial": "0", "final": "1"}'
	in_ctr 'grep Cpus_allowed_list /proc/self/status | cut -f2'
	assert_eq "$output" 1
	update_config '.process.execCPUAffinity = {"initial": "1"}'
	in_ctr 'grep Cpus_allowed_list /proc/self/status | cut -f2'
	assert_eq "$output" 1
	update_config '.process.execCPUAffinity = {"final": "0-1"}'
	in_ctr 'grep Cpus_allowed_list /proc/self/status | cut -f2'
	assert_eq "$output" 0-1
}

@test "fields: execCPUAffinity: malformed lists are refused" {
	update_config '.process.execCPUAffinity = {"final": "1-x"}'
	expect_config_error "process.execCPUAffinity"
	update_config '.process.execCPUAffinity = {"initial": "5000"}'
	expect_config_error "process.execCPUAffinity"
}

@test "fields: linux.memoryPolicy MPOL_BIND and MPOL_INTERLEAVE on node 0" {
	[ -d /sys/devices/system/node/node0 ] || skip "no NUMA"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	in_ctr 'grep -c "bind=static:0\|bind:0" /proc/self/numa_maps'
	[ "$output" -gt 0 ]
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
	in_ctr 'grep -c "interleave:0" /proc/self/numa_maps'
	[ "$output" -gt 0 ]
}

@test "fields: linux.memoryPolicy: unknown mode, flag, node out of range are refused" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_FAST"}'
	expect_config_error "linux.memoryPolicy"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_NOPE"]}'
	expect_config_error "linux.memoryPolicy"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "63"}'
	expect_config_error "linux.memoryPolicy"
}

@test "fields: consoleSize sets the terminal's size" {
	update_config '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 101}'
	set_args stty size
	run -0 rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$(tr -d '\r' <<<"$output")" "33 101"
}

@test "fields: apparmorProfile and selinuxLabel: a clear error on a host without the LSM" {
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
		skip "AppArmor host"
	fi
	update_config '.process.apparmorProfile = "skiff-test"'
	expect_config_error "process.apparmorProfile" "AppArmor is not enabled"
	[ -e /sys/fs/selinux/enforce ] && skip "SELinux host"
	update_config 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
	expect_config_error "process.selinuxLabel" "SELinux is not enabled"
}
