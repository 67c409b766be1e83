#!/usr/bin/env bats
# skiff sandbox: a command in a throwaway container without a bundle, as
# root and as `nobody` (rootless, in a user namespace).

load helpers

# sb ARGS...: skiff sandbox with this test's --root, from $TESTDIR/work
sb() {
	(cd "$TESTDIR/work" && timeout -k 5 "$SKIFF_TIMEOUT" "$SKIFF" --root "$ROOT" sandbox "$@")
}

# sb_nobody ARGS...: the same as nobody, with a copy of skiff it can run
sb_nobody() {
	(cd "$TESTDIR/work" && setpriv --reuid nobody --regid nogroup --clear-groups \
		timeout -k 5 "$SKIFF_TIMEOUT" "$TESTDIR/skiff-nobody" --root "$ROOT/nobody" sandbox "$@")
}

setup() {
	common_setup
	is_skiff || skip "skiff-specific command"
	mkdir -p "$TESTDIR/work"
}

# a usage error of skiff's own: one line, exit 125 (as timeout(1) and
# `podman run`: the command's statuses stay its own)
assert_sandbox_error() {
	assert_eq "$status" 125
	assert_eq "$(printf '%s\n' "$stderr" | grep -c .)" 1
	[[ $stderr == "skiff: "* ]]
}

# nothing of a sandbox left: no state dir, no root dir
assert_no_sandbox_left() {
	run -0 find "$ROOT" -maxdepth 2 \( -name 'sandbox-*' -o -name '.sandbox-*' \)
	assert_eq "$output" ""
}

prepare_nobody() {
	getent group nogroup >/dev/null || skip "no nogroup group"
	nobody_skiff
	chown nobody: "$TESTDIR/work"
	mkdir -p "$ROOT/nobody"
	chown nobody: "$ROOT/nobody"
}

@test "sandbox: the host's / behind a private overlay, the working directory writable, fresh /tmp, isolation on" {
	echo host >"$TESTDIR/work/in.txt"
	touch /tmp/skiff-sandbox-host-$$
	run -0 sb sh -c 'cat in.txt; echo made >out.txt; pwd
		echo vanishes >/usr/sandbox-probe-'$$' && cat /usr/sandbox-probe-'$$'
		ls /tmp/skiff-sandbox-host-'$$' 2>/dev/null || echo tmp-fresh
		touch /tmp/x && echo tmp-rw
		grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status
		hostname; id -u; id -g; ls /sys/class/net; ls /dev/null /dev/pts >/dev/null && echo dev-ok'
	rm -f /tmp/skiff-sandbox-host-$$
	assert_eq "${lines[0]}" host
	assert_eq "$(cat "$TESTDIR/work/out.txt")" made
	assert_eq "${lines[1]}" "$TESTDIR/work"
	assert_contains "$output" vanishes
	assert_contains "$output" tmp-fresh
	assert_contains "$output" tmp-rw
	assert_contains "$output" "CapEff:	0000000000000000"
	assert_contains "$output" "CapBnd:	0000000000000000"
	assert_contains "$output" "NoNewPrivs:	1"
	assert_contains "$output" "Seccomp:	2"
	assert_contains "$output" sandbox
	assert_contains "$output" "$(printf '%s\n%s' "$(id -u)" "$(id -g)")"
	assert_contains "$output" dev-ok
	# no network: only lo
	assert_eq "$(sed -n '/^sandbox$/,/^dev-ok$/p' <<<"$output" | sed '1,3d;$d')" lo
	assert_no_sandbox_left
	[ ! -e /usr/sandbox-probe-$$ ]
	# --read-only: read-only binds instead of overlays
	run -0 sb --read-only -- sh -c 'touch /usr/sandbox-probe-'$$' 2>/dev/null || echo usr-ro'
	assert_eq "$output" usr-ro
	[ ! -e /usr/sandbox-probe-$$ ]
}

@test "sandbox: the command's exit status and signal are skiff's; stdin passes through" {
	run -3 sb sh -c 'exit 3'
	run -0 sb true
	# (not the pid namespace's init, which ignores signals without a handler)
	run -138 sb sh -c 'sh -c "kill -USR1 \$\$"; exit $?'
	assert_no_sandbox_left
}

@test "sandbox: stdin reaches the command" {
	run -0 bash -c 'cd "$1/work" && echo through | timeout 20 "$2" --root "$3" sandbox cat' sh "$TESTDIR" "$SKIFF" "$ROOT"
	assert_eq "$output" through
}

