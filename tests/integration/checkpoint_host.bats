#!/usr/bin/env bats
# skiff checkpoint / restore where CRIU cannot run (this host: criu 3.17 fails
# on the 6.18 kernel's vDSO; or no criu at all): argument errors, and the
# one-line error that names what is missing, with nothing left behind.
# The working cases are in checkpoint.bats (VM tier).

load helpers

# a PATH without criu (for "no criu")
no_criu_path() {
	mkdir -p "$TESTDIR/bin"
	echo "$TESTDIR/bin"
}

start_sleeper() {
	set_args sleep 300
	run -0 run_detached "$CID"
}

@test "checkpoint/restore: argument errors are one line" {
	run --separate-stderr rt checkpoint
	assert_one_line_error
	assert_contains "$stderr" "checkpoint: a container id is required"
	run --separate-stderr rt checkpoint --bogus "$CID"
	assert_one_line_error
	assert_contains "$stderr" "unknown option --bogus"
	run --separate-stderr rt checkpoint --image-path "$TESTDIR/img" nosuch
	assert_one_line_error
	assert_contains "$stderr" 'container "nosuch" does not exist'
	run --separate-stderr rt checkpoint --parent-path /abs "$CID"
	assert_one_line_error
	assert_contains "$stderr" "--parent-path /abs: must be relative"
	run --separate-stderr rt restore
	assert_one_line_error
	assert_contains "$stderr" "restore: a container id is required"
	run --separate-stderr rt restore --image-path "$TESTDIR/none" --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "--image-path $TESTDIR/none"
	mkdir "$TESTDIR/empty"
	run --separate-stderr rt restore --image-path "$TESTDIR/empty" --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "no checkpoint there"
	run --separate-stderr rt restore --image-path "$TESTDIR/empty" --bundle "$BUNDLE" "bad/id"
	assert_one_line_error
	assert_contains "$stderr" "invalid container id"
	[ ! -e "$ROOT/$CID" ]
}

@test "checkpoint: --manage-cgroups-mode and --empty-ns are checked; a created container is refused" {
	start_sleeper
	run --separate-stderr rt checkpoint --manage-cgroups-mode bogus --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" '--manage-cgroups-mode "bogus": soft, full, strict or ignore'
	run --separate-stderr rt checkpoint --empty-ns ipc --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" '--empty-ns "ipc"'
	assert_eq "$(status_of "$CID")" running
	rt delete --force "$CID"
	set_args true
	run -0 create_ctr "$CID"
	run --separate-stderr rt checkpoint --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "is not running (status created)"
	rt delete --force "$CID"
}

@test "checkpoint/restore without criu: one line naming it; the container runs on" {
	start_sleeper
	pid="$(pid_of "$CID")"
	run --separate-stderr env PATH="$(no_criu_path)" "$SKIFF" --root "$ROOT" checkpoint --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" 'checkpoint/restore needs CRIU: no "criu" in PATH'
	assert_eq "$(status_of "$CID")" running
	assert_eq "$(pid_of "$CID")" "$pid"
	run --separate-stderr rt --criu /nonexistent/criu checkpoint --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "--criu /nonexistent/criu"
	run -0 rt delete --force "$CID"
	mkdir "$TESTDIR/img2" && touch "$TESTDIR/img2/inventory.img"
	run --separate-stderr env PATH="$(no_criu_path)" "$SKIFF" --root "$ROOT" restore --image-path "$TESTDIR/img2" --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" 'no "criu" in PATH'
	[ ! -e "$ROOT/$CID" ]
}

@test "--version and features say whether checkpoint/restore works here" {
	run -0 "$SKIFF" --version
	assert_contains "$output" "criu: "
	run -0 "$SKIFF" features
	en="$(jq -r '.annotations["io.github.skiff.checkpoint.enabled"]' <<<"$output")"
	if command -v criu >/dev/null && criu check >/dev/null 2>&1; then
		assert_eq "$en" true
	else
		assert_eq "$en" false
		jq -e '.annotations["io.github.skiff.checkpoint.reason"] | length > 0' <<<"$output"
	fi
	run -0 env PATH="$(no_criu_path)" "$SKIFF" --version
	assert_contains "$output" 'criu: unavailable (checkpoint/restore needs CRIU: no "criu" in PATH'
}

