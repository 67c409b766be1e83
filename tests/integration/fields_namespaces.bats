#!/usr/bin/env bats
# Config fields: namespaces and identity (user namespace id maps, joining
# namespaces by path, time namespace offsets, hostname/domainname).

load fields_helpers

teardown() {
	stop_holder
	rm -f "$TESTDIR/subuid" "$TESTDIR/subgid"
	umount /etc/subuid /etc/subgid 2>/dev/null || true
	common_teardown
}

@test "fields: user namespace with several uid and gid ranges, written by skiff" {
	userns_config '[{"containerID":0,"hostID":100000,"size":1000},{"containerID":1000,"hostID":200000,"size":1000}]' \
		'[{"containerID":0,"hostID":300000,"size":500},{"containerID":500,"hostID":400000,"size":10}]'
	in_ctr 'cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user'
	read -r -a l <<<"$(sed -n 1p <<<"$output")"; assert_eq "${l[*]}" "0 100000 1000"
	read -r -a l <<<"$(sed -n 2p <<<"$output")"; assert_eq "${l[*]}" "1000 200000 1000"
	read -r -a l <<<"$(sed -n 3p <<<"$output")"; assert_eq "${l[*]}" "0 300000 500"
	read -r -a l <<<"$(sed -n 4p <<<"$output")"; assert_eq "${l[*]}" "500 400000 10"
	assert_eq "$(sed -n 5p <<<"$output")" 0
	[ "$(sed -n 6p <<<"$output")" != "$(readlink /proc/self/ns/user)" ]
}

@test "fields: user namespace: the container's root is the mapped host uid" {
	userns_config
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sleep 300
	run -0 create_ctr "$CID"
	pid="$(pid_of "$CID")"
	# the host sees the init as hostID + containerID
	run -0 awk '/^Uid:/ { print $2 } /^Gid:/ { print $2 }' "/proc/$pid/status"
	assert_eq "$output" "101000
101000"
	rt delete --force "$CID"
}

@test "fields: user namespace: setgroups stays allowed when skiff maps as root (additionalGids work)" {
	userns_config
	update_config '.process.user = {"uid": 0, "gid": 0, "additionalGids": [5, 7]}'
	in_ctr 'cat /proc/self/setgroups; id -G'
	assert_eq "$output" "allow
0 5 7"
}

# rootless NAME...: run the container as the unprivileged user `nobody`
# (no cgroup), which owns the bundle and the state dir.
rootless() {
	local d="$ROOTFS"
	while [ "$d" != / ]; do chmod o+x "$d"; d="$(dirname "$d")"; done
	chown -R nobody: "$BUNDLE" "$ROOT"
	# a copy nobody can execute: the clone may sit where only root can
	# look (e.g. below /root)
	install -m 755 "$SKIFF" "$TESTDIR/$(basename "$SKIFF")"
	setpriv --reuid nobody --regid nogroup --clear-groups \
		timeout -k 5 "$SKIFF_TIMEOUT" "$TESTDIR/$(basename "$SKIFF")" --cgroup-manager disabled --root "$ROOT" "$@"
}

@test "fields: user namespace, unprivileged: several ranges through newuidmap/newgidmap (package uidmap)" {
	command -v newuidmap >/dev/null || skip "newuidmap not installed"
	getent group nogroup >/dev/null || skip "no nogroup group"
	nob="$(id -u nobody)"
	# only this test's mount namespace sees these files
	echo "nobody:200000:65536" >"$TESTDIR/subuid"
	cp "$TESTDIR/subuid" "$TESTDIR/subgid"
	mount --bind "$TESTDIR/subuid" /etc/subuid
	mount --bind "$TESTDIR/subgid" /etc/subgid
	update_config '.linux.namespaces = [{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"user"}]
		| .mounts |= map(select(.type != "cgroup" and .type != "sysfs" and .destination != "/dev/mqueue"))
		| .linux.uidMappings = [{"containerID":0,"hostID":$n,"size":1},{"containerID":1,"hostID":200000,"size":65536}]
		| .linux.gidMappings = .linux.uidMappings | .linux.gidMappings[0].hostID = $g
		| .process.user.additionalGids = [5]' --argjson n "$nob" --argjson g "$(getent group nogroup | cut -d: -f3)"
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -G'
	run -0 rootless run --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$(echo $output)" "0 $nob 1 1 200000 65536 0 $(getent group nogroup | cut -d: -f3) 1 1 200000 65536 allow 0 5"
	# a range /etc/subuid does not allow: newuidmap's refusal is the error
	update_config '.linux.uidMappings[1].hostID = 500000'
	run --separate-stderr rootless create --bundle "$BUNDLE" "$CID" </dev/null
	assert_one_line_error
	assert_contains "$stderr" "newuidmap"
	run ! rt state "$CID"
}

@test "fields: user namespace, unprivileged: its own ids only, setgroups denied as the kernel requires" {
	getent group nogroup >/dev/null || skip "no nogroup group"
	nob="$(id -u nobody)"
	ng="$(getent group nogroup | cut -d: -f3)"
	update_config '.linux.namespaces = [{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"user"}]
		| .mounts |= map(select(.type != "cgroup" and .type != "sysfs" and .destination != "/dev/mqueue"))
		| .mounts |= map(if .destination == "/dev/pts" then .options -= ["gid=5"] else . end)
		| .linux.uidMappings = [{"containerID":0,"hostID":$n,"size":1}]
		| .linux.gidMappings = [{"containerID":0,"hostID":$g,"size":1}]' --argjson n "$nob" --argjson g "$ng"
	set_args sh -c 'cat /proc/self/setgroups; id -u'
	run -0 rootless run --bundle "$BUNDLE" "$CID" </dev/null
	assert_eq "$(echo $output)" "deny 0"
}