@test "sandbox: --net=host, --env, --workdir, --bind SRC:DST:ro and rw" {
	mkdir -p "$TESTDIR/ro" "$TESTDIR/rw"
	echo ro-data >"$TESTDIR/ro/f"
	run -0 sb --net=host --env FOO=bar --env HOME --workdir /data \
		--bind "$TESTDIR/ro:/data:ro" --bind "$TESTDIR/rw:/out" -- \
		sh -c 'echo $FOO $HOME; pwd; cat f; touch g 2>/dev/null || echo ro-refused; echo w >/out/w; ls /sys/class/net | wc -l'
	assert_eq "${lines[0]}" "bar $HOME"
	assert_eq "${lines[1]}" /data
	assert_eq "${lines[2]}" ro-data
	assert_eq "${lines[3]}" ro-refused
	[ "${lines[4]}" -eq "$(ls /sys/class/net | wc -l)" ]
	assert_eq "$(cat "$TESTDIR/rw/w")" w
	# --bind replaces the working directory's bind: it is not writable
	run -0 sb --bind "$TESTDIR/rw" -- sh -c 'touch x 2>/dev/null && echo wrote || echo not-bound'
	[ ! -e "$TESTDIR/work/x" ]
}

@test "sandbox: --rootfs DIR instead of the host's /" {
	cp -a "$ROOTFS" "$TESTDIR/rootfs2"
	run -0 sb --rootfs "$TESTDIR/rootfs2" --workdir / -- sh -c 'ls /bin/busybox; ls /work 2>/dev/null || echo no-host'
	assert_eq "${lines[0]}" /bin/busybox
	assert_eq "${lines[1]}" no-host
}

@test "sandbox: --timeout kills the whole tree, exit 124, and says so" {
	# (a sleep of a length no other test uses)
	run --separate-stderr sb --timeout 1 -- sh -c "sleep 7$$ & sleep 7$$"
	assert_eq "$status" 124
	assert_contains "$stderr" "was killed by the --timeout (SIGKILL)"
	run -1 pgrep -f "^sleep 7$$\$"
	assert_no_sandbox_left
}

@test "sandbox: --memory: the OOM kill is named; --pids: forks refused; --summary and --report" {
	[ -f /sys/fs/cgroup/memory/cgroup.procs ] || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		skip "no memory controller"
	run --separate-stderr sb --memory 64M --summary --report "$TESTDIR/r.json" -- dd if=/dev/zero of=/dev/null bs=128M count=1
	assert_eq "$status" 137
	assert_contains "$stderr" "was killed by the OOM killer"
	grep -qE '^skiff: sandbox: exit 137, wall [0-9.]+s, cpu [0-9.]+s user [0-9.]+s system, peak memory [0-9.]+[KM], io .* read .* written.*, limit hit: oom-killed$' <<<"$stderr"
	jq -e '.exit_status == 137 and .cause == "oom-killed" and .limit_hit == "oom-killed"
		and .wall_seconds > 0 and .peak_memory_bytes > 1000000 and .peak_memory_bytes <= 67108864
		and (.cpu_user_seconds | type) == "number" and (.io_read_bytes | type) == "number"' "$TESTDIR/r.json"
	run --separate-stderr sb --pids 4 -- sh -ec 'for i in 1 2 3 4 5 6; do sleep 100 & done'
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "pids.max 4 reached"
	# a command that ends well: no limit in the report
	run -0 sb --memory 256M --cpus 0.5 --report "$TESTDIR/r2.json" -- true
	jq -e '.exit_status == 0 and .cause == "exited" and .limit_hit == null' "$TESTDIR/r2.json"
	assert_no_sandbox_left
}

# sb_background SCRIPT: skiff sandbox sh -c SCRIPT in the background (its
# pid in $pid) once SCRIPT has made the file "ready"
sb_background() {
	rm -f "$TESTDIR/work/ready"
	(cd "$TESTDIR/work" && exec "$SKIFF" --root "$ROOT" sandbox -- sh -c "$1") &
	pid=$!
	for i in $(seq 200); do [ -e "$TESTDIR/work/ready" ] && break; sleep 0.05; done
	[ -e "$TESTDIR/work/ready" ]
}

@test "sandbox: a signal to skiff reaches the command" {
	sb_background 'trap "exit 7" TERM; touch ready; while :; do sleep 0.1; done'
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	assert_eq "$st" 7
	assert_no_sandbox_left
}

