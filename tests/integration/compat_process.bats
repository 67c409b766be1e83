#!/usr/bin/env bats
# The container process as runc makes it (issue #20): signal dispositions,
# the owner of stdio and of the terminal, HOME, capabilities, the seccomp
# -ENOSYS stub and notify checks, hostname and sysctls in namespaces
# joined by path.  Passes against runc too (skiff-only checks under
# is_skiff).

load helpers

RECVTTY="$BATS_TEST_DIRNAME/../tools/recvtty.py"

setup() {
	common_setup
	CID="cmpp$$x$RANDOM"     # own prefix: leftovers of other runs are told apart
}

teardown() {
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
	cleanup_ctr "$CID"
	common_teardown
}

# A container whose init blocks reading a fifo nobody writes.
start_holder() {
	set_args sh -c 'mkfifo /tmp/hold && exec cat /tmp/hold'
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	for _ in $(seq 100); do [ -p "$ROOTFS/tmp/hold" ] && break; sleep 0.02; done
}

# start_recvtty OUT: a console-socket receiver on $TESTDIR/console.sock.
start_recvtty() {
	python3 "$RECVTTY" "$TESTDIR/console.sock" --out "$1" &
	RPID=$!
	for _ in $(seq 200); do [ -S "$TESTDIR/console.sock" ] && return 0; sleep 0.02; done
	echo "recvtty did not start" >&2
	return 1
}

wait_recvtty() {
	for _ in $(seq 300); do
		kill -0 "$RPID" 2>/dev/null || { wait "$RPID"; RPID=; return; }
		sleep 0.05
	done
	echo "recvtty still running; got: $(cat "$1" 2>/dev/null)" >&2
	return 1
}

sigign() { awk '$1 == "SigIgn:" { print $2 }' /proc/self/status; }

# ---------------------------------------------------------------- signals

@test "compat: signals ignored by skiff's parent are default in the container (run and exec)" {
	# the runtime is started the way `nohup dockerd` would start it
	set_args sh -c 'grep SigIgn /proc/self/status; trap "echo got-hup; exit 0" HUP; kill -HUP $$; echo no-trap'
	run -0 sh -c 'trap "" HUP PIPE USR2; "$@"' sh "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	assert_contains "$output" "SigIgn:	0000000000000000"
	assert_contains "$output" got-hup
	start_holder
	run -0 sh -c 'trap "" HUP PIPE; "$@"' sh "$SKIFF" --root "$ROOT" exec "$CID" grep SigIgn /proc/self/status
	assert_contains "$output" "SigIgn:	0000000000000000"
}

# ---------------------------------------------------------------- stdio

@test "compat: stdio pipes and the terminal go to the container user, who can reopen them" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'stat -c "%u" /proc/self/fd/1; echo reopened >/proc/self/fd/1'
	run -0 sh -c '"$@" | cat' sh "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	assert_contains "$output" 1000
	assert_contains "$output" reopened
	# /dev/null stays root's
	set_args sh -c 'stat -c "%u" /dev/null'
	run -0 sh -c '"$@" </dev/null | cat' sh "$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	assert_eq "$output" 0
	# exec --user: the pipe given to exec goes to that user
	update_config '.process.user = {"uid": 0, "gid": 0}'
	start_holder
	run -0 sh -c '"$@" | cat' sh "$SKIFF" --root "$ROOT" exec --user 1234:1234 "$CID" sh -c 'stat -c "%u" /proc/self/fd/1; echo again >/proc/self/fd/1'
	assert_contains "$output" 1234
	assert_contains "$output" again
}

@test "compat: run -t and exec -t: the terminal belongs to the container user" {
	update_config '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'stat -c "owner=%u" $(tty)'
	start_recvtty "$TESTDIR/tty.out"
	run -0 rt run -d --console-socket "$TESTDIR/console.sock" --bundle "$BUNDLE" "$CID" </dev/null
	wait_recvtty "$TESTDIR/tty.out"
	assert_contains "$(tr -d '\r' <"$TESTDIR/tty.out")" "owner=1000"
	wait_for_status "$CID" stopped
	run -0 rt delete "$CID"
	update_config '.process.terminal = false | .process.user = {"uid": 0, "gid": 0}'
	start_holder
	start_recvtty "$TESTDIR/exec.out"
	run -0 rt exec -t -d --user 1234:1234 --console-socket "$TESTDIR/console.sock" "$CID" sh -c 'stat -c "owner=%u" $(tty)'
	wait_recvtty "$TESTDIR/exec.out"
	assert_contains "$(tr -d '\r' <"$TESTDIR/exec.out")" "owner=1234"
}

# ---------------------------------------------------------------- HOME