@test "checkpoint/restore where criu cannot run (this kernel): the error names criu's cause; nothing is left" {
	command -v criu >/dev/null || skip "no criu installed"
	criu check >/dev/null 2>&1 && skip "criu works on this kernel (checkpoint.bats tests it)"
	start_sleeper
	pid="$(pid_of "$CID")"
	run --separate-stderr rt checkpoint --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "checkpoint: criu failed: "
	assert_contains "$stderr" "Error ("
	assert_contains "$stderr" "log: $TESTDIR/img/dump.log"
	assert_eq "$(status_of "$CID")" running
	assert_eq "$(pid_of "$CID")" "$pid"
	run --separate-stderr rt checkpoint --lazy-pages --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "checkpoint: --lazy-pages: criu check --feature uffd-noncoop"
	run -0 rt delete --force "$CID"
	# a restore from a (fake) image fails in criu: no state, cgroup or mount left
	touch "$TESTDIR/img/inventory.img"
	run --separate-stderr rt restore -d --image-path "$TESTDIR/img" --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "restore: criu failed: "
	[ ! -e "$ROOT/$CID" ]
}

@test "restore: process.terminal without --console-socket is refused in one line, nothing made" {
	update_config '.process.terminal = true'
	mkdir "$TESTDIR/img" && touch "$TESTDIR/img/inventory.img"
	for d in "" -d; do
		run --separate-stderr rt restore $d --image-path "$TESTDIR/img" --bundle "$BUNDLE" "$CID"
		assert_one_line_error
		assert_contains "$stderr" "restore: process.terminal is true but no --console-socket was given"
		[ ! -e "$ROOT/$CID" ]
	done
}

# restore killed at POINT (SKIFF_FAULT, docs/state.md) before criu runs:
# the state dir records the cgroup before it is made, delete --force
# removes both
@test "restore killed before criu (restore-dir, -cgroup-intent, -cgroup-made): delete --force leaves nothing" {
	mkdir "$TESTDIR/img" && touch "$TESTDIR/img/inventory.img"
	for p in restore-dir restore-cgroup-intent restore-cgroup-made; do
		SKIFF_FAULT="$p" run -137 rt restore -d --image-path "$TESTDIR/img" --bundle "$BUNDLE" "$CID" </dev/null
		[ -d "$ROOT/$CID" ]
		if [ "$p" != restore-dir ]; then
			grep -q '^owned 1$' "$ROOT/$CID/cgroup"
		fi
		if [ "$p" = restore-cgroup-made ]; then
			[ -n "$(_ctr_cgroups)" ]
		fi
		run -0 rt delete --force "$CID"
		[ ! -e "$ROOT/$CID" ]
		assert_eq "$(_ctr_cgroups)" ""
		# nothing bound on the host (criu's root is bound in its own mount namespace)
		run ! grep -F "$ROOT/$CID" /proc/self/mountinfo
	done
}

@test "checkpoint: --page-server and --status-fd are checked; a cgroup namespace joined by path is refused; the container runs on" {
	update_config '.linux.namespaces += [{"type": "cgroup", "path": "/proc/'$$'/ns/cgroup"}]'
	start_sleeper
	pid="$(pid_of "$CID")"
	run --separate-stderr rt checkpoint --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "checkpoint: linux.namespaces: a cgroup namespace joined by path (/proc/$$/ns/cgroup): criu cannot restore one"
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
	cp "$BUNDLE/config.json" "$ROOT/$CID/config.json"
	for ps in nocolon :80 1.2.3.4:99999 1.2.3.4:x; do
		run --separate-stderr rt checkpoint --page-server "$ps" --image-path "$TESTDIR/img" "$CID"
		assert_one_line_error
		assert_contains "$stderr" "--page-server \"$ps\": ADDRESS:PORT expected"
	done
	run --separate-stderr rt checkpoint --status-fd abc --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" '--status-fd "abc": a file descriptor number expected'
	run --separate-stderr rt checkpoint --status-fd 77 --image-path "$TESTDIR/img" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "--status-fd 77: "
	run --separate-stderr rt checkpoint --status-fd 5 --image-path "$TESTDIR/img" "$CID" 5</dev/null
	assert_one_line_error
	assert_contains "$stderr" "--status-fd 5: not open for writing"
	assert_eq "$(status_of "$CID")" running
	assert_eq "$(pid_of "$CID")" "$pid"
	run -0 rt delete --force "$CID"
}
