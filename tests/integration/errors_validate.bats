#!/usr/bin/env bats
# The validation pass (oci/validate.c): config checks that need no kernel
# fail before anything is created.  Each case has a createRuntime hook
# that would leave a marker once the container exists: the checks here
# used to run in the container init (after clone3, the cgroup and the
# mounts), so the marker proves they now run first.  One line naming the
# field, non-zero exit, no state entry, no cgroup (common_teardown checks
# state dirs, mounts, cgroups and processes too).

load fields_helpers

setup() {
	common_setup
	MARK="$TESTDIR/created"
	CGNAME="skiff-validate-$CID"
	update_config '.hooks.createRuntime = [{"path": "/bin/touch", "args": ["touch", $m]}]
		| .linux.cgroupsPath = "/" + $cg' --arg m "$MARK" --arg cg "$CGNAME"
}

# expect_early_error JQ_FILTER FIELD...: with the filter applied, `create`
# and `run` fail at validation: one line, "config.json: FIELD...", and
# nothing was ever created.
expect_early_error() {
	local filter="$1" cmd
	shift
	update_config "$filter"
	for cmd in create run; do
		if [ $cmd = create ]; then
			run --separate-stderr create_ctr "$CID"
		else
			run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
		fi
		assert_one_line_error
		if is_skiff; then
			assert_contains "$stderr" "config.json: $1"
			local w
			for w in "${@:2}"; do assert_contains "$stderr" "$w"; done
		fi
		[ ! -e "$MARK" ] || { echo "the container was created before the error" >&2; return 1; }
		run ! rt state "$CID"
		[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "$CGNAME" 2>/dev/null)" ] ||
			{ echo "cgroup $CGNAME left" >&2; return 1; }
	done
}

@test "validate: the createRuntime marker does appear for a good config (the probe works)" {
	set_args true
	run -0 rt run --bundle "$BUNDLE" "$CID" </dev/null
	[ -e "$MARK" ]
}

@test "validate: process.ioPriority.priority out of 0..7" {
	expect_early_error '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 9}' \
		process.ioPriority.priority "0..7"
}

@test "validate: process.scheduler.policy SCHED_ISO (in the spec, not in Linux)" {
	expect_early_error '.process.scheduler = {"policy": "SCHED_ISO"}' \
		process.scheduler.policy SCHED_ISO
}

@test "validate: process.scheduler.nice out of -20..19" {
	expect_early_error '.process.scheduler = {"policy": "SCHED_OTHER", "nice": 20}' \
		process.scheduler.nice
}

@test "validate: linux.personality.flags (the spec defines none)" {
	expect_early_error '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}' \
		linux.personality.flags ADDR_NO_RANDOMIZE
}

@test "validate: process.execCPUAffinity malformed or beyond 1023" {
	expect_early_error '.process.execCPUAffinity = {"final": "1-x"}' process.execCPUAffinity.final
	expect_early_error '.process.execCPUAffinity = {"initial": "5000"}' process.execCPUAffinity.initial
}

@test "validate: linux.memoryPolicy.nodes malformed" {
	expect_early_error '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0-"}' linux.memoryPolicy.nodes
}

@test "validate: process.rlimits soft above hard" {
	expect_early_error '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]' \
		"process.rlimits[0]" "above the hard limit"
}

@test "validate: linux.seccomp errnoRet, NOTIFY and argument index rules" {
	expect_early_error '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1}' \
		linux.seccomp.defaultErrnoRet
	expect_early_error '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 70000}]}' \
		"linux.seccomp.syscalls[0].errnoRet" "out of range"
	expect_early_error '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/nonexistent"}' \
		linux.seccomp.defaultAction
	expect_early_error '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent", "syscalls": [{"names": ["write"], "action": "SCMP_ACT_NOTIFY"}]}' \
		"linux.seccomp.syscalls[0]" write
	expect_early_error '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["close"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' \
		"linux.seccomp.syscalls[0].args[0].index"
}

@test "validate: exec --process checks the same fields before the exec process exists" {
	set_args sleep 300
	update_config 'del(.hooks)'
	run -0 create_ctr "$CID"
	jq -n '{"args": ["true"], "cwd": "/", "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 8}}' >"$TESTDIR/p.json"
	run --separate-stderr rt exec --process "$TESTDIR/p.json" "$CID"
	assert_one_line_error
	if is_skiff; then assert_contains "$stderr" "ioPriority.priority"; fi
	jq -n '{"args": ["true"], "cwd": "/", "scheduler": {"policy": "SCHED_ISO"}}' >"$TESTDIR/p.json"
	run --separate-stderr rt exec --process "$TESTDIR/p.json" "$CID"
	assert_one_line_error
	if is_skiff; then assert_contains "$stderr" "scheduler.policy"; fi
	rt delete --force "$CID"
}

@test "validate: linux.timeOffsets without a new time namespace, mappings without a user namespace" {
	expect_early_error '.linux.timeOffsets = {"boottime": {"secs": 5}}' linux.timeOffsets "time namespace"
	expect_early_error 'del(.linux.timeOffsets) | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]
		| .linux.gidMappings = .linux.uidMappings' linux.uidMappings "user namespace"
}