@test "compat: HOME comes from the container's /etc/passwd when process.env has none" {
	update_config '.process.env = ["PATH=/bin:/usr/bin"]'
	in_ctr 'echo "home=$HOME"'
	assert_eq "$output" "home=/root"
	# a uid without a passwd entry: /
	update_config '.process.user = {"uid": 4242, "gid": 4242}'
	in_ctr 'echo "home=$HOME"'
	assert_eq "$output" "home=/"
	# process.env's own HOME wins
	update_config '.process.env += ["HOME=/mine"]'
	in_ctr 'echo "home=$HOME"'
	assert_eq "$output" "home=/mine"
	# exec: from the passwd entry of the exec's user
	update_config '.process.env = ["PATH=/bin:/usr/bin"] | .process.user = {"uid": 0, "gid": 0}'
	start_holder
	run -0 rt exec --user 65534:65534 "$CID" sh -c 'echo "home=$HOME"'
	assert_eq "$output" "home=/nonexistent"
	run -0 rt exec "$CID" sh -c 'echo "home=$HOME"'
	assert_eq "$output" "home=/root"
}

# ---------------------------------------------------------------- namespaces by path

# hold_ns TYPES...: a process in new namespaces of those types (unshare
# flags like --uts --net --ipc), its pid in HOLDER.
hold_ns() {
	unshare "$@" sh -c 'exec sleep 1000' &
	HOLDER=$!
	for _ in $(seq 100); do
		[ "$(readlink /proc/$HOLDER/ns/uts)" != "$(readlink /proc/self/ns/uts)" ] ||
			[ "$(readlink /proc/$HOLDER/ns/net)" != "$(readlink /proc/self/ns/net)" ] && return 0
		sleep 0.02
	done
}

@test "compat: hostname and namespaced sysctls in namespaces joined by path" {
	hold_ns --uts --net --ipc
	update_config '.hostname = "joined-host"
		| .linux.sysctl = {"net.ipv4.ping_group_range": "0 0", "kernel.msgmax": "12345", "kernel.domainname": "joined-dom"}
		| .linux.namespaces |= map(select(.type != "uts" and .type != "network" and .type != "ipc"))
		| .linux.namespaces += [{"type": "uts", "path": $u}, {"type": "network", "path": $n}, {"type": "ipc", "path": $i}]' \
		--arg u "/proc/$HOLDER/ns/uts" --arg n "/proc/$HOLDER/ns/net" --arg i "/proc/$HOLDER/ns/ipc"
	in_ctr 'hostname; cat /proc/sys/net/ipv4/ping_group_range /proc/sys/kernel/msgmax /proc/sys/kernel/domainname'
	assert_eq "${lines[0]}" joined-host
	[[ ${lines[1]} =~ ^0[[:space:]]+0$ ]]
	assert_eq "${lines[2]}" 12345
	assert_eq "${lines[3]}" joined-dom
	# the holder's namespaces got them; the host's did not
	assert_eq "$(nsenter -t "$HOLDER" --uts hostname)" joined-host
	assert_eq "$(nsenter -t "$HOLDER" --ipc cat /proc/sys/kernel/msgmax)" 12345
	[ "$(hostname)" != joined-host ]
}

@test "compat: hostname and namespaced sysctls for the host's own namespaces are refused" {
	local self_ns
	self_ns="$(readlink /proc/self/ns/net)"
	# the host's network namespace by path
	update_config '.linux.sysctl = {"net.ipv4.ping_group_range": "0 0"}
		| .linux.namespaces |= map(select(.type != "network")) + [{"type": "network", "path": $p}]' \
		--arg p "/proc/$$/ns/net"
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "net.ipv4.ping_group_range"
	# no network namespace at all
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "net.ipv4.ping_group_range"
	# the hostname in the host's UTS namespace
	update_config '.linux.sysctl = {} | .hostname = "nope" | .linux.namespaces |= map(select(.type != "uts"))'
	run --separate-stderr run_ctr true
	[ "$status" -ne 0 ]
	[ "$(hostname)" != nope ]
	[ "$(readlink /proc/self/ns/net)" = "$self_ns" ]
	if is_skiff; then
		assert_one_line_error
		assert_contains "$stderr" "hostname"
	fi
}

# ---------------------------------------------------------------- seccomp

# tests/syscall_probe.c, static, built once per run
probe_bin() {
	local d="$BATS_RUN_TMPDIR/compat-tools"
	(
		flock 9
		[ -x "$d/probe" ] || { mkdir -p "$d" && cc -static -O1 -o "$d/probe" "$REPO_ROOT/tests/syscall_probe.c"; } >&2
	) 9>"$BATS_RUN_TMPDIR/compat-tools.lock"
	echo "$d/probe"
}

# The allow-list profile of skiff's `spec` (EPERM by default), for both runtimes.
allowlist_profile() {
	local d
	[ -x "$REPO_ROOT/skiff" ] || skip "no skiff build for its spec profile"
	d="$(mktemp -d "$TESTDIR/spec.XXXX")"
	(cd "$d" && "$REPO_ROOT/skiff" spec >/dev/null)
	update_config '.linux.seccomp = $p' --argjson p "$(jq .linux.seccomp "$d/config.json")"
}

