#!/usr/bin/env bats
# Terminals: process.terminal with --console-socket (the pty is made inside
# the container and its master sent over the socket, as runc does; the
# receiver tests/tools/recvtty.py plays conmon's part), consoleSize, and
# run/exec used interactively from a shell (under script(1)).

load helpers

RECVTTY="$BATS_TEST_DIRNAME/../tools/recvtty.py"

teardown() {
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null
	cleanup_ctr "$CID"
	common_teardown
}

# start_recvtty OUT [ARGS...]: a receiver on $TESTDIR/console.sock.
start_recvtty() {
	local out="$1"
	shift
	python3 "$RECVTTY" "$TESTDIR/console.sock" --out "$out" "$@" &
	RPID=$!
	for _ in $(seq 200); do [ -S "$TESTDIR/console.sock" ] && return 0; sleep 0.02; done
	echo "recvtty did not start" >&2
	return 1
}

wait_recvtty() {
	local i
	for i in $(seq 300); do
		kill -0 "$RPID" 2>/dev/null || { wait "$RPID"; RPID=; return; }
		sleep 0.05
	done
	echo "recvtty still running; got: $(cat "$1" 2>/dev/null)" >&2
	return 1
}

@test "terminal: run -d --console-socket: pty from the container, controlling terminal, consoleSize" {
	update_config '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
	set_args sh -c 'stty size; [ -t 0 ] && echo stdin-is-tty; tty; awk "{ print \"ttynr=\" \$7 }" /proc/self/stat; echo sid=$(cut -d" " -f6 /proc/self/stat) pid=$$'
	start_recvtty "$TESTDIR/tty.out"
	run -0 rt run -d --console-socket "$TESTDIR/console.sock" --bundle "$BUNDLE" "$CID" </dev/null
	wait_recvtty "$TESTDIR/tty.out"
	out="$(tr -d '\r' <"$TESTDIR/tty.out")"
	assert_contains "$out" "33 111"
	assert_contains "$out" stdin-is-tty
	assert_contains "$out" /dev/
	assert_not_contains "$out" "ttynr=0"
	# the process leads its own session on that terminal
	sid="$(sed -n 's/^sid=\([0-9]*\) pid=\([0-9]*\)$/\1 \2/p' <<<"$out")"
	[ -n "$sid" ] && [ "${sid% *}" = "${sid#* }" ]
	# runc sends the pty's name with the fd
	assert_eq "$(cat "$TESTDIR/tty.out.name")" /dev/ptmx
	wait_for_status "$CID" stopped
	run -0 rt delete "$CID"
}

@test "terminal: the console socket's terminal is interactive" {
	update_config '.process.terminal = true'
	set_args sh
	start_recvtty "$TESTDIR/tty.out" --input 'echo typed-$((6*7))\nexit 0\n'
	run -0 rt run -d --console-socket "$TESTDIR/console.sock" --bundle "$BUNDLE" "$CID" </dev/null
	wait_recvtty "$TESTDIR/tty.out"
	assert_contains "$(cat "$TESTDIR/tty.out")" typed-42
	wait_for_status "$CID" stopped
	run -0 rt delete "$CID"
}

@test "terminal: create with terminal and no console socket is refused with one line" {
	update_config '.process.terminal = true'
	run --separate-stderr rt create --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" console-socket
	[ ! -e "$ROOT/$CID" ]
}

@test "terminal: exec -t -d --console-socket with consoleSize from process.json" {
	set_args sh -c 'mkfifo /hold && exec cat /hold'
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	cat >"$TESTDIR/process.json" <<'JSON'
{"terminal": true, "consoleSize": {"height": 21, "width": 77}, "user": {"uid": 0, "gid": 0},
 "args": ["sh", "-c", "stty size; tty; echo exec-tty-ok"], "env": ["PATH=/bin:/usr/bin"], "cwd": "/"}
JSON
	start_recvtty "$TESTDIR/tty.out"
	run -0 rt exec -d --console-socket "$TESTDIR/console.sock" --pid-file "$TESTDIR/pid" \
		--process "$TESTDIR/process.json" "$CID" </dev/null
	wait_recvtty "$TESTDIR/tty.out"
	out="$(tr -d '\r' <"$TESTDIR/tty.out")"
	assert_contains "$out" "21 77"
	assert_contains "$out" /dev/pts/
	assert_contains "$out" exec-tty-ok
	# exec leaves the container's /dev/console alone
	run -0 rt exec "$CID" sh -c 'mount | grep -c " /dev/console " || true'
	assert_eq "$output" 0
}

@test "terminal: exec -t and --tty flag forms in the foreground under script(1)" {
	command -v script >/dev/null || skip "needs script(1)"
	set_args sh -c 'mkfifo /hold && exec cat /hold'
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	run -5 script -qec "$SKIFF --root $ROOT exec -t $CID sh -c 'tty; [ -t 0 ] && echo on-a-tty; exit 5'" /dev/null </dev/null
	assert_contains "$output" /dev/pts/
	assert_contains "$output" on-a-tty
	# typed input reaches the shell in the container
	run -4 script -qec "$SKIFF --root $ROOT exec --tty $CID sh" /dev/null <<<'echo typed-$((40+2)); exit 4'
	assert_contains "$output" typed-42
}

@test "terminal: run with terminal and no console socket is interactive under script(1)" {
	command -v script >/dev/null || skip "needs script(1)"
	update_config '.process.terminal = true'
	set_args sh
	run -3 script -qec "$SKIFF --root $ROOT run --bundle $BUNDLE $CID" /dev/null <<<'echo hello-$((1+1)); tty; exit 3'
	assert_contains "$output" hello-2
	assert_contains "$output" /dev/
	[ ! -e "$ROOT/$CID" ]
}

@test "terminal: run -t under tmux, window size follows the client" {
	command -v tmux >/dev/null || skip "needs tmux"
	update_config '.process.terminal = true'
	set_args sh
	sock="$TESTDIR/tmux.sock"
	tmux -S "$sock" new-session -d -x 90 -y 27 "$SKIFF --root $ROOT run --bundle $BUNDLE $CID; echo exit=\$? > $TESTDIR/rc; sleep 1"
	for _ in $(seq 200); do [ "$(status_of "$CID")" = running ] && break; sleep 0.05; done
	tmux -S "$sock" send-keys 'stty size > /size.txt; exit 9' Enter
	for _ in $(seq 200); do [ -s "$TESTDIR/rc" ] && break; sleep 0.05; done
	tmux -S "$sock" kill-server 2>/dev/null || true
	assert_eq "$(cat "$TESTDIR/rc")" exit=9
	assert_eq "$(cat "$ROOTFS/size.txt")" "27 90"
}
