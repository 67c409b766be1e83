#!/usr/bin/env bats
# linux.seccomp: the default profile of `spec`, every action, argument
# filters, errors, SCMP_ACT_NOTIFY with an agent, the late load, the cache.

load helpers

# tests/syscall_probe.c (static, copied into the rootfs) and
# tests/seccomp_agent.c, built once per run.
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

setup() {
	common_setup
	TOOLS="$(tools_dir)"
	cp "$TOOLS/probe" "$ROOTFS/bin/probe"
}

teardown() {
	[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
	common_teardown
}

# profile JSON for .linux.seccomp
set_seccomp() {
	update_config ".linux.seccomp = $1"
}

@test "seccomp: spec writes an allow-list profile (EPERM by default, native arches, arg filters)" {
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$BUNDLE/config.json"
	jq -e '.linux.seccomp.syscalls[0].names | index("read") and index("execve") and (index("keyctl") | not)' "$BUNDLE/config.json"
	jq -e '[.linux.seccomp.syscalls[] | select(.names == ["clone"]) | .args[0].op] == ["SCMP_CMP_MASKED_EQ"]' "$BUNDLE/config.json"
	jq -e '[.linux.seccomp.syscalls[] | select(.names == ["personality"])] | length == 5' "$BUNDLE/config.json"
	jq -e '[.linux.seccomp.syscalls[] | select(.names == ["socket"]) | .args[0].op] == ["SCMP_CMP_NE"]' "$BUNDLE/config.json"
	if [ "$(uname -m)" = x86_64 ]; then
		jq -e '.linux.seccomp.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]' "$BUNDLE/config.json"
	fi
}

@test "seccomp: the container from spec blocks keyctl, add_key, unshare(CLONE_NEWUSER) and a shell works" {
	jq -e '.linux.seccomp.syscalls | length > 0' "$BUNDLE/config.json"
	run -0 run_ctr probe keyctl add_key unshare-user unshare-net clone-newuser personality0 personality-bad socket-vsock socket-inet getpid
	assert_eq "$output" "keyctl=EPERM
add_key=EPERM
unshare-user=EPERM
unshare-net=EPERM
clone-newuser=EPERM
personality0=OK
personality-bad=EPERM
socket-vsock=EPERM
socket-inet=OK
getpid=OK"
	# an ordinary shell session: pipes, fork/exec, files, ps, signals
	in_ctr 'echo a | cat | wc -l; mkdir -p /tmp/d && echo x >/tmp/d/f && cat /tmp/d/f; ps -o pid,comm | grep -c ps; { sleep 10 & kill $!; wait $!; echo rc=$?; } 2>/dev/null; unshare -U true 2>/dev/null || echo unshare-refused'
	assert_eq "$output" "1
x
1
rc=143
unshare-refused"
}

@test "seccomp: every action (ERRNO with errnoRet, KILL*, TRAP, TRACE, LOG, ALLOW)" {
	local a
	for a in SCMP_ACT_ALLOW SCMP_ACT_LOG; do
		set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "'$a'"}]}'
		run -0 run_ctr probe mkdir
		assert_eq "$output" "mkdir=OK"
		rmdir "$ROOTFS/tmp/probe-dir"
	done
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	# TRACE without a tracer: ENOSYS
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_TRACE", "errnoRet": 1}]}'
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=ENOSYS"
	# the killing actions: SIGSYS (128+31)
	for a in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
		set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "'$a'"}]}'
		run run_ctr probe uncaught-mkdir
		assert_eq "$status $a" "159 $a"
	done
	[ ! -e "$ROOTFS/tmp/probe-dir" ]
}

@test "seccomp: argument filters, several conditions on one argument are OR'ed (as runc)" {
	# personality(8) and personality(READ_IMPLIES_EXEC) denied by two
	# conditions on arg 0 of one rule; personality(0) matches neither.  The
	# probe calls READ_IMPLIES_EXEC, the second condition: a runtime that
	# kept only the first one would let it through.
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [
			{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
			{"index": 0, "value": 4194304, "op": "SCMP_CMP_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97, "args": [
			{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]},
		{"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "args": [
			{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	run -0 run_ctr probe personality0 personality-bad socket-vsock socket-inet unshare-user
	assert_eq "$output" "personality0=OK
personality-bad=EPERM
socket-vsock=EAFNOSUPPORT
socket-inet=OK
unshare-user=EPERM"
}

@test "seccomp: unknown syscall names are skipped; unknown action, operator, architecture, flag are errors" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["no_such_syscall_skiff", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EPERM"

	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}]}'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "SCMP_ACT_NOPE"
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NOPE"}]}]}'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "SCMP_CMP_NOPE"
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_NOPE"]}'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "SCMP_ARCH_NOPE"
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NOPE"]}'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "SECCOMP_FILTER_FLAG_NOPE"
	[ -z "$(ls -A "$ROOT" | grep -v '^\.seccomp-cache$')" ]
}

@test "seccomp: flags TSYNC, LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV are accepted" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EPERM"
	in_ctr 'grep Seccomp: /proc/self/status'
	assert_contains "$output" "2"
}

