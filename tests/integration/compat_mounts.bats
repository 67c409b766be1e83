#!/usr/bin/env bats
# Mounts and the root filesystem as runc does them (issue #20): special
# mount targets, --no-pivot, no mount namespace, tmpfs modes, mount order,
# read-only /dev, bind flags, hooks' working directory, process.cwd.
# Runs against runc too (SKIFF=$(command -v runc)): skiff-only wording is
# guarded with is_skiff.

load fields_helpers

# umount_all PATH: every mount stacked on PATH (bounded).
umount_all() {
	local i
	for i in 1 2 3 4 5 6 7 8; do
		mountpoint -q "$1" || return 0
		umount -l "$1"
	done
}

teardown() {
	# a /proc the test bound into the rootfs (never left for rm -rf)
	[ -z "${PROC_BOUND:-}" ] || umount_all "$ROOTFS/proc"
	[ -z "${LOCKED_MNT:-}" ] || umount_all "$LOCKED_MNT"
	common_teardown
}

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

# No mount namespace in linux.namespaces, and nothing that would mount.
no_mntns_config() {
	update_config '.linux.namespaces -= [{"type": "mount"}] | .mounts = []
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []'
}

@test "compat mounts: without a mount namespace the container shares the runtime's, chroot'ed into its root" {
	no_mntns_config
	# (the runtime mounts nothing then: the test gives the rootfs a /proc,
	# which runc needs)
	mount --bind /proc "$ROOTFS/proc"
	PROC_BOUND=1
	set_args sh -c '[ -x /bin/busybox ] && [ ! -e /usr ] && echo in-rootfs; readlink /proc/self/ns/mnt'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	assert_eq "$output" "in-rootfs
$(readlink /proc/self/ns/mnt)"
	set_args sleep 60
	run -0 run_detached "$CID"
	pid="$(pid_of "$CID")"
	assert_eq "$(readlink /proc/$pid/ns/mnt)" "$(readlink /proc/self/ns/mnt)"
	[ "/proc/$pid/root/bin/busybox" -ef "$ROOTFS/bin/busybox" ]
	# skiff-specific: exec joins the chroot (runc's exec runs in the
	# runtime's root then)
	if is_skiff; then
		run -0 rt exec "$CID" sh -c '[ -x /bin/busybox ] && [ ! -e /usr ] && echo in-rootfs'
		assert_eq "$output" in-rootfs
	fi
	rt delete -f "$CID"
	# runc binds the rootfs on itself in the runtime's namespace and
	# leaves it there
	is_skiff || umount_all "$ROOTFS"
	umount "$ROOTFS/proc"
	PROC_BOUND=
	[ -z "$(_test_mounts)" ]
}

@test "compat mounts: without a mount namespace masked and read-only paths are refused" {
	no_mntns_config
	update_config '.linux.maskedPaths = ["/proc/kcore"]'
	expect_run_error "unable to restrict sys entries without a private MNT namespace"
	update_config '.linux.maskedPaths = [] | .linux.readonlyPaths = ["/proc/sys"]'
	expect_run_error "unable to restrict sys entries without a private MNT namespace"
}

@test "compat mounts: without a mount namespace what would change the runtime's mounts is refused" {
	# skiff-specific: runc mounts these in its own namespace and leaves
	# them there (and runc 1.1 unmounts the runtime's /proc and /sys with
	# --no-pivot): not run against runc
	is_skiff || skip "runc changes the runtime's mounts here"
	no_mntns_config
	set_args true
	run --separate-stderr rt run --no-pivot --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "unable to use no-pivot without a private MNT namespace"
	update_config '.mounts = [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}]'
	expect_run_error "mounts:" "mount namespace"
	update_config '.mounts = [] | .root.readonly = true'
	expect_run_error "root.readonly:" "mount namespace"
	update_config '.root.readonly = false | .linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]'
	expect_run_error "linux.devices:" "mount namespace"
	[ -z "$(_test_mounts)" ]
}

@test "compat mounts: createContainer hooks run in the container's root directory" {
	update_config '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "pwd -P >\"$1\"", "sh", $f]}]' \
		--arg f "$TESTDIR/hook.cwd"
	set_args true
	run -0 rt run --bundle "$BUNDLE" "$CID"
	assert_eq "$(cat "$TESTDIR/hook.cwd")" "$(cd "$ROOTFS" && pwd -P)"
}

