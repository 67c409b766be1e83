#!/usr/bin/env bats
# Cgroup behaviour that skiff shares with runc (issue #20), checked from
# inside the container on this host's cgroup layout (hybrid: v1 controllers
# under /sys/fs/cgroup/<ctrl>, cgroup2 at /sys/fs/cgroup/unified; or v1 only;
# or unified): device rules, the cgroup mounts of a cgroup namespace, a frozen
# pre-existing cgroup, absolute cgroupsPath, pids.limit 0, deprecated kernel
# memory fields, update.  Runs against runc too (tests/run.sh); skiff-only
# assertions are guarded with `if is_skiff`.  Real v2 limits: cgroups_v2.bats.

load helpers

# The cgroup mount point of controller $1 here (v1), or the v2 mount.
cg_mnt() {
	local m
	m="$(findmnt -rn -t cgroup -o TARGET,FS-OPTIONS | awk -v c="$1" '
		{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $1; exit } }')"
	[ -n "$m" ] && { echo "$m"; return; }
	findmnt -rn -t cgroup2 -o TARGET | head -1
}

has_v1() { [ -n "$(findmnt -rn -t cgroup -o TARGET -O "$1" 2>/dev/null)" ]; }

# Cgroups a test made by hand ($PREMADE, deepest last): thawed and removed
# before the common teardown looks for leftovers of the runtime.
PREMADE=()
teardown() {
	local i d
	for ((i = ${#PREMADE[@]} - 1; i >= 0; i--)); do
		d="${PREMADE[$i]}"
		[ -e "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
		[ -e "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
		rmdir "$d" 2>/dev/null || true
	done
	common_teardown
}

premake() {
	mkdir "$1" && PREMADE+=("$1")
}

add_cgroupns() {
	update_config 'if any(.linux.namespaces[]; .type == "cgroup") then . else .linux.namespaces += [{"type": "cgroup"}] end'
}

# ------------------------------------------------------------------ devices

@test "compat cgroups: a linux.devices node stays denied under a deny-all device config" {
	update_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	# (an open for writing: reading /dev/kmsg needs CAP_SYSLOG anyway)
	in_ctr '[ -c /dev/kmsg ] && echo node; (exec 3>/dev/kmsg) 2>&1 || echo w-denied; echo >/dev/null && echo null-ok'
	assert_contains "$output" node
	assert_contains "$output" "Operation not permitted"
	assert_contains "$output" w-denied
	assert_contains "$output" null-ok
}

@test "compat cgroups: a device rule allowing a linux.devices node opens it" {
	update_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	in_ctr '(exec 3>/dev/kmsg) && echo w-ok'
	assert_contains "$output" w-ok
}

# ------------------------------------------------------------------ cgroup namespace mounts

@test "compat cgroups: with a cgroup namespace every cgroup mount's root is the container's cgroup" {
	add_cgroupns
	has_v1 memory && update_config '.linux.resources.memory = {"limit": 67108864}'
	update_config '.linux.resources.pids = {"limit": 57}'
	in_ctr 'grep -E " - cgroup2? " /proc/self/mountinfo; echo ===; cat /proc/self/cgroup; echo ===
		cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null; true'
	local mi cg all="$output"
	mi="$(sed -n '1,/^===$/p' <<<"$all" | grep -v '^===$')"
	cg="$(sed -n '/^===$/,/^===$/p' <<<"$all" | grep -v '^===$')"
	[ -n "$mi" ]
	# field 4: the root of the mount, "/" = the namespace's root (not "/..")
	run -0 awk '$4 != "/" { print "bad root: " $0; bad = 1 } END { exit bad }' <<<"$mi"
	# the container sees itself at the root of each hierarchy
	run -0 awk -F: '$3 != "/" { print "not at root: " $0; bad = 1 } END { exit bad }' <<<"$cg"
	# and the limits in the mounted cgroup are the container's own
	assert_contains "$all" 57
	if has_v1 memory; then assert_contains "$all" 67108864; fi
}

@test "compat cgroups: without a cgroup namespace the mounts show the container's own cgroup" {
	update_config '.linux.namespaces |= map(select(.type != "cgroup")) | .linux.resources.pids = {"limit": 58}'
	in_ctr 'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null; true'
	assert_contains "$output" 58
}

# ------------------------------------------------------------------ pids, kernel memory

@test "compat cgroups: pids.limit 0 is no limit, not a demand for zero processes" {
	update_config '.linux.resources.pids = {"limit": 0}'
	in_ctr 'sh -c "echo child-ok"; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null; true'
	assert_contains "$output" child-ok
	if [ -n "$(cg_mnt pids)" ]; then assert_contains "$output" max; fi
}

@test "compat cgroups: memory.kernel and kernelTCP are accepted and ignored with a warning" {
	update_config '.linux.resources.memory = {"kernel": 67108864, "kernelTCP": 16777216}'
	set_args cat /sys/fs/cgroup/memory/memory.kmem.limit_in_bytes /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$status" 0
	if is_skiff; then # skiff-specific: the warning's wording; nothing written
		assert_contains "$stderr" "skiff: warning: linux.resources.memory.kernel is deprecated and ignored"
		assert_contains "$stderr" "skiff: warning: linux.resources.memory.kernelTCP is deprecated and ignored"
		assert_not_contains "$output" 67108864
		assert_not_contains "$output" 16777216
	fi
}

# ------------------------------------------------------------------ frozen cgroup

# freeze_premade DIR: freeze the hand-made cgroup DIR (v1 freezer or v2).
freeze_premade() {
	if [ -e "$1/freezer.state" ]; then echo FROZEN >"$1/freezer.state"; else echo 1 >"$1/cgroup.freeze"; fi
}

# expect_frozen_refused: run must fail (not hang: rt's timeout gives 124/137),
# one line naming the cgroup for skiff, no state left.
expect_frozen_refused() {
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || { echo "run hung (status $status)" >&2; return 1; }
	if is_skiff; then # skiff-specific: the wording
		assert_one_line_error
		assert_contains "$stderr" "skt-frz-$CID"
		assert_contains "$stderr" "is frozen"
	fi
	[ ! -e "$ROOT/$CID" ]
}

@test "compat cgroups: create in an existing frozen cgroup is refused, not a hang" {
	local m
	m="$(cg_mnt freezer)"
	update_config '.linux.cgroupsPath = $p' --arg p "/skt-frz-$CID"
	premake "$m/skt-frz-$CID"
	freeze_premade "$m/skt-frz-$CID"
	expect_frozen_refused
}

@test "compat cgroups: a new cgroup below a frozen one is refused too" {
	is_skiff || skip "runc 1.1.5 hangs here (checks the freezer of an existing cgroup only)"
	local m
	m="$(cg_mnt freezer)"
	update_config '.linux.cgroupsPath = $p' --arg p "/skt-frz-$CID/$CID"
	premake "$m/skt-frz-$CID"
	freeze_premade "$m/skt-frz-$CID"
	expect_frozen_refused
	[ ! -e "$m/skt-frz-$CID/$CID" ]
}

@test "compat cgroups: hybrid host: a frozen cgroup2 cgroup is refused as well (skiff)" {
	is_skiff || skip "skiff's cgroup2 tracking on a hybrid host"
	local u=/sys/fs/cgroup/unified
	[ "$(stat -f -c %T "$u" 2>/dev/null)" = cgroup2fs ] && [ -e "$u/cgroup.freeze" -o -n "$(ls $u/*/cgroup.freeze 2>/dev/null | head -1)" ] ||
		skip "no hybrid cgroup2 with a freezer"
	update_config '.linux.cgroupsPath = $p' --arg p "/skt-frz-$CID"
	premake "$u/skt-frz-$CID"
	echo 1 >"$u/skt-frz-$CID/cgroup.freeze"
	expect_frozen_refused
}

# ------------------------------------------------------------------ cgroupsPath

# caller_cgroup NAME: make cgroup NAME below the root of every hierarchy
# mounted here (cpuset initialised), for in_caller_cgroup.
caller_cgroup() {
	local m
	for m in $(_cgroup_mounts); do
		premake "$m/$1"
		if [ -e "$m/$1/cpuset.cpus" ]; then
			cat "$m/cpuset.cpus" >"$m/$1/cpuset.cpus"
			cat "$m/cpuset.mems" >"$m/$1/cpuset.mems"
		fi
	done
}

# in_caller_cgroup NAME CMD...: CMD from a subshell moved into NAME in every
# hierarchy (below the run's cgroup: the harness's namespace root).
in_caller_cgroup() {
	local name="$1"
	shift
	(
		local m
		for m in $(_cgroup_mounts); do echo "$BASHPID" >"$m/$name/cgroup.procs"; done
		"$@"
	)
}

# ctr_cgroup_lines: /proc/<init>/cgroup of the container, one line each.
ctr_cgroup_lines() {
	cat "/proc/$(pid_of "$CID")/cgroup"
}

# place_and_check: in the caller's cgroup: create, record where the
# container's cgroups are ($TESTDIR/cg), delete.
place_and_check() {
	set_args sleep 100
	create_ctr "$CID" >/dev/null || return 1
	ctr_cgroup_lines >"$TESTDIR/cg"
	rt delete --force "$CID"
}

# place_from_caller CGROUPSPATH: place_and_check with that cgroupsPath, run
# from cgroup skt-caller-$CID (made below the root of every hierarchy).
place_from_caller() {
	caller_cgroup "skt-caller-$CID"
	update_config '.linux.cgroupsPath = $p' --arg p "$1"
	in_caller_cgroup "skt-caller-$CID" place_and_check
}

@test "compat cgroups: an absolute cgroupsPath is below each hierarchy's root, not the caller's cgroup" {
	place_from_caller "/skt-abs-$CID/$CID"
	local m
	for m in $(_cgroup_mounts); do
		[ -d "$m/skt-abs-$CID" ] && PREMADE+=("$m/skt-abs-$CID")
		[ ! -e "$m/skt-caller-$CID/skt-abs-$CID" ] || { echo "below the caller's cgroup in $m" >&2; return 1; }
	done
	cat "$TESTDIR/cg"
	# every hierarchy the container is in (v1, name=systemd, cgroup2) shows the path as given
	run -0 awk -F: -v p="/skt-abs-$CID/$CID" '$3 != p { print "elsewhere: " $0; bad = 1 } END { exit bad }' "$TESTDIR/cg"
	if has_v1 memory; then grep -q ":memory:/skt-abs-$CID/$CID\$" "$TESTDIR/cg"; fi
	if has_v1 name=systemd; then grep -q ":name=systemd:/skt-abs-$CID/$CID\$" "$TESTDIR/cg"; fi
}

@test "compat cgroups: a relative cgroupsPath is below the caller's cgroup in each v1 hierarchy" {
	has_v1 memory || skip "no v1 hierarchies"
	place_from_caller "skt-rel-$CID/$CID"
	local m
	for m in $(_cgroup_mounts); do
		[ -d "$m/skt-caller-$CID/skt-rel-$CID" ] && PREMADE+=("$m/skt-caller-$CID/skt-rel-$CID")
		# (runc 1.1.5 puts the cgroup2 part of a hybrid host at the root)
		[ -d "$m/skt-rel-$CID" ] && PREMADE+=("$m/skt-rel-$CID")
	done
	cat "$TESTDIR/cg"
	grep -q ":memory:/skt-caller-$CID/skt-rel-$CID/$CID\$" "$TESTDIR/cg"
	grep -q ":pids:/skt-caller-$CID/skt-rel-$CID/$CID\$" "$TESTDIR/cg"
}

# ------------------------------------------------------------------ update

# v1file_of CTRL FILE: FILE of the running container's cgroup in the v1
# hierarchy of CTRL (from /proc/<init>/cgroup, as any runtime placed it).
v1file_of() {
	local p
	p="$(awk -F: -v c="$1" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' \
		"/proc/$(pid_of "$CID")/cgroup")"
	cat "$(cg_mnt "$1")$p/$2"
}

@test "compat cgroups: update accepts device rules (empty access too) and the create-time deny still holds" {
	update_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]'
	set_args sleep 100
	run -0 create_ctr "$CID"
	cat >"$TESTDIR/res.json" <<-'JSON'
		{"devices": [{"allow": true, "access": ""}, {"allow": true, "type": "c", "major": 1, "minor": 11}]}
	JSON
	run --separate-stderr rt update -r "$TESTDIR/res.json" "$CID"
	assert_eq "$status" 0
	if is_skiff; then # skiff-specific: says it ignored them
		assert_contains "$stderr" "skiff: warning: linux.resources.devices cannot be updated and is ignored"
	fi
	if has_v1 devices; then
		assert_not_contains "$(v1file_of devices devices.list)" "a *:* rwm"
	fi
	run -0 rt start "$CID"
	run -0 rt exec "$CID" sh -c '[ -c /dev/kmsg ] && echo node; (exec 3>/dev/kmsg) 2>/dev/null && echo kmsg-open || echo kmsg-denied'
	assert_eq "$output" "node
kmsg-denied"
	run -0 rt delete --force "$CID"
}

@test "compat cgroups: update of memory and swap on v1, raising then lowering (swap order)" {
	has_v1 memory || skip "no v1 memory hierarchy"
	update_config '.linux.resources.memory = {"limit": 67108864}'
	local sw=
	[ -e "$(cg_mnt memory)/memory.memsw.limit_in_bytes" ] && sw=1
	[ -n "$sw" ] && update_config '.linux.resources.memory.swap = 67108864'
	set_args sleep 100
	run -0 run_detached "$CID"
	assert_eq "$(v1file_of memory memory.limit_in_bytes)" 67108864
	# raising both above the current memory+swap: swap must go first
	run -0 rt update --memory 268435456 ${sw:+--memory-swap 536870912} "$CID"
	assert_eq "$(v1file_of memory memory.limit_in_bytes)" 268435456
	[ -z "$sw" ] || assert_eq "$(v1file_of memory memory.memsw.limit_in_bytes)" 536870912
	# lowering both below the current memory limit: memory must go first
	run -0 rt update --memory 33554432 ${sw:+--memory-swap 50331648} "$CID"
	assert_eq "$(v1file_of memory memory.limit_in_bytes)" 33554432
	[ -z "$sw" ] || assert_eq "$(v1file_of memory memory.memsw.limit_in_bytes)" 50331648
	# a JSON resources file does the same (memory below memory+swap)
	echo '{"memory": {"limit": 41943040, "reservation": 20971520}}' >"$TESTDIR/res.json"
	run -0 rt update -r "$TESTDIR/res.json" "$CID"
	assert_eq "$(v1file_of memory memory.limit_in_bytes)" 41943040
	assert_eq "$(v1file_of memory memory.soft_limit_in_bytes)" 20971520
	run -0 rt delete --force "$CID"
}
