#!/usr/bin/env bats
# Config fields: hooks, all six phases: the namespaces each runs in, the
# state JSON on stdin, args, env, timeout, and what a failure does
# (runtime.md "Lifecycle").

load fields_helpers

setup() {
	common_setup
	LOG="$TESTDIR/log"
	mkdir -p "$LOG"
	chmod 777 "$LOG"
	# a host-side hook: records its namespaces, args, env and stdin
	cat >"$TESTDIR/hook.sh" <<'H'
#!/bin/sh
phase="$1"; log="$2"
cat >"$log/$phase.json"
for n in mnt pid net uts ipc; do echo "$n $(readlink /proc/self/ns/$n)"; done >"$log/$phase.ns"
echo "$@" >"$log/$phase.args"
env | sort >"$log/$phase.env"
H
	chmod 755 "$TESTDIR/hook.sh"
	# the startContainer hook runs inside the container: its path is the
	# container's, it writes to a bind-mounted dir
	cp "$TESTDIR/hook.sh" "$ROOTFS/bin/hook.sh"
	sed -i '1s|.*|#!/bin/sh|' "$ROOTFS/bin/hook.sh"
	add_bind_mount "$LOG" /log
	update_config '.hooks = {}'
}

add_hook() { # PHASE PATH ARGS_JSON [ENV_JSON [TIMEOUT]]
	local h
	h="$(jq -n --arg p "$2" --argjson a "$3" --argjson e "${4:-null}" --argjson t "${5:-null}" \
		'{path: $p, args: $a} + (if $e then {env: $e} else {} end) + (if $t then {timeout: $t} else {} end)')"
	update_config '.hooks[$ph] += [$h]' --arg ph "$1" --argjson h "$h"
}

all_phases() {
	local p
	for p in prestart createRuntime createContainer poststart poststop; do
		add_hook "$p" "$TESTDIR/hook.sh" "[\"hook.sh\", \"$p\", \"$LOG\"]"
	done
	add_hook startContainer /bin/hook.sh '["hook.sh", "startContainer", "/log"]'
}

@test "fields: hooks: all six phases run, each in the namespaces the spec names" {
	all_phases
	set_args sleep 300
	run -0 create_ctr "$CID"
	pid="$(pid_of "$CID")"
	for p in prestart createRuntime createContainer; do [ -s "$LOG/$p.ns" ]; done
	[ ! -e "$LOG/startContainer.ns" ] && [ ! -e "$LOG/poststart.ns" ]
	run -0 rt start "$CID"
	wait_for_file "$LOG/startContainer.ns"
	[ -s "$LOG/poststart.ns" ]
	[ ! -e "$LOG/poststop.ns" ]
	for n in mnt pid net uts ipc; do
		host="$n $(readlink /proc/$$/ns/$n)"
		ctr="$n $(readlink /proc/$pid/ns/$n)"
		[ "$host" != "$ctr" ]
		# runtime namespace
		for p in prestart createRuntime poststart; do
			grep -Fqx "$host" "$LOG/$p.ns" || { echo "$p not in the runtime $n namespace: $host" >&2; cat $LOG/$p.ns >&2; false; }
		done
		# container namespace
		for p in createContainer startContainer; do
			grep -Fqx "$ctr" "$LOG/$p.ns" || { echo "$p not in the container's $n namespace" >&2; false; }
		done
	done
	run -0 rt delete --force "$CID"
	[ -s "$LOG/poststop.ns" ]
	grep -Fqx "mnt $(readlink /proc/$$/ns/mnt)" "$LOG/poststop.ns"
}

@test "fields: hooks: the state JSON on stdin (id, pid, status, bundle, annotations)" {
	all_phases
	update_config '.annotations = {"org.example.k": "v"}'
	set_args sleep 300
	run -0 create_ctr "$CID"
	pid="$(pid_of "$CID")"
	run -0 rt start "$CID"
	wait_for_file "$LOG/startContainer.json"
	run -0 rt delete --force "$CID"
	for p in prestart createRuntime createContainer startContainer poststart poststop; do
		validate_state_json <"$LOG/$p.json"
		assert_eq "$(jq -r .id "$LOG/$p.json")" "$CID"
		assert_eq "$(jq -r .bundle "$LOG/$p.json")" "$BUNDLE"
		assert_eq "$(jq -r '.annotations["org.example.k"]' "$LOG/$p.json")" v
	done
	for p in prestart createRuntime createContainer startContainer poststart; do
		assert_eq "$(jq -r .pid "$LOG/$p.json")" "$pid"
	done
	for p in prestart createRuntime createContainer; do
		assert_eq "$(jq -r .status "$LOG/$p.json")" creating
	done
	assert_eq "$(jq -r .status "$LOG/poststart.json")" running
	assert_eq "$(jq -r .status "$LOG/poststop.json")" stopped
}