@test "fields: uidMappings without gidMappings, and mappings without a user namespace, are refused" {
	update_config '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":10}]'
	expect_config_error "gidMappings"
	update_config '.linux.namespaces |= map(select(.type != "user")) | .linux.gidMappings = .linux.uidMappings'
	expect_config_error "uidMappings" "user namespace"
}

join_test() { # TYPE NSFILE UNSHARE_ARGS...
	local type="$1" f="$2"
	shift 2
	start_holder "$@"
	want="$(readlink /proc/$holder_inner/ns/$f)"
	[ "$want" != "$(readlink /proc/$$/ns/$f)" ]
	update_config '.linux.namespaces |= (map(select(.type != $t)) + [{"type": $t, "path": $p}])' \
		--arg t "$type" --arg p "/proc/$holder_inner/ns/$f"
	[ "$type" = uts ] && update_config 'del(.hostname)'
	in_ctr "readlink /proc/self/ns/$f"
	assert_eq "$output" "$want"
}

@test "fields: join an existing uts namespace by path" { join_test uts uts --uts; }
@test "fields: join an existing ipc namespace by path" { join_test ipc ipc --ipc; }
@test "fields: join an existing network namespace by path" { join_test network net --net; }
@test "fields: join an existing cgroup namespace by path" { join_test cgroup cgroup --cgroup; }
@test "fields: join an existing pid namespace by path" { join_test pid pid --pid --fork --mount-proc; }
@test "fields: join an existing time namespace by path" { join_test time time --time --fork --boottime 5000; }

@test "fields: join an existing user namespace by path" {
	start_holder --user --pid --fork
	echo "0 100000 65536" >/proc/$holder_inner/uid_map
	echo "0 100000 65536" >/proc/$holder_inner/gid_map
	local d="$ROOTFS"
	while [ "$d" != / ]; do chmod o+x "$d"; d="$(dirname "$d")"; done
	want="$(readlink /proc/$holder_inner/ns/user)"
	# the other namespaces are made by the init after it joined (they
	# belong to the joined user namespace); pid is joined too
	update_config '.linux.namespaces |= map(select(.type != "pid")) | .linux.namespaces += [{"type":"user","path":$p}, {"type":"pid","path":$q}]' \
		--arg p "/proc/$holder_inner/ns/user" --arg q "/proc/$holder_inner/ns/pid"
	in_ctr 'readlink /proc/self/ns/user; cat /proc/self/uid_map'
	assert_eq "$(sed -n 1p <<<"$output")" "$want"
	assert_eq "$(sed -n 2p <<<"$output" | tr -s ' ' | sed 's/^ //')" "0 100000 65536"
	# a new pid namespace cannot be made in a joined user namespace here
	update_config '.linux.namespaces |= map(if .type == "pid" then del(.path) else . end)'
	expect_config_error "pid namespace" "user namespace joined by path"
}

@test "fields: join an existing mount namespace by path" {
	# a copy of the runtime's mount namespace: the container's mounts
	# land in it (and go away with it), the rootfs path resolves the same
	start_holder --mount --propagation private
	want="$(readlink /proc/$holder_inner/ns/mnt)"
	update_config '.linux.namespaces |= map(if .type == "mount" then .path = $p else . end)' \
		--arg p "/proc/$holder_inner/ns/mnt"
	in_ctr 'readlink /proc/self/ns/mnt'
	assert_eq "$output" "$want"
}

@test "fields: a namespace path of the wrong type is refused" {
	update_config '.linux.namespaces |= map(if .type == "ipc" then .path = "/proc/self/ns/uts" else . end)'
	expect_config_error "ipc"
	update_config '.linux.namespaces |= map(if .type == "ipc" then .path = "/etc/passwd" else . end)'
	expect_config_error "not a namespace"
	update_config '.linux.namespaces |= map(if .type == "ipc" then .path = "/nonexistent/ns" else . end)'
	expect_config_error "/nonexistent/ns"
}

@test "fields: time namespace with monotonic and boottime offsets" {
	update_config '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400000, "nanosecs": 0}, "monotonic": {"secs": 7200, "nanosecs": 500}}'
	host_up="$(cut -d. -f1 /proc/uptime)"
	in_ctr 'cut -d. -f1 /proc/uptime; cat /proc/self/timens_offsets'
	up="$(sed -n 1p <<<"$output")"
	[ "$up" -ge $((host_up + 86400000)) ]
	grep -qE '^monotonic +7200 +500$' <<<"$output"
	grep -qE '^boottime +86400000 +0$' <<<"$output"
	# the host's own clocks are untouched
	assert_eq "$(cat /proc/self/timens_offsets | tr -s ' ' | sort)" "boottime 0 0
monotonic 0 0"
}

@test "fields: timeOffsets without a new time namespace are refused" {
	update_config '.linux.timeOffsets = {"boottime": {"secs": 10}}'
	expect_config_error "timeOffsets" "time namespace"
}

@test "fields: domainname and hostname in a new uts namespace" {
	update_config '.hostname = "skiff-h" | .domainname = "skiff.example"'
	in_ctr 'hostname; cat /proc/sys/kernel/domainname'
	assert_eq "$output" "skiff-h
skiff.example"
	[ "$(cat /proc/sys/kernel/domainname)" != skiff.example ]
}

@test "fields: hostname or domainname without a new uts namespace are refused" {
	update_config '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "h"'
	expect_config_error "hostname" "UTS namespace"
	update_config 'del(.hostname) | .domainname = "d"'
	expect_config_error "domainname" "UTS namespace"
}
