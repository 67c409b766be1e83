#!/usr/bin/env bats
# Hardening against known runtime escapes (runc's and crun's CVEs), a
# hostile rootfs, privilege gain, fd and environment hygiene.

load helpers

tools_dir() {
	local d="$BATS_RUN_TMPDIR/sk-tools"
	(
		flock 9
		[ -x "$d/probe" ] || {
			mkdir -p "$d"
			cc -static -O1 -o "$d/probe" "$REPO_ROOT/tests/syscall_probe.c" &&
				cc -O1 -o "$d/seccomp_agent" "$REPO_ROOT/tests/seccomp_agent.c"
		} >&2
	) 9>"$BATS_RUN_TMPDIR/sk-tools.lock"
	echo "$d"
}

# ------------------------------------------------------------ CVE-2019-5736

# A container process finds a skiff process in its pid namespace, keeps
# /proc/<pid>/exe open, and once that skiff is gone reopens it for writing.
# The skiff used here is a copy, so a vulnerable build only breaks the copy.
@test "security: CVE-2019-5736: skiff joining a pid namespace cannot be overwritten through /proc/<pid>/exe" {
	local sk="$TESTDIR/skiff-copy" b2="$TESTDIR/bundle2" apid sum
	cp "$SKIFF" "$sk"
	sum="$(sha256sum <"$sk")"
	set_args sh -c '
		while :; do
			for p in /proc/[0-9]*; do
				case "$(readlink "$p/exe" 2>/dev/null)" in
				*skiff*) exec 3<"$p/exe" && { readlink "$p/exe" >/tmp/opened; break 2; } ;;
				esac
			done
			sleep 0.05
		done
		while [ ! -e /tmp/go ]; do sleep 0.05; done
		{ echo PWNED >/proc/self/fd/3; } 2>/tmp/err; echo "rc=$?" >/tmp/result
		sleep 100'
	run_detached "$CID"
	apid="$(pid_of "$CID")"
	# container 2 joins container 1's pid namespace, with the copied skiff
	mkdir -p "$b2"
	jq --arg r "$ROOTFS" --arg ns "/proc/$apid/ns/pid" \
		'.root.path = $r | .process.args = ["true"] |
		 .linux.namespaces = [.linux.namespaces[] | if .type == "pid" then .path = $ns else . end]' \
		"$BUNDLE/config.json" >"$b2/config.json"
	timeout 20 "$sk" --root "$ROOT" create --bundle "$b2" "$CID-2" </dev/null >/dev/null 2>"$TESTDIR/c2.err" ||
		{ cat "$TESTDIR/c2.err"; false; }
	wait_for_file "$ROOTFS/tmp/opened"
	timeout 20 "$sk" --root "$ROOT" delete --force "$CID-2"
	touch "$ROOTFS/tmp/go"
	wait_for_file "$ROOTFS/tmp/result"
	echo "exe seen: $(cat "$ROOTFS/tmp/opened"), write: $(cat "$ROOTFS/tmp/result") $(cat "$ROOTFS/tmp/err")"
	assert_eq "$(sha256sum <"$sk")" "$sum"
	assert_eq "$(cat "$ROOTFS/tmp/result")" "rc=1"
	rt delete --force "$CID"
}

# `exec` re-executes itself from the sealed copy before it joins anything:
# every skiff process a container can see during an exec is that copy.
@test "security: CVE-2019-5736: exec runs from a sealed copy of skiff" {
	is_skiff || skip "skiff's mechanism"
	set_args sleep 100
	run_detached "$CID"
	"$SKIFF" --root "$ROOT" exec "$CID" sleep 2 </dev/null >/dev/null 2>&1 &
	local pid=$! exe=
	for _ in $(seq 40); do
		exe="$(readlink "/proc/$pid/exe" 2>/dev/null)"
		[[ $exe == *memfd* ]] && break
		sleep 0.05
	done
	assert_contains "$exe" "/memfd:skiff"
	# and the copy is sealed: no write, no truncation
	run bash -c "echo x >>/proc/$pid/exe"
	[ "$status" -ne 0 ]
	# it holds what execve needs, the file up to the end of its last
	# segment, and no more (an unstripped build's debug sections stay out)
	local end=0 copy type off va pa fsz rest
	while read -r type off va pa fsz rest; do
		[[ $off == 0x* ]] || continue
		((off + fsz > end)) && end=$((off + fsz))
	done < <(readelf -lW "$SKIFF")
	copy="$(stat -L -c %s "/proc/$pid/exe")"
	[ "$copy" -eq "$end" ] ||
		{ echo "copy $copy bytes, segments end at $end, binary $(stat -c %s "$SKIFF")" >&2; false; }
	wait "$pid"
	rt delete --force "$CID"
}