# The flags must reach seccomp(2) itself, not only be accepted: the load
# (the call with a program, not the NULL probe) is watched with strace.
# WAIT_KILLABLE_RECV only means something with a listener: skiff drops it
# from a filter without SCMP_ACT_NOTIFY (the kernel refuses it there).
@test "seccomp: flags TSYNC, LOG, SPEC_ALLOW reach seccomp(2)" {
	command -v strace >/dev/null || skip "no strace"
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args probe mkdir
	run -0 strace -f -qq -e trace=seccomp -e signal=none -o "$TESTDIR/strace" \
		"$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$output" "mkdir=EPERM"
	run -0 grep -E 'seccomp\(SECCOMP_SET_MODE_FILTER, .*\{len=[0-9]+' "$TESTDIR/strace"
	assert_eq "${#lines[@]}" 1
	assert_contains "${lines[0]}" "SECCOMP_FILTER_FLAG_TSYNC"
	assert_contains "${lines[0]}" "SECCOMP_FILTER_FLAG_LOG"
	assert_contains "${lines[0]}" "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
}

@test "seccomp: SCMP_ACT_NOTIFY: the agent at listenerPath gets the fd and the state and answers" {
	local sock="$TESTDIR/agent.sock" out="$TESTDIR/agent"
	mkdir -p "$out"
	"$TOOLS/seccomp_agent" "$sock" "$out" &
	AGENT_PID=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$sock"'", "listenerMetadata": "skiff-test-meta",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
	run -0 run_ctr sh -c 'probe mkdir; mkdir /tmp/x 2>&1; echo done'
	assert_eq "${lines[0]}" "mkdir=EHOSTUNREACH"
	assert_contains "${lines[1]}" "No route to host"
	assert_eq "${lines[2]}" done
	[ ! -e "$ROOTFS/tmp/x" ]
	wait "$AGENT_PID"
	AGENT_PID=
	jq -e --arg id "$CID" '.ociVersion == "1.3.0" and .fds == ["seccompFd"] and (.pid | type == "number")
		and .metadata == "skiff-test-meta" and .state.id == $id and .state.pid == .pid
		and (.state.bundle | length > 0)' "$out/state.json"
	[ "$(wc -l <"$out/notified")" -ge 2 ]
}

@test "seccomp: SCMP_ACT_NOTIFY with WAIT_KILLABLE_RECV: the flag reaches seccomp(2)" {
	command -v strace >/dev/null || skip "no strace"
	local sock="$TESTDIR/agent.sock" out="$TESTDIR/agent"
	mkdir -p "$out"
	"$TOOLS/seccomp_agent" "$sock" "$out" &
	AGENT_PID=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$sock"'", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
	set_args probe mkdir
	run -0 strace -f -qq -e trace=seccomp -e signal=none -o "$TESTDIR/strace" \
		"$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$output" "mkdir=EHOSTUNREACH"
	wait "$AGENT_PID"
	AGENT_PID=
	run -0 grep -E 'seccomp\(SECCOMP_SET_MODE_FILTER, .*\{len=[0-9]+' "$TESTDIR/strace"
	assert_eq "${#lines[@]}" 1
	assert_contains "${lines[0]}" "SECCOMP_FILTER_FLAG_NEW_LISTENER"
	[[ ${lines[0]} =~ SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV|\|0x20[,|] ]]
}

@test "seccomp: SCMP_ACT_NOTIFY as defaultAction, or on sendmsg, is refused" {
	set_seccomp '{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/nonexistent"}'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "defaultAction"
	# so is NOTIFY on the syscall skiff hands the listener over with
	is_skiff || return 0
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent", "syscalls": [{"names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY"}]}'
	run --separate-stderr run_ctr true
	assert_one_line_error
	assert_contains "$stderr" "sendmsg"
}

