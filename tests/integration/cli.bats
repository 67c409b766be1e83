#!/usr/bin/env bats
# The command line: version, help, spec, features, global options, option forms.

load helpers

@test "cli: --version and -v" {
	run -0 "$SKIFF" --version
	grep -qE "^$RUNTIME_NAME version [0-9]" <<<"$output"
	grep -qE '^spec: [0-9]+\.[0-9]+\.[0-9]+' <<<"$output"
	if is_skiff; then
		# skiff-specific: the spec version; libseccomp's as runc prints it
		grep -qx 'spec: 1.3.0' <<<"$output"
		grep -qE '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$' <<<"$output"
	fi
	v="$output"
	run -0 "$SKIFF" -v
	assert_eq "$output" "$v"
}

@test "cli: --help and -h list the commands" {
	run -0 "$SKIFF" --help
	for c in create start run state kill delete list spec features; do
		assert_contains "$output" "$c"
	done
	run -0 "$SKIFF" -h
	assert_contains "$output" create
}

@test "cli: spec writes a valid config.json" {
	cd "$TESTDIR"
	run -0 "$SKIFF" spec
	jq -e '.ociVersion and .process.args and .root.path == "rootfs" and (.linux.namespaces | length > 0) and (.mounts | length > 0)' config.json
	if is_skiff; then assert_eq "$(jq -r .ociVersion config.json)" 1.3.0; fi # skiff-specific
}

@test "cli: spec refuses to overwrite an existing config.json" {
	cd "$TESTDIR"
	echo '{"keep": true}' >config.json
	run --separate-stderr "$SKIFF" spec
	assert_one_line_error
	assert_contains "$stderr" config.json
	assert_eq "$(cat config.json)" '{"keep": true}'
}

@test "cli: spec --bundle DIR writes DIR/config.json" {
	mkdir "$TESTDIR/other"
	run -0 "$SKIFF" spec --bundle "$TESTDIR/other"
	jq -e .ociVersion "$TESTDIR/other/config.json"
	run -0 "$SKIFF" spec -b "$TESTDIR/other2" || true
}

@test "cli: spec --rootless has a user namespace and id mappings" {
	cd "$TESTDIR"
	run -0 "$SKIFF" spec --rootless
	jq -e '(.linux.namespaces | map(.type) | index("user")) != null' config.json
	jq -e '(.linux.namespaces | map(.type) | index("network")) == null' config.json
	jq -e '(.linux.uidMappings | length) >= 1 and (.linux.gidMappings | length) >= 1' config.json
}

@test "cli: features is valid JSON with ociVersionMin/Max" {
	run -0 "$SKIFF" features
	jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")' <<<"$output"
	jq -e '.linux.namespaces | index("pid") != null' <<<"$output"
	if is_skiff; then assert_eq "$(jq -r .ociVersionMax <<<"$output")" 1.3.0; fi # skiff-specific
}

@test "cli: global --root before the command" {
	set_args sleep 300
	run -0 detached "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID"
	[ -d "$ROOT/$CID" ]
	run -0 "$SKIFF" --root="$ROOT" state "$CID"
	assert_eq "$(jq -r .id <<<"$output")" "$CID"
	run -0 rt delete --force "$CID"
}

@test "cli: --log FILE gets the error (text)" {
	run ! "$SKIFF" --root "$ROOT" --log "$TESTDIR/log.txt" state "no-such-$CID"
	grep -q "no-such-$CID\|does not exist\|not exist\|not found" "$TESTDIR/log.txt"
}

@test "cli: --log-format json writes JSON lines with level, msg, time" {
	run ! "$SKIFF" --root "$ROOT" --log "$TESTDIR/log.json" --log-format json state "no-such-$CID"
	[ -s "$TESTDIR/log.json" ]
	while read -r line; do
		jq -e '(.level | type == "string") and (.msg | type == "string") and (.time | type == "string")' <<<"$line" >/dev/null ||
			{ echo "bad log line: $line" >&2; false; }
	done <"$TESTDIR/log.json"
	jq -se 'map(select(.level == "error")) | length >= 1' "$TESTDIR/log.json"
	# time is RFC 3339
	jq -r .time "$TESTDIR/log.json" | head -1 | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
}

@test "cli: --opt=value form" {
	set_args sleep 300
	run -0 detached "$SKIFF" --root="$ROOT" create --bundle="$BUNDLE" --pid-file="$TESTDIR/pid" "$CID"
	assert_eq "$(cat "$TESTDIR/pid")" "$(pid_of "$CID")"
	run -0 rt list --format=json
	jq -e 'length == 1' <<<"$output"
	run -0 rt delete --force "$CID"
}

@test "cli: options after the container id" {
	# skiff-specific: runc (urfave/cli) stops parsing options at the first argument
	if is_runc; then skip "runc does not accept options after the id"; fi
	set_args sleep 300
	run -0 detached rt create "$CID" --bundle "$BUNDLE" --pid-file "$TESTDIR/pid"
	assert_eq "$(cat "$TESTDIR/pid")" "$(pid_of "$CID")"
	run -0 rt kill "$CID" --all KILL
	wait_for_status "$CID" stopped
	run -0 rt delete "$CID" --force
}

@test "cli: --systemd-cgroup without systemd is an error" {
	if [ -d /run/systemd/system ]; then skip "systemd is running here"; fi
	# skiff-specific: runc tries to talk to systemd and fails with its own message
	set_args true
	run --separate-stderr rt --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	if is_skiff; then
		assert_one_line_error
		grep -qE "no systemd( is)? running" <<<"$stderr" # docs/cli.md: `no systemd running`
	fi
	run ! rt state "$CID"
	[ ! -e "$ROOT/$CID" ]
	# the other commands take the flag (engines pass it to every one)
	run -0 rt --systemd-cgroup list
}

@test "cli: --debug is accepted" {
	set_args true
	run -0 rt --debug --log "$TESTDIR/debug.log" run --bundle "$BUNDLE" "$CID"
}