# The classic shape: the container's binary is a script "#!/proc/self/exe",
# so `exec` of it makes the kernel run skiff's own binary (the exec child's
# /proc/self/exe) as a process of the container.  skiff is dynamically
# linked: without its loader and libraries in the rootfs that execve fails
# with ENOENT, so they are copied in.  The shebang's argument makes that
# skiff block opening its --log fifo until the container process has opened
# /proc/<pid>/exe; once it is gone, the process reopens it for writing.
# The skiff used is a copy, so a vulnerable build only breaks the copy.
@test "security: CVE-2019-5736: a #!/proc/self/exe binary run by exec cannot overwrite skiff" {
	local sk="$TESTDIR/skiff-copy" sum lib
	cp "$SKIFF" "$sk"
	sum="$(sha256sum <"$sk")"
	for lib in $(ldd "$sk" 2>/dev/null | grep -oE '/[^ ]+'); do
		mkdir -p "$ROOTFS$(dirname "$lib")"
		cp -L "$lib" "$ROOTFS$lib"
	done
	printf '#!/proc/self/exe --log=/tmp/logfifo\n' >"$ROOTFS/evil"
	chmod +x "$ROOTFS/evil"
	mkfifo "$ROOTFS/tmp/logfifo"
	set_args sh -c '
		while :; do
			for p in /proc/[0-9]*; do
				case "$(readlink "$p/exe" 2>/dev/null)" in
				*skiff*) exec 3<"$p/exe" && { readlink "$p/exe" >/tmp/opened; break 2; } ;;
				esac
			done
			sleep 0.05
		done
		cat /tmp/logfifo >/tmp/log
		for i in $(seq 200); do
			{ echo PWNED >/proc/self/fd/3; } 2>/tmp/err && break
			grep -q busy /tmp/err || break
			sleep 0.05
		done
		[ -s /tmp/err ] && echo rc=1 >/tmp/result || echo rc=0 >/tmp/result
		sleep 100'
	run_detached "$CID"
	run --separate-stderr timeout 20 "$sk" --root "$ROOT" exec "$CID" /evil
	wait_for_file "$ROOTFS/tmp/result"
	echo "exec: status $status, $stderr; log: $(cat "$ROOTFS/tmp/log")"
	echo "exe seen: $(cat "$ROOTFS/tmp/opened"), write: $(cat "$ROOTFS/tmp/result") $(cat "$ROOTFS/tmp/err")"
	# the attack was set up: the kernel ran skiff in the container
	[ -s "$ROOTFS/tmp/opened" ]
	assert_eq "$(sha256sum <"$sk")" "$sum"
	assert_eq "$(cat "$ROOTFS/tmp/result")" "rc=1"
	if is_skiff; then
		# skiff-specific: what it ran was the sealed copy
		assert_contains "$(cat "$ROOTFS/tmp/opened")" "memfd:skiff"
	fi
	rt delete --force "$CID"
}

@test "security: CVE-2019-5736: a sealed copy is used only when a pid namespace is joined (none on the common path)" {
	is_skiff || skip "skiff's mechanism"
	set_args sh -c 'sleep 100'
	run_detached "$CID"
	run -0 readlink "/proc/$(pid_of "$CID")/exe"
	# after start the init is the container's process: exe is busybox
	assert_contains "$output" busybox
	rt delete --force "$CID"
	# a created-but-not-started init of the common path is skiff itself, not a copy
	create_ctr "$CID"
	run -0 readlink "/proc/$(pid_of "$CID")/exe"
	assert_not_contains "$output" memfd
	rt delete --force "$CID"
}

# ------------------------------------------------------------ CVE-2024-21626