# The syscalls the init makes after start (waiting for start, closing fds,
# the signal mask, prctl, capset...) are all before the filter: a profile
# that kills every one of them still starts the container.
@test "seccomp: a profile that kills what skiff uses after start still starts the container" {
	local deny='["close_range", "rt_sigprocmask", "prctl", "capset", "capget", "fcntl", "sendmsg", "recvmsg", "read", "close", "dup2", "dup3", "setsockopt", "poll", "ppoll", "wait4", "kill", "openat", "open", "setresuid", "setresgid", "setgroups", "chdir", "umask", "getpid"]'
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": '"$deny"', "action": "SCMP_ACT_KILL_PROCESS"}]}'
	run -0 run_ctr probe hello
	assert_eq "$output" hello
	# created, then started: the load happens at start, after the wait
	set_args probe hello
	create_ctr "$CID"
	rt start "$CID"
	wait_for_status "$CID" stopped
	assert_eq "$(cat "$TESTDIR/$CID.stdout")" hello
	rt delete "$CID"
	# without no_new_privs (CAP_SYS_ADMIN kept until the load) as well
	update_config '.process.noNewPrivileges = false'
	run -0 run_ctr probe hello
	assert_eq "$output" hello
	# and execve dropped the CAP_SYS_ADMIN kept for the load
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	in_ctr 'grep -E "^(CapEff|CapPrm|NoNewPrivs|Seccomp):" /proc/self/status; probe mkdir'
	assert_eq "$output" "CapPrm:	0000000020000420
CapEff:	0000000020000420
NoNewPrivs:	0
Seccomp:	2
mkdir=EPERM"
}

@test "seccomp: the filter is the init's last step: unfiltered while created, in place after start" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args sh -c 'grep Seccomp: /proc/self/status; probe mkdir'
	create_ctr "$CID"
	pid="$(pid_of "$CID")"
	# before start the init is not filtered yet (the load is its last step)
	grep -q "Seccomp:	0" "/proc/$pid/status"
	rt start "$CID"
	wait_for_status "$CID" stopped
	assert_eq "$(cat "$TESTDIR/$CID.stdout")" "Seccomp:	2
mkdir=EPERM"
	rt delete "$CID"
}

@test "seccomp: the compiled filter is cached; a corrupt, foreign or tampered entry is rebuilt" {
	local prof='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
	set_seccomp "$prof"
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	is_skiff || skip "skiff's cache"
	local c="$ROOT/.seccomp-cache"
	run -0 find "$c" -name '*.bpf' -type f
	assert_eq "${#lines[@]}" 1
	entry="${lines[0]}"
	[ "$(stat -c %a "$c")" = 700 ] && [ "$(stat -c %a "$entry")" = 600 ]
	good="$(sha256sum <"$entry")"
	# a hit: the entry is read, not rewritten (same inode: a rewrite is a
	# rename over it); its mtime, the last use pruning goes by, is refreshed
	touch -d '2000-01-01' "$entry"
	ino="$(stat -c %i "$entry")"
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	assert_eq "$(stat -c %i "$entry")" "$ino"
	assert_eq "$(sha256sum <"$entry")" "$good"
	[ "$(stat -c %Y "$entry")" -gt "$(date -d 2001-01-01 +%s)" ]
	# corrupt: one byte of the BPF flipped
	size=$(stat -c %s "$entry")
	printf '\xff' | dd of="$entry" bs=1 seek=$((size - 3)) conv=notrunc status=none
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	assert_eq "$(sha256sum <"$entry")" "$good"
	# truncated
	truncate -s 100 "$entry"
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	assert_eq "$(sha256sum <"$entry")" "$good"
	# foreign: a valid entry of an allow-all profile under this name
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ALLOW"}]}'
	run -0 run_ctr probe mkdir
	rmdir "$ROOTFS/tmp/probe-dir"
	other="$(ls -t "$c"/*.bpf | head -1)"
	[ "$other" != "$entry" ]
	cp "$other" "$entry"
	set_seccomp "$prof"
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	assert_eq "$(sha256sum <"$entry")" "$good"
	# writable by others: not trusted even though its content is intact
	# (a valid entry left 0666 is rebuilt, so rewritten 0600)
	chmod 666 "$entry"
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	[ "$(stat -c %a "$entry")" = 600 ]
	# writable by others and altered
	chmod 666 "$entry"
	printf '\xff' | dd of="$entry" bs=1 seek=$((size - 3)) conv=notrunc status=none
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	[ "$(stat -c %a "$entry")" = 600 ]
	assert_eq "$(sha256sum <"$entry")" "$good"
	# a symlink in place of the entry is not followed
	rm -f "$entry"
	ln -s "$other" "$entry"
	run -0 run_ctr probe mkdir
	assert_eq "$output" "mkdir=EXDEV"
	[ ! -L "$entry" ]
}
