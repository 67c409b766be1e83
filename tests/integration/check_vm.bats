#!/usr/bin/env bats
# skiff check's facts a test may fake only in the VM tier (cgroup v2 with
# every controller; Debian's kernel there has kernel.unprivileged_userns_clone,
# a global sysctl no test may touch on a shared host): that switch, and a
# delegated cgroup whose parent passes some controllers.  Elsewhere skipped.

load helpers
load check_helpers

SYSCTL=/proc/sys/kernel/unprivileged_userns_clone

setup() {
	[ -n "${SKIFF_VM:-}" ] || skip "flips a global sysctl: the VM tier only (tests/vm/run.sh)"
	common_setup
	is_skiff || skip "skiff-specific command"
}

teardown() {
	[ ! -w "$SYSCTL" ] || echo 1 >"$SYSCTL"
	[ -z "${PARENT:-}" ] || rmdir "$PARENT"/* "$PARENT" 2>/dev/null || true
	common_teardown
}

@test "check (VM): kernel.unprivileged_userns_clone=0: root is told the sysctl; rootless is blocked, exit 1" {
	[ -w "$SYSCTL" ] || skip "no kernel.unprivileged_userns_clone (not Debian's kernel)"
	nobody_skiff
	run -0 "$SKIFF" check --json
	assert_eq "$(fact userns.unprivileged)" ok
	echo 0 >"$SYSCTL"
	# root can still run a default container
	run -0 "$SKIFF" check --json
	assert_eq "$(fact userns)" ok
	assert_eq "$(fact userns.unprivileged)" missing
	assert_contains "$(fact userns.unprivileged value)" "kernel.unprivileged_userns_clone is 0"
	assert_contains "$(fact userns.unprivileged fix)" "sysctl -w kernel.unprivileged_userns_clone=1"
	run -1 setpriv --reuid nobody --regid nogroup --clear-groups "$TESTDIR/skiff-nobody" check
	grep -qE '^blocked +userns +kernel.unprivileged_userns_clone is 0' <<<"$output"
	assert_contains "$output" "fix: sysctl -w kernel.unprivileged_userns_clone=1"
	assert_eq "${lines[-1]}" 'skiff cannot run a default container here: see "blocked" above'
	# the sandbox as nobody: a one-line error naming the blocker
	mkdir -m 777 "$TESTDIR/work"
	run --separate-stderr sh -c 'cd "$1" && exec setpriv --reuid nobody --regid nogroup --clear-groups \
		"$2" --root "$1/state" sandbox -- true' sh "$TESTDIR/work" "$TESTDIR/skiff-nobody"
	[ "$status" -ne 0 ]
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1
	echo 1 >"$SYSCTL"
	run -0 setpriv --reuid nobody --regid nogroup --clear-groups "$TESTDIR/skiff-nobody" check --json
	assert_eq "$(fact userns)" ok
}

@test "check (VM): rootless in a delegated cgroup: the controllers its parent does not pass are named" {
	nobody_skiff
	PARENT="/sys/fs/cgroup/skt-parent-$$"
	mkdir "$PARENT"
	echo +pids >"$PARENT/cgroup.subtree_control"
	mkdir "$PARENT/d"
	chown nobody: "$PARENT/d" "$PARENT/d/cgroup.procs" "$PARENT/d/cgroup.subtree_control" "$PARENT/d/cgroup.threads"
	in_d() {
		sh -c 'echo $$ >"$1/cgroup.procs" && exec setpriv --reuid nobody --regid nogroup --clear-groups \
			"$2" check --json' sh "$PARENT/d" "$TESTDIR/skiff-nobody"
	}
	run -0 in_d
	assert_eq "$(fact cgroup.delegation)" missing
	assert_contains "$(fact cgroup.delegation value)" "does not pass it the memory cpu io controllers"
	assert_contains "$(fact cgroup.delegation fix)" "Delegate=cpu cpuset io memory pids"
	echo "+memory +cpu +io" >"$PARENT/cgroup.subtree_control"
	run -0 in_d
	assert_eq "$(fact cgroup.delegation)" ok
	assert_contains "$(fact cgroup.delegation value)" "(delegated, with memory pids cpu io)"
}