@test "compat: seccomp: a syscall newer than the profile gets ENOSYS, a known one the default (also from the cache)" {
	cp "$(probe_bin)" "$ROOTFS/bin/probe"
	allowlist_profile
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$BUNDLE/config.json"
	# 1000: above every syscall of every arch the profile names; keyctl: known, not allowed
	run -0 run_ctr probe nr-1000 keyctl getpid
	assert_eq "$output" "nr-1000=ENOSYS
keyctl=EPERM
getpid=OK"
	# the second start takes the program from skiff's cache: the stub is in it
	run -0 run_ctr probe nr-1000 keyctl
	assert_eq "$output" "nr-1000=ENOSYS
keyctl=EPERM"
	if is_skiff; then
		ls "$ROOT"/.seccomp-cache/*.bpf
	fi
	# an ALLOW default gets no stub: the kernel's own ENOSYS; a KILL rule still kills
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	run -0 run_ctr probe nr-1000 mkdir getpid
	assert_eq "$output" "nr-1000=ENOSYS
mkdir=EACCES
getpid=OK"
	# an exec gets the stub too
	allowlist_profile
	set_args sh -c 'mkfifo /tmp/hold && exec cat /tmp/hold'
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	run -0 rt exec "$CID" probe nr-1000 keyctl
	assert_eq "$output" "nr-1000=ENOSYS
keyctl=EPERM"
}

@test "compat: seccomp: SCMP_ACT_NOTIFY without listenerPath, on write, or with no agent is refused" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "listenerPath is not set"
	update_config '.linux.seccomp.listenerPath = $p | .linux.seccomp.syscalls[0].names = ["write"]' --arg p "$TESTDIR/agent.sock"
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "SCMP_ACT_NOTIFY cannot be used for the write syscall"
	# nothing listens at listenerPath
	update_config '.linux.seccomp.syscalls[0].names = ["mkdir"]'
	run --separate-stderr run_ctr true
	assert_contains "$stderr" "failed to connect with seccomp agent"
	[ "$status" -ne 0 ]
	if is_skiff; then
		assert_one_line_error
	fi
	[ ! -e "$ROOT/$CID" ]
}

# ---------------------------------------------------------------- capabilities

caps_of() { awk -v f="$1:" '$1 == f { print $2 }' <<<"$output"; }

@test "compat: ambient capabilities of the config for run and exec, exec --cap adds to every set" {
	# NET_BIND_SERVICE (bit 10) in every set and ambient, for uid 1000
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"], "effective": ["CAP_NET_BIND_SERVICE"],
			"permitted": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]}'
	in_ctr 'grep ^Cap /proc/self/status'
	assert_eq "$(caps_of CapAmb)" 0000000000000400
	assert_eq "$(caps_of CapEff)" 0000000000000400
	start_holder
	run -0 rt exec "$CID" grep ^Cap /proc/self/status
	assert_eq "$(caps_of CapAmb)" 0000000000000400
	assert_eq "$(caps_of CapEff)" 0000000000000400
	# --cap CAP_NET_RAW (bit 13): bounding, effective, permitted, inheritable
	# and ambient as runc >= 1.2 does (1.1 gives a non-root user the
	# bounding set only)
	run -0 rt exec --cap CAP_NET_RAW "$CID" grep ^Cap /proc/self/status
	assert_eq "$(caps_of CapBnd)" 0000000000002420
	if is_skiff; then
		assert_eq "$(caps_of CapAmb)" 0000000000002400
		assert_eq "$(caps_of CapEff)" 0000000000002400
		assert_eq "$(caps_of CapInh)" 0000000000002400
	fi
}

@test "compat: an unknown capability in the config or exec --cap is ignored with a warning" {
	update_config '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_FLY"], "effective": ["CAP_KILL", "CAP_FLY"],
		"permitted": ["CAP_KILL", "CAP_FLY"]}'
	set_args grep ^CapEff /proc/self/status
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -eq 0 ]
	assert_contains "$output" 0000000000000020
	assert_contains "$stderr" CAP_FLY
	if is_skiff; then
		assert_eq "$stderr" 'skiff: warning: process.capabilities: ignoring unknown capabilities: CAP_FLY'
	fi
	start_holder
	run --separate-stderr rt exec --cap CAP_SWIM "$CID" grep ^CapEff /proc/self/status
	[ "$status" -eq 0 ]
	assert_contains "$output" 0000000000000020
	assert_contains "$stderr" CAP_SWIM
	if is_skiff; then
		assert_eq "$stderr" 'skiff: warning: process.capabilities: ignoring unknown capabilities: CAP_FLY, CAP_SWIM'
	fi
}
