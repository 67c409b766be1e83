#!/usr/bin/env bats
# JSON read the way other readers read it (issue #15): a key twice in one
# object, or a NUL character in a string, is refused with one line naming
# the JSON path, in config.json, exec --process and update -r; hook
# timeouts past int32; the small ways to lose or hang a container (an
# empty --root, a config.json that is a FIFO, ids that are skiff's own
# entries, no process.args).  Nothing is left behind (teardown checks).

load helpers

# config_edit FROM TO: in the compact config.json text, FROM (literal,
# must be there) replaced by TO.
config_edit() {
	local text
	text="$(jq -c . "$BUNDLE/config.json")"
	[[ $text == *"$1"* ]] || { echo "config_edit: '$1' not in config.json" >&2; return 1; }
	printf '%s\n' "${text/"$1"/"$2"}" >"$BUNDLE/config.json"
}

# refused_create MESSAGE: create and run both fail with one line that
# contains MESSAGE; no container.
refused_create() {
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	assert_contains "$stderr" "$1"
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_one_line_error
	assert_contains "$stderr" "$1"
	run ! rt state "$CID"
}

@test "json: a duplicate key in config.json is refused, naming the object" {
	set_args true
	config_edit '"args":["true"]' '"args":["true"],"args":["false"]'
	refused_create 'config.json: process: duplicate key "args"'
}

@test "json: a duplicate key deep down (in an array element) is refused" {
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	config_edit '"allow":false,' '"allow":false,"allow":true,'
	refused_create 'config.json: linux.resources.devices[0]: duplicate key "allow"'
}

@test "json: a duplicate key at the top level and in a field skiff ignores" {
	config_edit '{"ociVersion":' '{"x":{"y":[{"k":1,"k":1}]},"ociVersion":'
	refused_create 'config.json: x.y[0]: duplicate key "k"'
	update_config 'del(.x)'
	config_edit '"ociVersion":' '"hostname":"a","hostname":"b","ociVersion":'
	refused_create 'config.json: duplicate key "hostname"'
}

@test "json: a NUL character in a string is refused, not cut there" {
	set_args true
	config_edit '"args":["true"]' '"args":["/bin/sh\u0000x"]'
	refused_create 'config.json: process.args[0]: string contains a NUL character'
	set_args true
	config_edit '"args":["true"]' '"args":["true"],"env":["A=1","B=\u0000"]'
	refused_create 'config.json: process.env[1]: string contains a NUL character'
}

@test "json: a NUL character in a key is refused" {
	update_config '.annotations = {"a": "1"}'
	config_edit '"annotations":{"a"' '"annotations":{"a\u0000b"'
	refused_create 'config.json: annotations: key contains a NUL character'
}

@test "json: exec --process: a duplicate key or a NUL character is refused" {
	set_args sleep 300
	run -0 run_detached "$CID"
	printf '%s' '{"cwd": "/", "args": ["true"], "user": {"uid": 0, "gid": 0, "uid": 1}}' >"$TESTDIR/p.json"
	run --separate-stderr rt exec --process "$TESTDIR/p.json" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "p.json: user: duplicate key \"uid\""
	printf '%s' '{"cwd": "/", "args": ["sh\u0000", "-c", "exit 0"]}' >"$TESTDIR/p.json"
	run --separate-stderr rt exec --process "$TESTDIR/p.json" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "p.json: args[0]: string contains a NUL character"
	# the container is untouched
	run -0 rt exec "$CID" true
	run -0 rt delete --force "$CID"
}

@test "json: update -r: duplicate keys, NUL characters and trailing text are refused" {
	set_args sleep 300
	run -0 run_detached "$CID"
	printf '%s' '{"pids": {"limit": 50}, "pids": {"limit": 60}}' >"$TESTDIR/r.json"
	run --separate-stderr rt update -r "$TESTDIR/r.json" "$CID"
	assert_one_line_error
	assert_contains "$stderr" 'r.json: linux.resources: duplicate key "pids"'
	printf '%s' '{"cpu": {"cpus": "0\u0000"}}' >"$TESTDIR/r.json"
	run --separate-stderr rt update -r "$TESTDIR/r.json" "$CID"
	assert_one_line_error
	assert_contains "$stderr" 'r.json: linux.resources.cpu.cpus: string contains a NUL character'
	# a NUL byte in the document read from stdin (it used to end the text there)
	run --separate-stderr sh -c 'printf "{\"pids\": {\"limit\": 50}}\0garbage" |
		timeout 20 "$1" --root "$2" update -r - "$3"' sh "$SKIFF" "$ROOT" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "NUL byte"
	# text that would close the resources object of a wrapping document
	printf '%s' '{}},"linux":{"resources":{}' >"$TESTDIR/r.json"
	run --separate-stderr rt update -r "$TESTDIR/r.json" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "invalid JSON"
	run -0 rt update -r - "$CID" <<<'{"pids": {"limit": 77}}'
	run -0 rt delete --force "$CID"
}

