#!/usr/bin/env bats
# exec: a new process in a running container (runc's command line).

load helpers

# A container whose init blocks without a timer (reads a fifo nobody
# writes), so it stays up however the clock moves.
start_holder() {
	set_args sh -c 'mkfifo /hold && exec cat /hold'
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	for _ in $(seq 100); do [ -p "$ROOTFS/hold" ] && break; sleep 0.02; done
}

teardown() {
	cleanup_ctr "$CID"
	common_teardown
}

@test "exec: runs in every namespace and the cgroup of the container, passes the exit code" {
	update_config '.hostname = "exec-host" | .linux.namespaces += [{"type":"cgroup"}] | .linux.namespaces |= unique_by(.type)'
	start_holder
	run -0 rt exec "$CID" sh -c 'for n in pid mnt net ipc uts cgroup; do
			[ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] || echo "differs: $n"
		done; hostname; [ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] || echo "differs: cgroup"'
	assert_not_contains "$output" differs
	assert_contains "$output" exec-host
	run -7 rt exec "$CID" sh -c 'exit 7'
	run -0 rt exec "$CID" sh -c 'echo out; echo err >&2'
	assert_contains "$output" out
	assert_contains "$output" err
}

@test "exec: the exec'd process is in the container's cgroup" {
	start_holder
	rt exec -d --pid-file "$TESTDIR/pid" "$CID" sh -c 'exec cat /hold' </dev/null >/dev/null 2>&1
	pid="$(cat "$TESTDIR/pid")"
	init="$(pid_of "$CID")"
	assert_eq "$(grep '^0::' /proc/$pid/cgroup)" "$(grep '^0::' /proc/$init/cgroup)"
	# host pid in the pid file; a pid of the container's namespace inside
	[ "$(awk '/^NSpid/ { print NF }' /proc/$pid/status)" -eq 3 ]
	run -0 rt kill --all "$CID" KILL
	wait_pid_gone "$pid"
}

