#!/usr/bin/env bats
# Mounts and the root filesystem as runc does them (issue #20): special
# mount targets, --no-pivot, no mount namespace, tmpfs modes, mount order,
# read-only /dev, bind flags, hooks' working directory, process.cwd.
# Runs against runc too (SKIFF=$(command -v runc)): skiff-only wording is
# guarded with is_skiff.

load helpers

# expect_run_error WORD...: `run` fails promptly (within SKIFF_TIMEOUT) with
# one line on stderr naming each WORD (skiff) and leaves no container.
expect_run_error() {
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 124 ] || { echo "run timed out" >&2; return 1; }
	if is_skiff; then
		assert_one_line_error
	else
		[ "$status" -ne 0 ]
	fi
	local w
	for w in "$@"; do
		# (runc logs the message quoted, with \" for ")
		assert_contains "${stderr//\\\"/\"}" "$w"
	done
	run ! rt state "$CID"
}

@test "compat mounts: /proc as a symlink in the rootfs is refused, not followed" {
	local t
	for t in /symlink /tmp ../../proc /proc; do
		rm -rf "$ROOTFS/proc" "$ROOTFS/symlink"
		ln -s "$t" "$ROOTFS/proc"
		set_args true
		SKIFF_TIMEOUT=10 expect_run_error 'filesystem "proc" must be mounted on ordinary directory'
		# nothing was mounted or made through the link
		[ ! -e "$ROOTFS/symlink" ]
		[ -z "$(ls -A "$ROOTFS/tmp")" ]
	done
}

@test "compat mounts: /sys as a symlink in the rootfs is refused, not followed" {
	rm -rf "$ROOTFS/sys"
	ln -s /symlink "$ROOTFS/sys"
	set_args true
	SKIFF_TIMEOUT=10 expect_run_error
	[ ! -e "$ROOTFS/symlink" ]
	if is_skiff; then
		assert_contains "$stderr" 'filesystem "sysfs" must be mounted on ordinary directory'
	fi
}

# The container may make user namespaces of its own (mapping its root needs
# CAP_SETFCAP since Linux 5.12).
allow_nested_userns() {
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SETFCAP"]) | del(.linux.seccomp)'
}

@test "compat mounts: --no-pivot: a nested user+pid namespace cannot mount a fresh procfs" {
	allow_nested_userns
	# what the check needs works: a nested user namespace, and mount
	# namespace with the container's /proc
	set_args unshare -Urmf sh -c 'id -u; grep -c " - proc " /proc/self/mountinfo'
	run -0 rt run --no-pivot --bundle "$BUNDLE" "$CID"
	assert_eq "${lines[0]}" 0
	local opt
	update_config '.linux.maskedPaths += ["/proc/cmdline"]'
	for opt in "" --no-pivot; do
		set_args unshare -Urpf --mount-proc sh -c 'echo mounted; head -1 /proc/1/status'
		run rt run $opt --bundle "$BUNDLE" "$CID"
		echo "run $opt: $status $output"
		[ "$status" -ne 0 ]
		assert_not_contains "$output" mounted
		assert_contains "$output" "Operation not permitted"
		# the masked and read-only paths hold, the host's /proc and /sys
		# are not in sight
		set_args sh -c 'wc -c </proc/cmdline; (echo 1 >/proc/sys/kernel/ns_last_pid) 2>/dev/null || echo ro
			awk '\''$4 == "/" && / - (proc|sysfs) /'\'' /proc/self/mountinfo | wc -l'
		run -0 rt run $opt --bundle "$BUNDLE" "$CID"
		assert_eq "$output" "0
ro
2"
	done
}