@test "json: hook timeout past int32 or 2^32 is refused, naming the hook" {
	update_config '.hooks.prestart = [{"path": "/bin/true", "timeout": 4294967296}]'
	refused_create 'config.json: hooks.prestart[0].timeout: 4294967296 is out of range (1 to 2147483647)'
	update_config '.hooks.prestart = [] | .hooks.poststop = [{"path": "/bin/true"}, {"path": "/bin/true", "timeout": 2147483648}]'
	refused_create 'config.json: hooks.poststop[1].timeout: 2147483648 is out of range'
	update_config 'del(.hooks.poststop) | .hooks.createRuntime = [{"path": "/bin/true", "timeout": 0}]'
	refused_create 'config.json: hooks.createRuntime[0].timeout:'
}

@test "json: a hook timeout whose milliseconds pass 2^32 still waits for the hook" {
	# 4294968 s * 1000 wrapped to 704 ms in an int: the hook was killed
	update_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 1; echo done >\"$0\"", "'"$TESTDIR/hook-done"'"], "timeout": 4294968}]'
	run -0 run_ctr true
	[ "$(cat "$TESTDIR/hook-done")" = done ]
	# and the largest timeout allowed
	update_config '.hooks.createRuntime[0].timeout = 2147483647'
	rm "$TESTDIR/hook-done"
	run -0 run_ctr true
	[ "$(cat "$TESTDIR/hook-done")" = done ]
}

@test "json: a hook that never reads a big state on stdin still times out" {
	# the state (with annotations) is bigger than a pipe: writing it used
	# to block until the hook exited, whatever its timeout
	head -c 300000 /dev/zero | tr '\0' x >"$TESTDIR/big"
	update_config '.annotations = {"big": $s}' --rawfile s "$TESTDIR/big"
	update_config '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "600"], "timeout": 1}]'
	start=$SECONDS
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	assert_contains "$stderr" "hooks.createRuntime[0] (/bin/sleep): timed out after 1 s"
	[ $((SECONDS - start)) -lt 20 ]
	run ! rt state "$CID"
}

@test "json: an empty --root is refused" {
	run --separate-stderr "$SKIFF" --root "" list
	assert_one_line_error
	assert_contains "$stderr" "--root: must not be empty"
	run --separate-stderr "$SKIFF" --root= state x
	assert_one_line_error
	assert_contains "$stderr" "--root: must not be empty"
}

@test "json: a config.json that is a FIFO or a device is refused at once" {
	rm "$BUNDLE/config.json"
	mkfifo "$BUNDLE/config.json"
	start=$SECONDS
	run --separate-stderr timeout 20 "$SKIFF" --root "$ROOT" create --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "config.json: not a regular file"
	[ $((SECONDS - start)) -lt 15 ]
	rm "$BUNDLE/config.json"
	ln -s /dev/zero "$BUNDLE/config.json"
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_one_line_error
	assert_contains "$stderr" "config.json: not a regular file"
	run ! rt state "$CID"
}

@test "json: ids starting with '.' are refused; skiff's own entries are no containers" {
	run --separate-stderr create_ctr .hidden
	assert_one_line_error
	assert_contains "$stderr" "invalid container id \".hidden\": must not start with '.'"
	[ ! -e "$ROOT/.hidden" ]
	mkdir -p "$ROOT/.seccomp-cache"
	touch "$ROOT/.seccomp-cache/keep"
	for cmd in "delete --force" delete state kill pause "exec"; do
		run --separate-stderr rt $cmd .seccomp-cache
		[ "$status" -ne 0 ]
		assert_contains "$stderr" "must not start with '.'"
	done
	[ -e "$ROOT/.seccomp-cache/keep" ]
	run -0 rt list -q
	[ -z "$output" ]
	# '.' and '..' too; a dot further on is fine
	run --separate-stderr rt state ..
	assert_one_line_error
	set_args true
	run -0 rt run --bundle "$BUNDLE" "a.b-$CID" </dev/null
}

@test "json: process.args absent is named before anything is created" {
	update_config 'del(.process.args)'
	refused_create 'config.json: process.args: required'
	update_config '.process.args = []'
	refused_create 'config.json: process.args: must not be empty'
}