@test "security: CVE-2024-21626: no skiff fd survives into the container" {
	exec 7<"$TESTDIR" 8>"$TESTDIR/fd8"
	in_ctr 'ls /proc/self/fd | sort -n | tr "\n" " "'
	exec 7<&- 8>&-
	# 0 1 2 and the fd ls itself opened on /proc/self/fd
	assert_eq "$output" "0 1 2 3 "
	create_ctr "$CID"
	# the created init holds only its stdio, the sync socket and exec.fifo
	run -0 ls "/proc/$(pid_of "$CID")/fd"
	[ "${#lines[@]}" -le 5 ]
	rt delete --force "$CID"
}

@test "security: CVE-2024-21626: process.cwd /proc/self/fd/N or ../.. cannot reach the host" {
	local n
	echo host >"$TESTDIR/hostmarker"
	for n in 3 4 5 6 7 8 9; do
		update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		exec 7<"$TESTDIR" 8<"$TESTDIR" 9<"$TESTDIR"
		run run_ctr sh -c 'cat hostmarker ../hostmarker ../../hostmarker 2>/dev/null; ls .. | grep -c hostmarker'
		exec 7<&- 8<&- 9<&-
		assert_not_contains "$output" host
	done
	update_config '.process.cwd = "/../../../../.."'
	in_ctr 'pwd; ls / | grep -c busybox; ls /bin/busybox'
	assert_eq "$output" "/
0
/bin/busybox"
}

# ------------------------------------------------------------ CVE-2021-30465

@test "security: CVE-2021-30465: mount targets through symlinks to /, ../../.. and nested stay in the rootfs" {
	before="$(cat /proc/self/mountinfo)"
	mkdir -p "$TESTDIR/src" "$ROOTFS/real"
	echo marker >"$TESTDIR/src/marker"
	ln -s / "$ROOTFS/to-root"
	ln -s ../../../../../../../../../../../../../../../.. "$ROOTFS/up"
	ln -s /up/real "$ROOTFS/nested"
	add_bind_mount "$TESTDIR/src" /to-root/m1
	add_bind_mount "$TESTDIR/src" /up/m2
	add_bind_mount "$TESTDIR/src" /nested/m3
	# an existing host path: /up/tmp would be the host's /tmp
	update_config '.mounts += [{"destination": "/up/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	in_ctr 'cat /m1/marker /m2/marker /real/m3/marker; grep -c " /tmp .* - tmpfs " /proc/self/mountinfo'
	assert_eq "$output" "marker
marker
marker
1"
	[ ! -e /m1 ] && [ ! -e /m2 ] && [ ! -e /m3 ]
	assert_eq "$(cat /proc/self/mountinfo)" "$before"
}

# ------------------------------------------------------------ CVE-2025-31133 / 52565 / 52881

# The attack replaces /dev/null after skiff made it (a container sharing
# the mount, racing); a createContainer hook runs at that very point (after
# the devices, before the masking) and plays the attacker deterministically.
@test "security: CVE-2025-31133: maskedPaths refuse a /dev/null that is not the null device" {
	echo secret >"$ROOTFS/etc/secret"
	local kind
	for kind in symlink file; do
		if [ $kind = symlink ]; then
			swap="rm -f $ROOTFS/dev/null && ln -s /proc/sys/kernel/domainname $ROOTFS/dev/null"
		else
			swap="rm -f $ROOTFS/dev/null && echo notnull >$ROOTFS/dev/null"
		fi
		update_config '.linux.maskedPaths = ["/etc/secret"] | .hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", $s]}]' --arg s "$swap"
		run --separate-stderr run_ctr sh -c 'stat -c "%F %t:%T" /etc/secret'
		if [ "$status" -eq 0 ]; then
			# handled: the masked file is the real null device
			assert_eq "$output" "character special file 1:3"
		else
			assert_one_line_error
			assert_contains "$stderr" "/dev/null"
		fi
	done
}

@test "security: CVE-2025-52565: /dev/console is the pty skiff made, never a symlink target" {
	update_config 'del(.mounts[] | select(.destination == "/dev")) | .process.terminal = true'
	rm -rf "$ROOTFS/dev"
	mkdir -p "$ROOTFS/dev/pts"
	echo marker >"$TESTDIR/host-console"
	ln -s /proc/sys/kernel/domainname "$ROOTFS/dev/console"
	set_args sh -c 'stat -c "%F %t" /dev/console; stat -c %F /proc/sys/kernel/domainname'
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -eq 0 ] || assert_contains "$output" console
	if [ "$status" -eq 0 ]; then
		assert_contains "$output" "character special file 88"
		assert_contains "$output" "regular"
	fi
	[ ! -L "$ROOTFS/dev/console" ] || [ "$status" -ne 0 ]
}

