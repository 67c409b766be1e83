#!/usr/bin/env bats
# runc parity of the command line where engines (containerd's runc shim,
# go-runc, conmon/podman, Docker) and scripts can tell the difference: exit
# statuses, the error texts they match, list's output, help, version,
# --debug.  tests/run.sh runs this file against runc 1.1 too (the
# "runc-control" stage): what holds only for skiff is under `if is_skiff`.

load helpers

# assert_err_contains TEXT: after `run --separate-stderr`, stderr holds
# TEXT (runc's logfmt lines escape the quotes: msg="exec: \"/x\": ...").
assert_err_contains() {
	assert_contains "${stderr//\\\"/\"}" "$1"
}

# A running container ($CID) that sleeps, with /run.sh (its interpreter is
# missing: execve fails) and /noexec.sh (no x bit) in its rootfs.
running_with_bad_programs() {
	printf '#!/no/such/interpreter\n' >"$ROOTFS/run.sh"
	chmod 755 "$ROOTFS/run.sh"
	printf 'echo hi\n' >"$ROOTFS/noexec.sh"
	chmod 644 "$ROOTFS/noexec.sh"
	set_args sleep 300
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
}

# stopped_ctr: $CID created, started and killed: "stopped".
stopped_ctr() {
	set_args sleep 300
	run -0 run_detached "$CID"
	run -0 rt kill "$CID" KILL
	wait_for_status "$CID" stopped
}

# ---------------------------------------------------------------- 1. exec errors

@test "compat_cli: exec of what cannot be executed: runc's texts (Go's lowercase errno), 255 when the lookup fails" {
	running_with_bad_programs
	# Docker maps "permission denied" to 126 and "no such file or directory"
	# / "executable file not found" to 127, case-sensitively
	run -255 --separate-stderr rt exec "$CID" /noexec.sh
	assert_err_contains 'exec: "/noexec.sh": permission denied'
	run -255 --separate-stderr rt exec "$CID" /no/such/binary
	assert_err_contains 'exec: "/no/such/binary": stat /no/such/binary: no such file or directory'
	run -255 --separate-stderr rt exec "$CID" no-such-command
	assert_err_contains 'exec: "no-such-command": executable file not found in $PATH'
	# a directory is not executable either
	run -255 --separate-stderr rt exec "$CID" /etc
	assert_err_contains 'exec: "/etc": permission denied'
	# the container goes on
	run -0 rt exec "$CID" true
	cleanup_ctr "$CID"
}

@test "compat_cli: exec where execve fails: 'exec /run.sh: no such file or directory' first, status 1" {
	running_with_bad_programs
	run -1 --separate-stderr rt exec "$CID" /run.sh
	assert_contains "$(head -1 <<<"$stderr")" 'exec /run.sh: no such file or directory'
	if is_skiff; then
		# skiff-specific: `exec -d` reports it too (runc returns 0 and the
		# process prints it), in skiff's one line
		run -1 --separate-stderr rt exec -d "$CID" /run.sh
		assert_one_line_error 1
		assert_eq "$stderr" 'skiff: exec /run.sh: no such file or directory'
	fi
	run -0 rt exec "$CID" true
	cleanup_ctr "$CID"
}

@test "compat_cli: exec errors before the process exists exit 255 (unknown id, stopped, paused)" {
	run -255 --separate-stderr rt exec "no-such-$CID" true
	assert_err_contains "does not exist"
	stopped_ctr
	run -255 --separate-stderr rt exec "$CID" true
	assert_err_contains "cannot exec in a stopped container"
	cleanup_ctr "$CID"
}

@test "compat_cli: exec in a paused container: runc's text, 255" {
	set_args sleep 300
	run -0 run_detached "$CID"
	run -0 rt pause "$CID"
	run -255 --separate-stderr rt exec "$CID" true
	assert_err_contains "cannot exec in a paused container (use --ignore-paused to override)"
	run -0 rt resume "$CID"
	cleanup_ctr "$CID"
}