@test "compat mounts: a missing process.cwd is made before the root is read-only" {
	update_config '.root.readonly = true | .process.cwd = "/made/for/it"'
	set_args sh -c 'pwd; touch x 2>/dev/null || echo read-only'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	assert_eq "$output" "/made/for/it
read-only"
	[ -d "$ROOTFS/made/for/it" ]
}

# add_tmpfs DEST OPTIONS_JSON
add_tmpfs() {
	update_config '.mounts += [{"destination": $d, "type": "tmpfs", "source": "tmpfs", "options": $o}]' \
		--arg d "$1" --argjson o "$2"
}

@test "compat mounts: a tmpfs over a directory keeps its mode, set-id bits included" {
	mkdir -p "$ROOTFS/sgid" "$ROOTFS/suid"
	chmod 2751 "$ROOTFS/sgid"
	chmod 4700 "$ROOTFS/suid"
	add_tmpfs /sgid '["nosuid"]'
	add_tmpfs /suid '["ro"]'
	add_tmpfs /new '[]'
	set_args sh -c 'stat -c "%n %a" /sgid /suid /new; touch /suid/x 2>/dev/null || echo ro
		awk '\''$5 ~ /^\/(sgid|suid|new)$/ { print $9 }'\'' /proc/self/mountinfo | uniq'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	# a new directory: tmpfs's own 1777
	assert_eq "$output" "/sgid 2751
/suid 4700
/new 1777
ro
tmpfs"
}

@test "compat mounts: a tmpfs with mode= has that mode at its root" {
	mkdir -p "$ROOTFS/data"
	chmod 755 "$ROOTFS/data"
	add_tmpfs /data '["mode=1710"]'
	add_tmpfs /rodata '["ro", "mode=2750"]'
	set_args sh -c 'stat -c "%n %a" /data /rodata; touch /rodata/x 2>/dev/null || echo ro'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	if is_runc; then
		# runc 1.1 sets the mode of the directory it covers over mode=
		assert_eq "${lines[0]}" "/data 755"
	else
		assert_eq "${lines[0]}" "/data 1710"
	fi
	assert_eq "${lines[1]}" "/rodata 2750"
	assert_eq "${lines[2]}" ro
}

@test "compat mounts: a read-only /dev gets its devices and symlinks first" {
	update_config '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	set_args sh -c 'echo x >/dev/null && head -c 2 /dev/zero | wc -c; readlink /dev/ptmx; readlink /dev/fd; touch /dev/new 2>/dev/null || echo ro
		awk '\''$5 == "/dev" { print $6 }'\'' /proc/self/mountinfo | tr , "\n" | grep -x ro'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	assert_eq "$output" "2
pts/ptmx
/proc/self/fd
ro
ro"
}

@test "compat mounts: a bind source inside the rootfs made by an earlier mount is resolved at its turn" {
	mkdir -p "$TESTDIR/src"
	echo from-src >"$TESTDIR/src/file"
	add_tmpfs /a '[]'
	update_config '.mounts += [
		{"destination": "/a/x", "type": "bind", "source": $s, "options": ["rbind"]},
		{"destination": "/b", "type": "bind", "source": ($r + "/a/x"), "options": ["rbind", "ro"]}]' \
		--arg s "$TESTDIR/src" --arg r "$ROOTFS"
	set_args sh -c 'cat /b/file; touch /b/y 2>/dev/null || echo ro'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	assert_eq "$output" "from-src
ro"
	# on the host the rootfs has no /a/x
	[ ! -e "$ROOTFS/a/x" ]
}