@test "security: CVE-2025-52881: writes to procfs go to procfs; mounts cannot be redirected into /proc" {
	echo 0 >"$TESTDIR/fake"
	update_config 'del(.linux.namespaces[] | select(.type == "network"))'
	# an image symlink turns a volume into an overmount of a procfs file
	ln -s /proc/sys/kernel/domainname "$ROOTFS/data"
	add_bind_mount "$TESTDIR/fake" /data
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" procfs
	# a file bound over a procfs file (an allowed lxcfs-style target) does
	# not receive the sysctl skiff writes
	update_config 'del(.mounts[-1])'
	rm "$ROOTFS/data"
	add_bind_mount "$TESTDIR/fake" /proc/sys/kernel/ns_last_pid
	update_config '.linux.sysctl = {"kernel.ns_last_pid": "4242"}'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "kernel.ns_last_pid"
	assert_eq "$(cat "$TESTDIR/fake")" 0
}

# ------------------------------------------------------------ hostile rootfs

# /dev pointing up and out of the rootfs, at a host directory: resolved in
# the rootfs the devices land in <rootfs>/<that path> and the container sees
# them; a resolution that follows the symlink out puts them in the host
# directory (in the container's mount namespace) and the container sees none.
@test "security: hostile rootfs: /dev a symlink to the host's /dev, /proc a symlink" {
	before="$(cat /proc/self/mountinfo)"
	mkdir "$TESTDIR/hostdev" && echo host >"$TESTDIR/hostdev/marker"
	rm -rf "$ROOTFS/dev"
	ln -s "../../../../../../../../../..$TESTDIR/hostdev" "$ROOTFS/dev"
	run --separate-stderr run_ctr sh -c 'test -c /dev/null && test ! -e /dev/marker && readlink -f /dev'
	if is_skiff; then
		# skiff-specific: handled, in the rootfs
		[ "$status" -eq 0 ] || { echo "stderr: $stderr" >&2; false; }
		assert_eq "$output" "$TESTDIR/hostdev"
	else
		[ "$status" -eq 0 ] || assert_one_line_error
	fi
	assert_eq "$(ls -A "$TESTDIR/hostdev")" marker
	assert_eq "$(cat /proc/self/mountinfo)" "$before"

	# ... and at the host's /dev itself (in the rootfs: a symlink loop)
	rm -rf "$ROOTFS/dev"
	ln -s ../../../../../../dev "$ROOTFS/dev"
	run --separate-stderr run_ctr sh -c 'ls /dev/null && readlink -f /dev'
	[ "$status" -eq 0 ] || assert_one_line_error
	assert_eq "$(cat /proc/self/mountinfo)" "$before"
	[ -L "$ROOTFS/dev" ] || [ -d "$ROOTFS/dev" ]
	rm -rf "$ROOTFS/dev" && mkdir "$ROOTFS/dev"

	# /proc an absolute symlink: refused, not followed (as runc; more in
	# compat_mounts.bats)
	rm -rf "$ROOTFS/proc"
	ln -s /tmp "$ROOTFS/proc"
	run --separate-stderr run_ctr sh -c 'grep -c Seccomp /proc/self/status && readlink -f /proc'
	assert_one_line_error
	assert_contains "$stderr" "must be mounted on ordinary directory"
	assert_eq "$(cat /proc/self/mountinfo)" "$before"
}

# A mount target is opened with O_PATH only: opening a fifo would block and
# opening a device node runs its driver (here a node no driver answers: an
# open() fails with ENXIO, an O_PATH open does not).
@test "security: hostile rootfs: a mount target that is a fifo or a device node" {
	mkfifo "$ROOTFS/fifo"
	echo hello >"$TESTDIR/file"
	add_bind_mount "$TESTDIR/file" /fifo
	run --separate-stderr timeout 20 bash -c "$(declare -f rt set_args run_ctr); SKIFF='$SKIFF' ROOT='$ROOT' BUNDLE='$BUNDLE' CID='$CID' SKIFF_TIMEOUT=15 run_ctr cat /fifo"
	[ "$status" -ne 124 ]
	[ "$status" -eq 0 ] && assert_eq "$output" hello || assert_one_line_error
	update_config 'del(.mounts[-1])'
	rm "$ROOTFS/fifo"
	for node in "c 1 3" "c 0 0" "b 0 0"; do
		rm -f "$ROOTFS/devnode"
		mknod "$ROOTFS/devnode" $node
		add_bind_mount "$TESTDIR/file" /devnode
		run --separate-stderr run_ctr cat /devnode
		if is_skiff; then
			# skiff-specific: the file is bound over the node
			[ "$status" -eq 0 ] || { echo "$node: $stderr" >&2; false; }
			assert_eq "$output" hello
		else
			[ "$status" -eq 0 ] && assert_eq "$output" hello || assert_one_line_error
		fi
		update_config 'del(.mounts[-1])'
	done
}