@test "compat_cli: run where execve fails: the text first, status 1, nothing left" {
	printf '#!/no/such/interpreter\n' >"$ROOTFS/run.sh"
	chmod 755 "$ROOTFS/run.sh"
	run -1 --separate-stderr run_ctr /run.sh
	assert_contains "$(head -1 <<<"$stderr")" 'exec /run.sh: no such file or directory'
	run ! rt state "$CID"
}

@test "compat_cli: run of a missing or non-executable program: runc's lookup texts, status 1, nothing left" {
	printf 'echo hi\n' >"$ROOTFS/noexec.sh"
	chmod 644 "$ROOTFS/noexec.sh"
	run -1 --separate-stderr run_ctr /noexec.sh
	assert_err_contains 'exec: "/noexec.sh": permission denied'
	run -1 --separate-stderr run_ctr /no/such/binary
	assert_err_contains 'exec: "/no/such/binary": stat /no/such/binary: no such file or directory'
	run -1 --separate-stderr run_ctr no-such-command
	assert_err_contains 'exec: "no-such-command": executable file not found in $PATH'
	if is_skiff; then assert_one_line_error; fi
	run ! rt state "$CID"
}

@test "compat_cli: create+start where execve fails: the container's stderr has the text, it stops" {
	printf '#!/no/such/interpreter\n' >"$ROOTFS/run.sh"
	chmod 755 "$ROOTFS/run.sh"
	set_args /run.sh
	run -0 create_ctr "$CID"
	run -0 rt start "$CID"
	wait_for_status "$CID" stopped
	# the init's stderr is create's (create_ctr keeps it in a file)
	assert_contains "$(cat "$TESTDIR/$CID.stderr")" 'exec /run.sh: no such file or directory'
	run -0 rt delete "$CID"
}

# ---------------------------------------------------------------- 2. texts engines match

@test "compat_cli: an unknown id 'does not exist' for every command (containerd: checkForNotFound)" {
	local c
	for c in state start kill delete pause resume ps events update; do
		run --separate-stderr rt "$c" "no-such-$CID"
		[ "$status" -eq 1 ] || { echo "$c: status $status" >&2; false; }
		assert_err_contains "does not exist"
	done
	# runc: delete --force of a missing container succeeds
	run -0 rt delete --force "no-such-$CID"
}

@test "compat_cli: create of an existing id says it exists" {
	set_args sleep 300
	run -0 create_ctr "$CID"
	run -1 --separate-stderr rt create --bundle "$BUNDLE" "$CID" </dev/null
	assert_err_contains "exists"
	# skiff-specific: runc 1.0's text, which scripts and Nomad match
	# (runc 1.1: "container with given ID already exists")
	if is_skiff; then assert_eq "$stderr" "skiff: container with id exists: $CID"; fi
	run -1 --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_err_contains "exists"
	# the first one is untouched
	assert_eq "$(status_of "$CID")" created
	run -0 rt delete "$CID"
}

@test "compat_cli: operations needing a running (paused, created) container say runc's texts" {
	set_args sleep 300
	run -0 run_detached "$CID"
	run -1 --separate-stderr rt start "$CID"
	assert_err_contains "cannot start an already running container"
	run -1 --separate-stderr rt resume "$CID"
	assert_err_contains "container not paused"
	run -1 --separate-stderr rt delete "$CID"
	assert_err_contains "cannot delete container $CID that is not stopped: running"
	run -0 rt pause "$CID"
	run -1 --separate-stderr rt pause "$CID"
	assert_err_contains "container not running"
	run -1 --separate-stderr rt start "$CID"
	assert_err_contains "cannot start a container in the paused state"
	run -0 rt resume "$CID"
	run -0 rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	# stopped: the texts containerd's shim and conmon take for "already gone"
	run -1 --separate-stderr rt kill "$CID" TERM
	assert_err_contains "container not running"
	run -1 --separate-stderr rt pause "$CID"
	assert_err_contains "container not running"
	run -1 --separate-stderr rt update --pids-limit 10 "$CID"
	assert_err_contains "container not running"
	run -1 --separate-stderr rt events --stats "$CID"
	assert_err_contains "container with id $CID is not running"
	run -1 --separate-stderr rt start "$CID"
	assert_err_contains "cannot start a container that has stopped"
	if is_skiff; then assert_one_line_error; fi
	run -0 rt delete "$CID"
}

