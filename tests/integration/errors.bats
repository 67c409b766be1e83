#!/usr/bin/env bats
# Errors: non-zero exit, ONE line on stderr, nothing left behind (teardown
# checks state dirs, mounts, cgroups and processes after every test).

load helpers

@test "errors: bad JSON in config.json" {
	echo '{"ociVersion": "1.0.2", "process": {' >"$BUNDLE/config.json"
	run --separate-stderr rt create --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	run ! rt state "$CID"
}

@test "errors: config with wrong types" {
	update_config '.process.args = "sh"'
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	# skiff-specific: the error names the JSON path
	if is_skiff; then assert_contains "$stderr" "process.args"; fi
	run ! rt state "$CID"
}

@test "errors: config with a wrong type deeper down (hostname is a number)" {
	update_config '.hostname = 42'
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	if is_skiff; then assert_contains "$stderr" "hostname"; fi # skiff-specific
	run ! rt state "$CID"
}

@test "errors: missing rootfs" {
	rm -rf "$ROOTFS"
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	run ! rt state "$CID"
}

@test "errors: missing config.json" {
	rm -f "$BUNDLE/config.json"
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	assert_contains "$stderr" config.json
	run ! rt state "$CID"
}

@test "errors: bundle directory missing" {
	run --separate-stderr rt create --bundle "$TESTDIR/no-such-bundle" "$CID"
	assert_one_line_error
	run ! rt state "$CID"
}

@test "errors: duplicate id (create twice)" {
	set_args sleep 300
	run -0 create_ctr "$CID"
	pid="$(pid_of "$CID")"
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	# the first container is untouched
	assert_eq "$(status_of "$CID")" created
	assert_eq "$(pid_of "$CID")" "$pid"
	run -0 rt delete --force "$CID"
}

@test "errors: start of a running container" {
	set_args sleep 300
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	run --separate-stderr rt start "$CID"
	assert_one_line_error
	assert_eq "$(status_of "$CID")" running
	run -0 rt delete --force "$CID"
}

@test "errors: start of a stopped container" {
	set_args true
	run -0 run_detached "$CID"
	wait_for_status "$CID" stopped
	run --separate-stderr rt start "$CID"
	assert_one_line_error
	run -0 rt delete "$CID"
}

@test "errors: start/kill/state/delete of an unknown id" {
	for cmd in start kill state delete; do
		run --separate-stderr rt "$cmd" "no-such-$CID"
		assert_one_line_error
	done
	run --separate-stderr rt delete --force "no-such-$CID"
	# runc: delete --force of a missing container succeeds silently; skiff too? (both fine)
	[ -z "$stderr" ] || assert_one_line_error
}

@test "errors: delete of a running container without --force" {
	set_args sleep 300
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	run --separate-stderr rt delete "$CID"
	assert_one_line_error
	assert_eq "$(status_of "$CID")" running
	run -0 rt delete --force "$CID"
}

@test "errors: kill with an unknown signal name" {
	set_args sleep 300
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	run --separate-stderr rt kill "$CID" FOO
	assert_one_line_error
	if is_skiff; then assert_contains "$stderr" FOO; fi # skiff-specific: names the signal
	run --separate-stderr rt kill "$CID" SIGFOO
	assert_one_line_error
	run --separate-stderr rt kill "$CID" 12345
	assert_one_line_error
	assert_eq "$(status_of "$CID")" running
	run -0 rt delete --force "$CID"
}

@test "errors: a missing binary in process.args (run)" {
	set_args /bin/no-such-binary-xyz
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" no-such-binary-xyz
	run ! rt state "$CID"
}

@test "errors: a missing binary in process.args (create+start)" {
	set_args no-such-binary-xyz
	run --separate-stderr create_ctr "$CID"
	if [ "$status" -eq 0 ]; then
		# the runtime may only find out at start
		run --separate-stderr rt start "$CID"
		assert_one_line_error
		assert_contains "$stderr" no-such-binary-xyz
		rt delete --force "$CID"
	else
		assert_one_line_error
		assert_contains "$stderr" no-such-binary-xyz
	fi
	run ! rt state "$CID"
}

@test "errors: cwd that is not a directory" {
	update_config '.process.cwd = "/etc/passwd"'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	run ! rt state "$CID"
}

@test "errors: relative cwd" {
	update_config '.process.cwd = "tmp"'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	run ! rt state "$CID"
}

@test "errors: ociVersion 2.0.0 is refused" {
	update_config '.ociVersion = "2.0.0"'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	# skiff-specific: runc 1.1.5 does not check ociVersion
	if is_runc; then skip "runc does not check ociVersion"; fi
	assert_one_line_error
	assert_contains "$stderr" 2.0.0
	run ! rt state "$CID"
}

@test "errors: unknown command" {
	run --separate-stderr rt no-such-command
	[ "$status" -ne 0 ]
	assert_contains "$stderr" no-such-command
	if is_skiff; then assert_one_line_error; fi # skiff-specific: one line, exit 1 (runc: 3)
}

@test "errors: unknown option" {
	run --separate-stderr rt create --no-such-option --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_contains "$stderr" no-such-option
	[ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 1 ]
	run --separate-stderr rt --no-such-global list
	[ "$status" -ne 0 ]
	assert_contains "$stderr" no-such-global
	run ! rt state "$CID"
}

@test "errors: create without an id" {
	run --separate-stderr rt create --bundle "$BUNDLE"
	assert_one_line_error
}

@test "errors: invalid container id" {
	run --separate-stderr rt create --bundle "$BUNDLE" "../escape"
	assert_one_line_error
	[ ! -e "$TESTDIR/escape" ]
	run --separate-stderr rt create --bundle "$BUNDLE" "a/b"
	assert_one_line_error
}

# run blocks the signals it forwards and reads them from a signalfd made
# before the clone: when that cannot be made (here: no fd left), run fails
# with that error instead of supervising fd -1 (skiff-specific)
@test "errors: run when no signalfd can be made (fd limit)" {
	is_skiff || skip "skiff's own error"
	command -v prlimit >/dev/null || skip "no prlimit"
	# the sanitizers' runtime opens files of its own (/proc/self/maps...)
	! grep -q __asan_init "$SKIFF" || skip "a sanitizer build: its runtime needs fds of its own"
	run --separate-stderr timeout -k 5 "$SKIFF_TIMEOUT" prlimit --nofile=3:3 \
		"$SKIFF" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null
	assert_one_line_error
	assert_contains "$stderr" "signalfd: too many open files"
	run ! rt state "$CID"
}