# Both with openat2 and with the component walk of kernels without it
# (SKIFF_RESOLVE_WALK=1, skiff-specific): the walk would otherwise create
# the 5,000 directories and mount there.
@test "security: hostile rootfs: a path of 5,000 components is refused clearly" {
	local p walk
	p="$(printf '/a%.0s' $(seq 5000))"
	for walk in "" 1; do
		[ -z "$walk" ] || is_skiff || continue
		update_config '.mounts += [{"destination": $d, "type": "tmpfs", "source": "tmpfs"}]' --arg d "$p"
		SKIFF_RESOLVE_WALK=$walk run --separate-stderr run_ctr true
		assert_one_line_error
		[ "${#stderr}" -lt 4096 ] || { echo "error line of ${#stderr} bytes" >&2; false; }
		[ ! -e "$ROOTFS/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a" ] ||
			{ echo "walk${walk:+ (forced)}: deep directories created in the rootfs" >&2; false; }
		update_config 'del(.mounts[-1]) | .process.cwd = $d' --arg d "$p"
		SKIFF_RESOLVE_WALK=$walk run --separate-stderr run_ctr true
		assert_one_line_error
		update_config '.process.cwd = "/"'
		rm -rf "$ROOTFS/a"
	done
}

# ------------------------------------------------------------ privileges

@test "security: noNewPrivileges: a setuid binary does not elevate; without it, only to the bounding set" {
	cp "$(tools_dir)/probe" "$ROOTFS/bin/suid-probe"
	chown 0:0 "$ROOTFS/bin/suid-probe"
	chmod 4755 "$ROOTFS/bin/suid-probe"
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = true'
	run -0 run_ctr suid-probe euid
	assert_eq "$output" "euid=1000"
	in_ctr 'grep -E "^(CapEff|CapAmb|NoNewPrivs)" /proc/self/status'
	assert_eq "$output" "CapEff:	0000000000000000
CapAmb:	0000000000000000
NoNewPrivs:	1"
	update_config '.process.noNewPrivileges = false'
	run -0 run_ctr suid-probe euid
	assert_eq "$output" "euid=0"
	# the setuid process gets at most the bounding set (the default 3 caps)
	run -0 run_ctr sh -c 'suid-probe euid >/dev/null; grep CapBnd /proc/self/status'
	assert_eq "$output" "CapBnd:	0000000020000420"
}

@test "security: ambient capabilities only as configured" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities.ambient = ["CAP_KILL"]
		| .process.capabilities.inheritable = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]'
	in_ctr 'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb)" /proc/self/status'
	# NET_BIND_SERVICE is inheritable and permitted, but not ambient: lost
	assert_eq "$output" "CapInh:	0000000000000420
CapPrm:	0000000000000020
CapEff:	0000000000000020
CapBnd:	0000000020000420
CapAmb:	0000000000000020"
	update_config '.process.capabilities.ambient = []'
	in_ctr 'grep -E "^(CapPrm|CapAmb)" /proc/self/status'
	assert_eq "$output" "CapPrm:	0000000000000000
CapAmb:	0000000000000000"
}

# ------------------------------------------------------------ hygiene

@test "security: skiff's environment does not leak into the container" {
	update_config '.process.env = ["PATH=/bin", "ONLY=this"]'
	set_args env
	run -0 env SECRET_TOKEN=s3cr3t SKIFF_X=1 HOME=/host-home "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	# HOME: the container's /etc/passwd entry of root, not skiff's (runc)
	assert_eq "$(sort <<<"$output")" "HOME=/root
ONLY=this
PATH=/bin"
}