@test "compat mounts: an id-mapped bind whose source an earlier mount made" {
	mkdir -p "$TESTDIR/src"
	touch "$TESTDIR/src/file"
	add_tmpfs /a '[]'
	update_config '.mounts += [
		{"destination": "/a/x", "type": "bind", "source": $s, "options": ["rbind"]},
		{"destination": "/b", "type": "bind", "source": ($r + "/a/x"), "options": ["rbind", "idmap"],
		 "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
		 "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]' \
		--arg s "$TESTDIR/src" --arg r "$ROOTFS"
	set_args sh -c 'stat -c "%u %g" /a/x/file /b/file'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	# (a file of uid 0 on the source shows as 1000 through the mount)
	if is_runc; then
		# runc 1.1 has no id-mapped mounts: it ignores idmap
		assert_eq "$output" "0 0
0 0"
	else
		assert_eq "$output" "0 0
1000 1000"
	fi
}

# bind_opts OPTIONS_JSON: the per-mount options of a bind of $TESTDIR/src
# on /m, seen in the container (one per line, sorted)
bind_opts() {
	update_config '.mounts |= map(select(.destination != "/m"))
		| .mounts += [{"destination": "/m", "type": "bind", "source": $s, "options": $o}]' \
		--arg s "$TESTDIR/src" --argjson o "$1"
	set_args sh -c 'awk '\''$5 == "/m" { print $6 }'\'' /proc/self/mountinfo | tail -1 | tr , "\n" | sort'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	echo "$output" | paste -sd, -
}

@test "compat mounts: atime options on a bind mount" {
	mkdir -p "$TESTDIR/src"
	assert_eq "$(bind_opts '["bind", "nodiratime"]')" "nodiratime,relatime,rw"
	assert_eq "$(bind_opts '["bind", "noatime"]')" "noatime,rw"
	assert_eq "$(bind_opts '["bind", "strictatime"]')" "rw"
	assert_eq "$(bind_opts '["bind", "relatime", "nodiratime", "ro"]')" "nodiratime,relatime,ro"
	assert_eq "$(bind_opts '["bind", "noatime", "nodiratime", "nosuid"]')" "noatime,nodiratime,nosuid,rw"
}

@test "compat mounts: a bind of a mount with locked flags keeps them (user namespace)" {
	userns_config
	mkdir -p "$TESTDIR/src" "$ROOTFS/m"
	chmod o+x "$TESTDIR"
	mount -t tmpfs -o nosuid,nodev,noexec,noatime tmpfs "$TESTDIR/src"
	LOCKED_MNT="$TESTDIR/src"
	if is_runc; then
		# runc 1.1 does not add the locked flags when it remounts
		# (EPERM; runc 1.2 does): only that it fails is checked
		update_config '.mounts += [{"destination": "/m", "type": "bind", "source": $s, "options": ["bind", "ro"]}]' \
			--arg s "$TESTDIR/src"
		expect_run_error
		return
	fi
	# asking for none of them, or for the same: the locked ones stay
	assert_eq "$(bind_opts '["bind", "ro"]')" "noatime,nodev,noexec,nosuid,ro"
	assert_eq "$(bind_opts '["bind", "nosuid", "noatime"]')" "noatime,nodev,noexec,nosuid,rw"
	# clearing a locked flag, or another atime: refused
	update_config '.mounts[-1].options = ["bind", "suid"]'
	expect_run_error
	if is_skiff; then
		assert_contains "$stderr" "cannot clear locked flags"
	fi
	update_config '.mounts[-1].options = ["bind", "strictatime"]'
	expect_run_error
	if is_skiff; then
		assert_contains "$stderr" "cannot change locked atime flags"
	fi
	umount "$TESTDIR/src"
	LOCKED_MNT=
}

@test "compat mounts: a bind source only the host's root can reach works with a user namespace" {
	userns_config
	mkdir -p "$TESTDIR/priv/src" "$ROOTFS/m" "$ROOTFS/later"
	chmod o+x "$TESTDIR"
	# the container's root (host uid 100000) cannot pass priv/
	chmod 700 "$TESTDIR/priv"
	echo reached >"$TESTDIR/priv/src/f"
	update_config '.mounts += [{"destination": "/m", "type": "bind", "source": $s, "options": ["rbind", "ro"]},
		{"destination": "/later", "type": "tmpfs", "source": "tmpfs"}]' --arg s "$TESTDIR/priv/src"
	set_args sh -c 'cat /m/f; id -u; touch /m/x 2>/dev/null || echo ro'
	run -0 rt run --bundle "$BUNDLE" "$CID"
	assert_eq "$output" "reached
0
ro"
}