# ---------------------------------------------------------------- 3. kill 0, list

@test "compat_cli: kill with signal 0 checks that the init exists" {
	set_args sleep 300
	run -0 create_ctr "$CID"
	run -0 rt kill "$CID" 0
	assert_eq "$(status_of "$CID")" created
	run -0 rt start "$CID"
	run -0 rt kill "$CID" 0
	assert_eq "$(status_of "$CID")" running
	run -0 rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	run -1 --separate-stderr rt kill "$CID" 0
	assert_err_contains "container not running"
	run -0 rt delete "$CID"
}

@test "compat_cli: list with no container: runc's header, json null" {
	run -0 rt list
	assert_eq "$output" "ID          PID         STATUS      BUNDLE      CREATED     OWNER"
	run -0 rt list -f json
	assert_eq "$output" null
	run -0 rt list --format=json
	assert_eq "$output" null
	run -0 rt list -q
	assert_eq "$output" ""
	run -1 rt list -f yaml
}

# expected_table: runc's table (Go tabwriter: minwidth 12, padding 3, the
# last column as is) of `list -f json` on stdin.
expected_table() {
	jq -r '(["ID","PID","STATUS","BUNDLE","CREATED","OWNER"] | @tsv),
		(.[] | [.id, (.pid | tostring), .status, .bundle, .created, .owner] | @tsv)' |
		awk -F'\t' '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; w = length($i) + 3; if (w < 12) w = 12; if (w > W[i]) W[i] = w } n = NF }
			END { for (r = 1; r <= NR; r++) { line = ""; for (i = 1; i < n; i++) line = line sprintf("%-" W[i] "s", c[r, i]); print line c[r, n] } }'
}

@test "compat_cli: list is sorted by id, its table and json as runc prints them" {
	set_args sleep 300
	update_config '.annotations = {"org.example.key": "value"}'
	# created out of order: list sorts by id (runc reads the directory sorted)
	run -0 create_ctr "${CID}c"
	run -0 create_ctr "${CID}a"
	update_config 'del(.annotations)'
	run -0 create_ctr "${CID}b"
	run -0 rt start "${CID}a"
	run -0 rt kill "${CID}b" KILL
	wait_for_status "${CID}b" stopped

	run -0 rt list -q
	assert_eq "$output" "$(printf '%s\n' "${CID}a" "${CID}b" "${CID}c")"
	# quiet comes before the format
	run -0 rt list -q -f json
	assert_eq "$output" "$(printf '%s\n' "${CID}a" "${CID}b" "${CID}c")"

	run -0 rt list --format json
	json="$output"
	assert_eq "$(jq -r '.[].id' <<<"$json" | paste -sd' ')" "${CID}a ${CID}b ${CID}c"
	# the fields and their order: runc's containerState
	assert_eq "$(jq -c '.[1] | keys_unsorted' <<<"$json")" \
		'["ociVersion","id","pid","status","bundle","rootfs","created","owner"]'
	assert_eq "$(jq -c '.[0] | keys_unsorted' <<<"$json")" \
		'["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]'
	assert_eq "$(jq -r '.[0].annotations["org.example.key"]' <<<"$json")" value
	jq -e --arg b "$BUNDLE" 'all(.[]; .bundle == $b and .rootfs == ($b + "/rootfs") and .owner == "root")' <<<"$json"
	# a stopped container's pid is 0; the others are their init's
	assert_eq "$(jq -r '.[] | "\(.status) \(.pid > 0)"' <<<"$json" | paste -sd,)" \
		"running true,stopped false,created true"
	assert_eq "$(jq -r '.[0].pid' <<<"$json")" "$(pid_of "${CID}a")"
	# created: Go's RFC3339Nano (no trailing zeros in the fraction)
	jq -r '.[].created' <<<"$json" | grep -vqE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?Z$' && false

	run -0 rt list
	assert_eq "$output" "$(expected_table <<<"$json")"
	for c in a b c; do run -0 rt delete --force "$CID$c"; done
}