@test "fields: hooks: args (argv[0] included) and env exactly as given" {
	add_hook createRuntime /bin/sh "[\"sh\", \"-c\", \"echo \\\"\$0|\$1|\$2\\\" >$LOG/args; env | sort >$LOG/env\", \"zero\", \"one\", \"two words\"]" \
		'["FOO=bar baz", "PATH=/usr/bin:/bin"]'
	add_hook startContainer /bin/sh '["sh", "-c", "echo \"$0\" >/log/start-args; echo $HOOKENV >>/log/start-args", "inside"]' '["HOOKENV=in-ctr"]'
	run -0 run_ctr true
	assert_eq "$(cat "$LOG/args")" "zero|one|two words"
	grep -qx 'FOO=bar baz' "$LOG/env"
	grep -qx 'PATH=/usr/bin:/bin' "$LOG/env"
	! grep -q '^BATS' "$LOG/env"
	assert_eq "$(cat "$LOG/start-args")" "inside
in-ctr"
}

@test "fields: hooks: startContainer's path resolves inside the container" {
	# only the container has /bin/only-inside.sh
	printf '#!/bin/sh\necho inside >/log/only-inside\n' >"$ROOTFS/bin/only-inside.sh"
	chmod 755 "$ROOTFS/bin/only-inside.sh"
	[ ! -e /bin/only-inside.sh ]
	add_hook startContainer /bin/only-inside.sh '["only-inside.sh"]'
	run -0 run_ctr true
	assert_eq "$(cat "$LOG/only-inside")" inside
}

@test "fields: hooks: a hook that outlives its timeout fails create, nothing left behind" {
	add_hook createRuntime /bin/sleep '["sleep", "30"]' null 1
	add_hook poststop "$TESTDIR/hook.sh" "[\"hook.sh\", \"poststop\", \"$LOG\"]"
	start=$SECONDS
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	assert_contains "$stderr" "createRuntime"
	assert_contains "$stderr" "timed out"
	[ $((SECONDS - start)) -lt 15 ]
	run ! rt state "$CID"
	# the lifecycle goes on to destroy and the poststop hooks
	[ -s "$LOG/poststop.json" ]
}

fail_test() { # PHASE
	all_phases
	add_hook "$1" /bin/sh '["sh", "-c", "exit 3"]'
	set_args sh -c 'echo ran >/log/ran'
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	assert_contains "$stderr" "$1"
	assert_contains "$stderr" "exit status 3"
	run ! rt state "$CID"
	[ ! -e "$LOG/ran" ]
	[ -s "$LOG/poststop.json" ]
	[ ! -e "$LOG/poststart.json" ]
}

@test "fields: hooks: a failing prestart hook fails create, runs poststop, leaves nothing" { fail_test prestart; }
@test "fields: hooks: a failing createRuntime hook fails create, runs poststop, leaves nothing" { fail_test createRuntime; }
@test "fields: hooks: a failing createContainer hook fails create, runs poststop, leaves nothing" { fail_test createContainer; }

@test "fields: hooks: a failing startContainer hook fails start, the program does not run, the container is destroyed" {
	add_hook startContainer /bin/sh '["sh", "-c", "exit 4"]'
	add_hook poststop "$TESTDIR/hook.sh" "[\"hook.sh\", \"poststop\", \"$LOG\"]"
	set_args sh -c 'echo ran >/log/ran'
	run -0 create_ctr "$CID"
	pid="$(pid_of "$CID")"
	run --separate-stderr rt start "$CID"
	assert_one_line_error
	assert_contains "$stderr" "startContainer"
	assert_contains "$stderr" "exit status 4"
	wait_pid_gone "$pid"
	[ ! -e "$LOG/ran" ]
	run ! rt state "$CID"
	[ -s "$LOG/poststop.json" ]
	# a hook that succeeds: start returns once the program runs
	update_config '.hooks.startContainer = [{"path": "/bin/true"}]'
	set_args sh -c 'echo ran >/log/ran; sleep 300'
	run -0 create_ctr "$CID"
	run -0 rt start "$CID"
	wait_for_file "$LOG/ran"
	rt delete --force "$CID"
}