@test "exec: flags --env --cwd --user --additional-gids --no-new-privs --cap" {
	update_config '.process.env += ["KEEP=1", "FOO=old"]'
	start_holder
	run -0 rt exec -e FOO=bar --env NEW=x --cwd /tmp -u 1000:1001 -g 10 --additional-gids 20 --no-new-privs \
		"$CID" sh -c 'echo "$FOO $NEW $KEEP"; pwd; id -u; id -g; id -G; grep NoNewPrivs /proc/self/status'
	assert_contains "$output" "bar x 1"
	assert_contains "$output" /tmp
	assert_contains "$output" $'1000\n1001'
	assert_contains "$output" "10 20"
	assert_contains "$output" $'NoNewPrivs:\t1'
	# --cap adds to bounding/effective/permitted (CAP_SYS_ADMIN is bit 21)
	run -0 rt exec "$CID" sh -c 'grep CapBnd /proc/self/status'
	before="$output"
	run -0 rt exec --cap CAP_SYS_ADMIN "$CID" sh -c 'grep -E "CapBnd|CapEff" /proc/self/status'
	assert_not_contains "$output" "$before"
	eff="$(awk '/CapEff/ { print $2 }' <<<"$output")"
	(( (16#$eff >> 21) & 1 ))
}

@test "exec: --process process.json with args, env, cwd, user, terminal false" {
	start_holder
	cat >"$TESTDIR/process.json" <<'JSON'
{"terminal": false, "user": {"uid": 1234, "gid": 5678}, "args": ["sh", "-c", "echo $MSG; pwd; id -u; id -g"],
 "env": ["PATH=/bin:/usr/bin", "MSG=from-process-json"], "cwd": "/etc"}
JSON
	run -0 rt exec --process "$TESTDIR/process.json" "$CID"
	assert_contains "$output" from-process-json
	assert_contains "$output" $'/etc\n1234\n5678'
	# a bad process.json is one line naming the file and the field
	echo '{"args": ["true"], "cwd": "relative"}' >"$TESTDIR/bad.json"
	run --separate-stderr rt exec --process "$TESTDIR/bad.json" "$CID"
	assert_one_line_error
	if is_skiff; then
		assert_contains "$stderr" "bad.json: cwd: must be an absolute path"
	fi
}

@test "exec: inherits the container's rlimits, seccomp and capabilities" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}]
		| .process.capabilities.bounding -= ["CAP_NET_RAW"]
		| .process.capabilities.effective -= ["CAP_NET_RAW"]
		| .process.capabilities.permitted -= ["CAP_NET_RAW"]
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [{"names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_holder
	run -0 rt exec "$CID" sh -c 'ulimit -n; ulimit -Hn'
	assert_eq "$output" $'321\n654'
	run -0 rt exec "$CID" sh -c 'mkdir /tmp/x 2>&1; echo rc=$?'
	assert_contains "$output" rc=1
	run -0 rt exec "$CID" sh -c 'grep CapBnd /proc/self/status'
	bnd="$(awk '{ print $2 }' <<<"$output")"
	(( ! ((16#$bnd >> 13) & 1) ))
}

@test "exec: --preserve-fds passes fds 3.. to the process" {
	start_holder
	echo preserved-data >"$TESTDIR/data"
	run -0 rt exec --preserve-fds 1 "$CID" sh -c 'cat <&3; ls /proc/self/fd' 3<"$TESTDIR/data"
	assert_contains "$output" preserved-data
	# without it, fd 3 is not there
	run -0 rt exec "$CID" sh -c 'cat <&3 2>&1 || echo closed' 3<"$TESTDIR/data"
	assert_contains "$output" closed
}

@test "exec: --pidfd-socket receives a pidfd of the process" {
	start_holder
	python3 "$REPO_ROOT/tests/tools/recvtty.py" "$TESTDIR/pidfd.sock" --fdinfo --out "$TESTDIR/fdinfo" &
	rpid=$!
	for _ in $(seq 100); do [ -S "$TESTDIR/pidfd.sock" ] && break; sleep 0.02; done
	rt exec -d --pid-file "$TESTDIR/pid" --pidfd-socket "$TESTDIR/pidfd.sock" "$CID" sh -c 'exec cat /hold' \
		</dev/null >/dev/null 2>&1
	wait "$rpid"
	grep -q 'anon_inode:\[pidfd\]' "$TESTDIR/fdinfo"
	assert_eq "$(awk '/^Pid:/ { print $2 }' "$TESTDIR/fdinfo")" "$(cat "$TESTDIR/pid")"
}

@test "exec: a stopped container is refused with one line" {
	set_args true
	run -0 create_ctr "$CID"
	run -0 rt start "$CID"
	wait_for_status "$CID" stopped
	run --separate-stderr rt exec "$CID" true
	assert_one_line_error
	assert_contains "$stderr" stopped
}

@test "exec: a paused container is refused, --ignore-paused goes on" {
	start_holder
	cg="$(jq -r .cgroupPath "$ROOT/$CID/state.json" 2>/dev/null || true)"
	if "$SKIFF" --help 2>&1 | grep -qw pause; then
		run -0 rt pause "$CID"
	elif [ -n "$cg" ] && [ -e "$cg/cgroup.freeze" ]; then
		echo 1 >"$cg/cgroup.freeze"
	else
		skip "needs skiff pause (cgroups issue)"
	fi
	run --separate-stderr rt exec "$CID" true
	assert_one_line_error
	assert_contains "$stderr" paused
	# the new process starts frozen with the rest: it runs once resumed
	rt exec --ignore-paused "$CID" sh -c 'echo ran > /ignored' </dev/null >/dev/null 2>&1 &
	xpid=$!
	sleep 0.3
	[ ! -e "$ROOTFS/ignored" ]
	if "$SKIFF" --help 2>&1 | grep -qw pause; then
		run -0 rt resume "$CID"
	else
		echo 0 >"$cg/cgroup.freeze"
	fi
	wait "$xpid"
	assert_eq "$(cat "$ROOTFS/ignored")" ran
	run -0 rt exec "$CID" true
}

@test "exec: a missing binary or a bad cwd is one line, nothing left running" {
	start_holder
	run --separate-stderr rt exec "$CID" /no/such/binary
	assert_one_line_error
	assert_contains "$stderr" /no/such/binary
	run --separate-stderr rt exec "$CID" no-such-command
	assert_one_line_error
	assert_contains "$stderr" no-such-command
	run --separate-stderr rt exec --cwd /etc/passwd "$CID" true
	assert_one_line_error
	assert_contains "$stderr" /etc/passwd
	# only the init is left
	assert_eq "$(_ctr_pids | wc -l)" 1
}

@test "exec: options after the id belong to the command" {
	start_holder
	run -0 rt exec "$CID" printf '%s,' -e -t --user x
	assert_eq "$output" "-e,-t,--user,x,"
}

@test "exec: a container created but not started accepts exec" {
	set_args sh -c 'exit 0'
	run -0 create_ctr "$CID"
	run -0 rt exec "$CID" echo in-created
	assert_contains "$output" in-created
	run -0 rt delete --force "$CID"
}

# ---- protocols of create/run/start shared with exec: NOTIFY_SOCKET,
# socket activation (LISTEN_FDS), --pidfd-socket

# a unix datagram listener standing for systemd/conmon: one message to OUT
start_notify_listener() {
	python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".up", "w").close()
s.settimeout(60)
data = s.recv(4096)
open(sys.argv[2], "wb").write(data)
PY
	LPID=$!
	for _ in $(seq 200); do [ -e "$1.up" ] && return 0; sleep 0.02; done
	return 1
}

build_sd_notify() {
	cc -static -O2 -o "$ROOTFS/bin/sd-notify" "$REPO_ROOT/tests/tools/sd_notify.c" 2>/dev/null ||
		skip "needs a C compiler with static libc"
}

@test "protocols: NOTIFY_SOCKET with run -d: READY=1 and MAINPID reach the caller once the service is ready" {
	build_sd_notify
	set_args sh -c 'echo "$NOTIFY_SOCKET" > /notify-path; sleep 0.3; sd-notify "STATUS=starting"; sd-notify "READY=1"; mkfifo /hold; exec cat /hold'
	start_notify_listener "$TESTDIR/host.sock" "$TESTDIR/notified"
	NOTIFY_SOCKET="$TESTDIR/host.sock" rt run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
	# run -d returned after READY: the listener has it already
	wait "$LPID"
	assert_contains "$(cat "$TESTDIR/notified")" READY=1
	assert_contains "$(cat "$TESTDIR/notified")" "MAINPID=$(pid_of "$CID")"
	assert_eq "$(cat "$ROOTFS/notify-path")" /run/notify/notify.sock
}

@test "protocols: NOTIFY_SOCKET with create + start: start returns when the service is ready" {
	build_sd_notify
	set_args sh -c 'sleep 0.3; sd-notify "READY=1"; mkfifo /hold; exec cat /hold'
	start_notify_listener "$TESTDIR/host.sock" "$TESTDIR/notified"
	NOTIFY_SOCKET="$TESTDIR/host.sock" create_ctr "$CID"
	NOTIFY_SOCKET="$TESTDIR/host.sock" rt start "$CID"
	wait "$LPID"
	assert_contains "$(cat "$TESTDIR/notified")" READY=1
	assert_eq "$(status_of "$CID")" running
}

@test "protocols: LISTEN_FDS/LISTEN_PID socket activation is passed through (with --preserve-fds after it)" {
	set_args sh -c 'echo "fds=$LISTEN_FDS pid=$LISTEN_PID"; cat <&3; cat <&4'
	echo listen-data >"$TESTDIR/l"
	echo preserved-data >"$TESTDIR/p"
	run -0 bash -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" --root "$1" run --preserve-fds 1 --bundle "$2" "$3" </dev/null' \
		"$SKIFF" "$ROOT" "$BUNDLE" "$CID" 3<"$TESTDIR/l" 4<"$TESTDIR/p"
	assert_contains "$output" "fds=1 pid=1"
	assert_contains "$output" listen-data
	assert_contains "$output" preserved-data
	# LISTEN_FDS meant for another process is ignored
	run bash -c 'LISTEN_PID=1 LISTEN_FDS=1 exec "$0" --root "$1" run --bundle "$2" "$3" </dev/null' \
		"$SKIFF" "$ROOT" "$BUNDLE" "$CID" 3<"$TESTDIR/l"
	assert_contains "$output" "fds= pid="
}

@test "protocols: run -d --pidfd-socket sends a pidfd of the init" {
	set_args sh -c 'mkfifo /hold && exec cat /hold'
	python3 "$REPO_ROOT/tests/tools/recvtty.py" "$TESTDIR/pidfd.sock" --fdinfo --out "$TESTDIR/fdinfo" &
	rpid=$!
	for _ in $(seq 100); do [ -S "$TESTDIR/pidfd.sock" ] && break; sleep 0.02; done
	run -0 run_detached --pidfd-socket "$TESTDIR/pidfd.sock" "$CID"
	wait "$rpid"
	grep -q 'anon_inode:\[pidfd\]' "$TESTDIR/fdinfo"
	assert_eq "$(awk '/^Pid:/ { print $2 }' "$TESTDIR/fdinfo")" "$(pid_of "$CID")"
}

@test "exec: --cgroup starts the process in a sub-cgroup of the container's" {
	start_holder
	cg="$(jq -r '.cgroupPath // empty' "$ROOT/$CID/state.json" 2>/dev/null)"
	[ -n "$cg" ] && [ -e "$cg/cgroup.procs" ] || skip "skiff records no cgroup v2 directory here"
	mkdir "$cg/sub"
	run -0 rt exec --cgroup sub "$CID" cat /proc/self/cgroup
	assert_contains "$(grep '^0::' <<<"$output")" /sub
	run --separate-stderr rt exec --cgroup ../escape "$CID" true
	assert_one_line_error
	run --separate-stderr rt exec --cgroup nosuch "$CID" true
	assert_one_line_error
	assert_contains "$stderr" nosuch
}

@test "exec: --apparmor and --process-label without the LSM are refused with one line" {
	start_holder
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
		run --separate-stderr rt exec --apparmor some-profile "$CID" true
		assert_one_line_error
		assert_contains "$stderr" AppArmor
	fi
	if [ ! -e /sys/fs/selinux/enforce ]; then
		run --separate-stderr rt exec --process-label system_u:system_r:container_t:s0 "$CID" true
		assert_one_line_error
		assert_contains "$stderr" SELinux
	fi
}

@test "exec: a container with a user namespace: the process is in it, as the given user" {
	use_userns 200000
	start_holder
	run -0 rt exec "$CID" sh -c '[ "$(readlink /proc/self/ns/user)" = "$(readlink /proc/1/ns/user)" ] && echo same-userns; id -u'
	assert_eq "$output" $'same-userns\n0'
	run -0 rt exec -u 1000:1000 "$CID" sh -c 'id -u; cat /proc/self/uid_map'
	assert_contains "$output" 1000
	assert_contains "$output" 200000
	pid="$(pid_of "$CID")"
	[ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ]
}