# ---------------------------------------------------------------- 4. help, version

@test "compat_cli: -h and --help on every command: usage on stdout, status 0, nothing done" {
	local c
	run -0 "$SKIFF" --help
	grep -qi usage <<<"$output"
	for c in create start run exec state kill delete list spec features pause resume update ps events; do
		for h in -h --help; do
			run -0 --separate-stderr "$SKIFF" "$c" "$h"
			grep -qi usage <<<"$output" || { echo "$c $h: no usage: $output" >&2; false; }
			assert_contains "$output" "$c"
		done
	done
	# -h wins over the command: the container is not deleted, none is created
	set_args sleep 300
	run -0 create_ctr "$CID"
	run -0 rt delete -h "$CID"
	assert_eq "$(status_of "$CID")" created
	run -0 rt create -h --bundle "$BUNDLE" "${CID}x"
	run ! rt state "${CID}x"
	run -0 rt delete "$CID"
}

@test "compat_cli: help for a command that does not exist fails" {
	run --separate-stderr "$SKIFF" no-such-command -h
	[ "$status" -ne 0 ]
	run --separate-stderr "$SKIFF" no-such-command
	[ "$status" -ne 0 ]
	grep -qiE "no such command|no help topic" <<<"$stderr"
	run --separate-stderr "$SKIFF" help no-such-command
	[ "$status" -ne 0 ]
	if is_skiff; then
		assert_one_line_error
		assert_err_contains 'unknown command "no-such-command": no such command'
	fi
	run -0 "$SKIFF" help kill
	assert_contains "$output" kill
}

@test "compat_cli: --version and -v in runc's shape" {
	run -0 "$SKIFF" --version
	[[ ${lines[0]} =~ ^$RUNTIME_NAME\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	# then commit: (when known), spec:, and libseccomp: as runc prints them
	local i=1
	[[ ${lines[1]} == commit:* ]] && i=2
	[[ ${lines[$i]} =~ ^spec:\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	grep -qE '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$' <<<"$output"
	if is_skiff; then assert_eq "${lines[$i]}" "spec: 1.3.0"; fi # skiff-specific
	v="$output"
	run -0 "$SKIFF" -v
	assert_eq "$output" "$v"
}

# ---------------------------------------------------------------- 5. --debug

@test "compat_cli: --debug writes level=debug lines to stderr, nothing more without it" {
	set_args true
	run -0 --separate-stderr rt --debug run --bundle "$BUNDLE" "$CID"
	grep -qE '^time="[^"]+" level=debug msg=".+"' <<<"$stderr"
	if is_skiff; then
		# skiff-specific: the main steps
		assert_err_contains "loaded $BUNDLE/config.json"
		assert_err_contains "init spawned, pid"
		assert_err_contains "started, pid"
		assert_err_contains "destroy"
	fi
	run -0 --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_not_contains "$stderr" "level=debug"
}

@test "compat_cli: --debug with --log: the lines go to the file only (text, then json)" {
	set_args true
	run -0 --separate-stderr rt --log "$TESTDIR/debug.log" --debug run --bundle "$BUNDLE" "$CID"
	assert_not_contains "$stderr" "level=debug"
	grep -qE '^time="[^"]+" level=debug msg=".+"' "$TESTDIR/debug.log"

	run -0 --separate-stderr rt --log "$TESTDIR/debug.json" --log-format json --debug run --bundle "$BUNDLE" "$CID"
	assert_not_contains "$stderr" "level"
	while read -r line; do
		jq -e '(.level | type == "string") and (.msg | type == "string") and (.time | type == "string")' <<<"$line" >/dev/null ||
			{ echo "bad log line: $line" >&2; false; }
	done <"$TESTDIR/debug.json"
	jq -se 'map(select(.level == "debug")) | length >= 1' "$TESTDIR/debug.json"

	# without --debug the log file gets no debug line
	run -0 rt --log "$TESTDIR/quiet.json" --log-format json run --bundle "$BUNDLE" "$CID"
	[ ! -s "$TESTDIR/quiet.json" ] || ! grep -q '"level":"debug"' "$TESTDIR/quiet.json"
}