@test "fields: hooks: a failing poststart hook fails start, stops and destroys the container, runs poststop" {
	add_hook poststart /bin/sh '["sh", "-c", "exit 5"]'
	add_hook poststop "$TESTDIR/hook.sh" "[\"hook.sh\", \"poststop\", \"$LOG\"]"
	set_args sleep 300
	run -0 create_ctr "$CID"
	pid="$(pid_of "$CID")"
	run --separate-stderr rt start "$CID"
	assert_one_line_error
	assert_contains "$stderr" "poststart"
	wait_pid_gone "$pid"
	run ! rt state "$CID"
	[ -s "$LOG/poststop.json" ]
	# run: the same
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -ne 0 ]
	assert_contains "$stderr" "poststart"
	run ! rt state "$CID"
}

@test "fields: hooks: a failing poststop hook is only a warning, delete succeeds" {
	add_hook poststop /bin/sh '["sh", "-c", "exit 6"]'
	add_hook poststop "$TESTDIR/hook.sh" "[\"hook.sh\", \"poststop\", \"$LOG\"]"
	set_args sleep 300
	run -0 create_ctr "$CID"
	run --separate-stderr rt delete --force "$CID"
	[ "$status" -eq 0 ]
	assert_contains "$stderr" "poststop"
	# the later hooks still ran
	[ -s "$LOG/poststop.json" ]
	run ! rt state "$CID"
}

@test "fields: hooks: runtime-namespace hooks stay in skiff's pid and time namespaces (new time ns, pid ns joined by path)" {
	start_holder --pid --fork
	update_config '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end) | .linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 3600}}' --arg p "/proc/$holder_inner/ns/pid"
	for p in prestart createRuntime poststart poststop; do
		add_hook "$p" /bin/sh "[\"sh\", \"-c\", \"readlink /proc/self/ns/pid /proc/self/ns/time >$LOG/$p.ns2\"]"
	done
	run -0 run_ctr sh -c 'readlink /proc/self/ns/time'
	ctr_time="$output"
	[ "$ctr_time" != "$(readlink /proc/$$/ns/time)" ]
	want="$(readlink /proc/$$/ns/pid /proc/$$/ns/time)"
	for p in prestart createRuntime poststart poststop; do
		assert_eq "$(cat "$LOG/$p.ns2")" "$want"
	done
	stop_holder
}

@test "fields: hooks: a hook may ask skiff about its container: state says creating, others fail at once" {
	# the hook runs while create holds the container's lock: nothing it
	# calls may wait for that lock (it would wait for itself)
	cat >"$TESTDIR/ask.sh" <<H
#!/bin/sh
timeout 10 "$SKIFF" --root "$ROOT" state "\$1" >"$LOG/state.out" 2>"$LOG/state.err"; echo \$? >"$LOG/state.rc"
timeout 10 "$SKIFF" --root "$ROOT" list >"$LOG/list.out" 2>&1; echo \$? >"$LOG/list.rc"
timeout 10 "$SKIFF" --root "$ROOT" delete --force "\$1" >"$LOG/delete.out" 2>&1; echo \$? >"$LOG/delete.rc"
timeout 10 "$SKIFF" --root "$ROOT" kill "\$1" KILL >"$LOG/kill.out" 2>&1; echo \$? >"$LOG/kill.rc"
H
	chmod 755 "$TESTDIR/ask.sh"
	add_hook createRuntime "$TESTDIR/ask.sh" "[\"ask.sh\", \"$CID\"]"
	set_args true
	run -0 create_ctr "$CID"
	assert_eq "$(cat "$LOG/state.rc")" 0
	assert_eq "$(jq -r .status "$LOG/state.out")" creating
	assert_eq "$(jq -r .id "$LOG/state.out")" "$CID"
	assert_eq "$(cat "$LOG/list.rc")" 0
	grep -q "^$CID .*creating" "$LOG/list.out" || { cat "$LOG/list.out" >&2; false; }
	for c in delete kill; do
		assert_eq "$(cat "$LOG/$c.rc")" 1
		assert_eq "$(cat "$LOG/$c.out")" "skiff: container \"$CID\" is being created"
	done
	# once create is done the container is an ordinary created one
	assert_eq "$(status_of "$CID")" created
	run -0 rt delete "$CID"
}
