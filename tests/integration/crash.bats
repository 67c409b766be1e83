#!/usr/bin/env bats
# Crash consistency (docs/state.md): skiff killed at every named step
# (SKIFF_FAULT=<point> makes it SIGKILL itself there) or at a random time,
# a damaged state directory, no space, no fds, another cgroup view: then
# `delete --force` removes everything (exit 0), or says what is left.

load helpers

# Nothing of the container is left: state entry, process, cgroup (every
# hierarchy), mount under the test dir.  (A network namespace lives only as
# long as a process in it: skiff keeps none on a mount.)
assert_clean() {
	local -a left=()
	local e
	for e in "$ROOT"/* "$ROOT"/.[!.]*; do
		[ -e "$e" ] && [ "${e##*/}" != .seccomp-cache ] && left+=("state entry $e")
	done
	e="$(_ctr_pids)"
	[ -z "$e" ] || left+=("processes $e")
	e="$(_ctr_cgroups)"
	[ -z "$e" ] || left+=("cgroups $e")
	[ -z "$(_test_mounts)" ] || left+=("mounts $(_test_mounts)")
	if [ ${#left[@]} -gt 0 ]; then
		printf 'left: %s\n' "${left[@]}" >&2
		return 1
	fi
}

# delete --force, exit 0, and nothing left.
force_delete_clean() {
	run -0 rt delete --force "$CID"
	assert_clean
}

# rt with stdio on files: a container outliving a killed skiff must not
# hold bats' output pipe.
rt_files() {
	rt "$@" </dev/null >"$TESTDIR/crash.out" 2>&1
}

# crash POINT CMD...: skiff killed at POINT (the fault must fire: 137).
crash() {
	local point="$1"
	shift
	SKIFF_FAULT="$point" run -137 rt_files "$@"
	force_delete_clean
}

CREATE_POINTS="create-dir create-cgroup-intent create-cgroup-made create-cloned create-state-saved create-ready create-pid-file create-done"

@test "crash: create killed at every step, then delete --force leaves nothing" {
	set_args sleep 300
	for p in $CREATE_POINTS; do
		crash "$p" create --pid-file "$TESTDIR/pid" --bundle "$BUNDLE" "$CID"
	done
}

@test "crash: run -d killed at every step, then delete --force leaves nothing" {
	set_args sleep 300
	for p in $CREATE_POINTS run-started; do
		crash "$p" run -d --bundle "$BUNDLE" "$CID"
	done
}

@test "crash: run (foreground) killed at every step, and in its delete" {
	set_args sleep 300
	for p in $CREATE_POINTS run-started; do
		crash "$p" run --bundle "$BUNDLE" "$CID"
	done
	set_args true
	for p in run-exited delete-init-killed delete-cgroup-removed delete-state-partial delete-state-emptied; do
		crash "$p" run --bundle "$BUNDLE" "$CID"
	done
}

@test "crash: start and exec killed at every step" {
	set_args sleep 300
	run -0 create_ctr "$CID"
	crash start-released start "$CID"
	for p in exec-before exec-cloned exec-started; do
		run -0 run_detached "$CID"
		crash "$p" exec "$CID" sleep 200
	done
}

@test "crash: delete killed at every step, then delete --force leaves nothing" {
	set_args sleep 300
	for p in delete-init-killed delete-cgroup-removed delete-state-partial delete-state-emptied; do
		run -0 run_detached "$CID"
		crash "$p" delete --force "$CID"
	done
}

@test "crash: state.json truncated or garbage: list says unknown, delete --force removes all" {
	set_args sleep 300
	for damage in truncate garbage; do
		run -0 run_detached "$CID"
		pid="$(pid_of "$CID")"
		if [ $damage = truncate ]; then
			truncate -s 20 "$ROOT/$CID/state.json"
		else
			printf '\x00\xffnot json' >"$ROOT/$CID/state.json"
		fi
		run -0 --separate-stderr rt list
		assert_contains "$output" "$CID"
		assert_contains "$(grep "$CID" <<<"$output")" unknown
		assert_contains "$stderr" "container \"$CID\""
		assert_contains "$stderr" "state.json"
		# skiff-specific: a plain delete says why and points at --force
		run --separate-stderr rt delete "$CID"
		assert_one_line_error
		assert_contains "$stderr" "--force"
		kill -0 "$pid"
		force_delete_clean
		wait_pid_gone "$pid"
	done
}

@test "crash: an emptied state directory: delete --force finds the cgroup where create puts it" {
	set_args sleep 300
	run -0 run_detached "$CID"
	pid="$(pid_of "$CID")"
	find "$ROOT/$CID" -mindepth 1 -delete
	run -0 --separate-stderr rt delete --force "$CID"
	assert_contains "$stderr" "no record of its cgroup"
	wait_pid_gone "$pid"
	assert_clean
}

@test "crash: unreadable state.json and no cgroup: delete --force says what may be left (non-zero)" {
	set_args sleep 300
	run -0 _rt_detached --cgroup-manager disabled run -d --bundle "$BUNDLE" "$CID"
	pid="$(pid_of "$CID")"
	echo garbage >"$ROOT/$CID/state.json"
	run --separate-stderr rt --cgroup-manager disabled delete --force "$CID"
	assert_one_line_error
	assert_contains "$stderr" "not known"
	[ ! -e "$ROOT/$CID" ]
	kill -9 "$pid"
	wait_pid_gone "$pid"
	assert_clean
}

@test "crash: a bundle path that is not UTF-8 is refused, nothing left" {
	local b="$TESTDIR/b$(printf '\xff\xfe')"
	mv "$BUNDLE" "$b"
	run --separate-stderr rt create --bundle "$b" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "not valid UTF-8"
	mv "$b" "$BUNDLE"
	assert_clean
}

@test "crash: a container made under another cgroup view (private cgroup2 mount) is deleted from the host's" {
	[ -d /sys/fs/cgroup/unified ] || skip "needs a hybrid host (cgroup2 at /sys/fs/cgroup/unified)"
	set_args sleep 300
	run -0 unshare -m --propagation private sh -c \
		'mount -t cgroup2 none /sys/fs/cgroup && exec "$@" </dev/null >"$0" 2>&1' "$TESTDIR/out" \
		timeout 20 "$SKIFF" --root "$ROOT" run -d --bundle "$BUNDLE" "$CID"
	pid="$(pid_of "$CID")"
	[ -n "$(_ctr_cgroups)" ]
	force_delete_clean
	wait_pid_gone "$pid"
}

# skiff SIGKILLed US µs after exec (only skiff: --foreground keeps its
# children, the init among them, out of the kill); any exit is fine.
kill_after() {
	local us="$1"
	shift
	timeout --foreground -s KILL "$((us / 1000000)).$(printf %06d $((us % 1000000)))" \
		"$SKIFF" --root "$ROOT" "$@" </dev/null >"$TESTDIR/crash.out" 2>&1 || true
}

# The moments: uniform over the time a whole create takes on this host (how
# far a fixed 0-5 ms window gets depends on the load: on this 2-core host,
# from none to 87 in 100 kills past skiff's first mkdir).
@test "crash: create and run -d killed at random moments, delete --force leaves nothing" {
	set_args sleep 300
	local i us span t0=$SECONDS
	span=${EPOCHREALTIME/./}
	rt create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
	span=$((${EPOCHREALTIME/./} - span))
	force_delete_clean
	for i in $(seq 1 24); do
		us=$(((RANDOM * 32768 + RANDOM) % span + 1))
		if ((i % 2)); then
			kill_after "$us" create --bundle "$BUNDLE" "$CID"
		else
			kill_after "$us" run -d --bundle "$BUNDLE" "$CID"
		fi
		force_delete_clean
		# bounded: a wait in skiff (a lock, the init) shows here
		if [ $((SECONDS - t0)) -ge 30 ]; then
			echo "iteration $i ($us us): $((SECONDS - t0)) s" >&2
			return 1
		fi
	done
}

# try_clean REGEX CMD...: CMD (a create) either works, or fails (1) with one
# line matching REGEX having removed all it made; then delete --force leaves
# nothing.  The exit in $TRY_RC.
try_clean() {
	local re="$1" left
	shift
	TRY_RC=0
	"$@" --bundle "$BUNDLE" "$CID" </dev/null >"$TESTDIR/crash.out" 2>&1 || TRY_RC=$?
	if [ "$TRY_RC" != 0 ]; then
		[ "$TRY_RC" = 1 ] && [ "$(wc -l <"$TESTDIR/crash.out")" = 1 ] &&
			grep -Eq "$re" "$TESTDIR/crash.out" ||
			{ echo "$*: exit $TRY_RC: $(cat "$TESTDIR/crash.out")" >&2; return 1; }
		left="$(ls -A "$ROOT" | grep -v '^\.seccomp-cache$')$(_ctr_pids)$(_ctr_cgroups)" || true
		[ -z "$left" ] || { echo "$*: left $left" >&2; return 1; }
	fi
	run -0 rt delete --force "$CID"
}

# try_clean with --root on a tmpfs of OPTS (nr_inodes=N, size=S).
enospc_try() {
	local opts="$1" root0="$ROOT"
	shift
	mount -t tmpfs -o "mode=0700,$opts" tmpfs "$TESTDIR/tiny"
	ROOT="$TESTDIR/tiny"
	try_clean "^skiff: (create )?state directory $ROOT/$CID(: | ).*no space left on device$" rt "$@"
	umount "$TESTDIR/tiny"
	ROOT="$root0"
	assert_clean
}

@test "crash: no space in the state root (ENOSPC at each state write): one-line error, nothing left" {
	set_args sleep 300
	mkdir "$TESTDIR/tiny"
	local cmd n fails
	for cmd in create "run -d"; do
		fails=0
		# each inode more gets create one state file further
		for n in $(seq 2 16); do
			enospc_try "nr_inodes=$n" $cmd
			[ "$TRY_RC" = 1 ] || break
			fails=$((fails + 1))
		done
		[ "$fails" -ge 4 ] && [ "$n" -lt 16 ] || { echo "$cmd: $fails failures up to $n" >&2; return 1; }
		# and no page for the state files
		enospc_try size=4k $cmd
		[ "$TRY_RC" = 1 ]
	done
}

# skiff with a soft RLIMIT_NOFILE of N
rt_nofile() {
	local n="$1"
	shift
	(ulimit -Sn "$n" && exec "$SKIFF" --root "$ROOT" "$@")
}

@test "crash: out of fds (EMFILE) at each step of create and run -d: one-line error, nothing left" {
	set_args sleep 300
	local cmd n fails
	for cmd in create "run -d"; do
		fails=0
		for n in $(seq 6 40); do
			try_clean "^skiff: .*too many open files$" rt_nofile "$n" $cmd
			[ "$TRY_RC" = 1 ] || break
			fails=$((fails + 1))
		done
		assert_clean
		[ "$fails" -ge 3 ] && [ "$n" -lt 40 ] || { echo "$cmd: $fails failures up to $n" >&2; return 1; }
	done
}

# skiff in a mount namespace of its own without the v1 hierarchy H
rt_without() {
	local h="$1"
	shift
	unshare -m sh -c 'umount "/sys/fs/cgroup/$0" && exec "$@"' "$h" "$SKIFF" --root "$ROOT" "$@"
}

# A controller missing (its v1 hierarchy unmounted: refused before anything
# is made), or failing mid-way: the limit written after every hierarchy's
# cgroup was made (a cpuset CPU the host lacks, a realtime runtime above
# the period).  On cgroup2 a controller is missing mid-way when a parent
# lacks it in cgroup.subtree_control: this hybrid host's cgroup2 mount has
# no controller at all (all are bound to v1), so it cannot be made here.
@test "crash: a cgroup controller missing or failing mid-way: one-line error, nothing left" {
	findmnt -n -t cgroup /sys/fs/cgroup/pids >/dev/null && findmnt -n -t cgroup /sys/fs/cgroup/cpuset >/dev/null ||
		skip "needs the v1 pids and cpuset hierarchies"
	set_args sleep 300
	local cmd
	for cmd in create "run -d"; do
		update_config '.linux.resources = {"pids": {"limit": 50}}'
		try_clean "^skiff: linux.resources.pids.limit: needs the pids cgroup controller" rt_without pids $cmd
		[ "$TRY_RC" = 1 ]
		update_config '.linux.resources = {"cpu": {"cpus": $c}}' --arg c "$(($(nproc --all) + 5))"
		try_clean "^skiff: linux.resources.cpu.cpus: .*cpuset.cpus" rt $cmd
		[ "$TRY_RC" = 1 ]
		if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
			update_config '.linux.resources = {"cpu": {"realtimeRuntime": 9999999999}}'
			try_clean "^skiff: linux.resources.cpu.realtimeRuntime: .*cpu.rt_runtime_us" rt $cmd
			[ "$TRY_RC" = 1 ]
		fi
		assert_clean
	done
}