@test "sandbox: kill -9 of skiff leaves nothing behind: the command dies with it" {
	sb_background "touch ready; exec sleep 8$$"
	kill -KILL "$pid"
	wait "$pid" || true
	for i in $(seq 200); do
		pgrep -f "^sleep 8$$\$" >/dev/null || [ -n "$(find "$ROOT" -maxdepth 1 -name '*sandbox-*')" ] || break
		sleep 0.05
	done
	run -1 pgrep -f "^sleep 8$$\$"
	assert_no_sandbox_left
}

@test "sandbox: as nobody (rootless): works in a user namespace; limits need a delegated cgroup or --no-limits" {
	prepare_nobody
	run -0 sb_nobody sh -c 'echo made >mine; cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g
		grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status
		echo x >/etc/sandbox-probe-'$$' && echo overlay-rw; ls -ln mine'
	assert_eq "$(stat -c %U "$TESTDIR/work/mine")" nobody
	assert_contains "$output" overlay-rw
	[ ! -e /etc/sandbox-probe-$$ ]
	# the caller's uid and gid inside too, mapped to themselves (as bwrap
	# --unshare-user), not root of the user namespace
	u="$(id -u nobody)" g="$(getent group nogroup | cut -d: -f3)"
	assert_eq "$(echo ${lines[0]})" "$u $u 1"
	assert_eq "$(echo ${lines[1]})" "$g $g 1"
	assert_eq "${lines[2]}" "$u"
	assert_eq "${lines[3]}" "$g"
	assert_contains "$output" "CapEff:	0000000000000000"
	assert_contains "$output" "NoNewPrivs:	1"
	assert_contains "$output" "Seccomp:	2"
	[[ "$output" == *" $u $g "*" mine"* ]]
	run --separate-stderr sb_nobody --memory 64M -- true
	assert_sandbox_error
	assert_contains "$stderr" "--no-limits"
	run -0 sb_nobody --memory 64M --no-limits --timeout 20 -- true
	run -124 sb_nobody --timeout 0.5 -- sleep 100
	run -0 find "$ROOT/nobody" -maxdepth 1 -name '*sandbox-*'
	assert_eq "$output" ""
	rm -rf "$ROOT/nobody"
}

@test "sandbox: usage errors are one line, exit 125, nothing made" {
	run --separate-stderr sb
	assert_sandbox_error
	assert_contains "$stderr" "a command to run is required"
	for bad in "--memory lots" "--cpus 0" "--pids 0" "--io-weight 5" "--net bridge" "--timeout -1" \
		"--bind /nonexistent-$$" "--bind /tmp:rel" "--workdir rel" "--frobnicate 1" "--summary=1"; do
		# shellcheck disable=SC2086
		run --separate-stderr sb $bad -- true
		assert_sandbox_error
		assert_contains "$stderr" "${bad%%[ =]*}"
	done
	run --separate-stderr sb -- /nonexistent-command
	[ "$status" -ne 0 ]
	assert_no_sandbox_left
}

@test "sandbox: a terminal passes through (the command's stdio is skiff's)" {
	command -v script >/dev/null || skip "no script(1)"
	# script -e: the status of the command, through skiff
	run -4 bash -c 'cd "$1/work" && script -qec "timeout 20 $2 --root $3 sandbox -- sh -c \"[ -t 0 ] && [ -t 1 ] && echo isatty; exit 4\"" /dev/null </dev/null' \
		sh "$TESTDIR" "$SKIFF" "$ROOT"
	assert_contains "$output" isatty
	assert_no_sandbox_left
}

@test "sandbox: as nobody, a state root another user made (/tmp/skiff-UID) is refused" {
	getent group nogroup >/dev/null || skip "no nogroup group"
	run --separate-stderr unshare --mount --propagation private sh -c '
		exec 3<"$1" && mount -t tmpfs -o mode=1777 none /tmp && cat <&3 >/tmp/skiff &&
		chmod 755 /tmp/skiff &&
		mkdir -m 777 /tmp/skiff-$(id -u nobody) && cd / &&
		exec env -u XDG_RUNTIME_DIR setpriv --reuid nobody --regid nogroup --clear-groups /tmp/skiff sandbox --no-limits -- true' \
		sh "$SKIFF"
	assert_sandbox_error
	assert_contains "$stderr" "/tmp/skiff-$(id -u nobody) is not a directory of uid $(id -u nobody)"
}
