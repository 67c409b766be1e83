#!/usr/bin/env bats
# Config fields: mounts (every option of config.md's table, recursive r*
# options, tmpcopyup, id-mapped mounts, binds), linux.devices, masked and
# read-only paths, sysctl.

load fields_helpers

teardown() {
	# host-side mounts a test made below its dir
	for m in $(_test_mounts | sort -r); do
		case "$m" in "$TESTDIR"/src*) umount -l "$m" ;; esac
	done
	common_teardown
}

# mount_line OPTIONS_JSON: tmpfs on /m with the options; prints
# "<per-mount options> <super options>" of /m as the container sees it.
mount_line() {
	update_config '.mounts = [.mounts[] | select(.destination != "/m")] + [{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": $o}]' --argjson o "$1"
	run -0 run_ctr sh -c 'awk '\''$5 == "/m" { for (i = 7; $i != "-"; i++); print $6, $(i + 3) }'\'' /proc/self/mountinfo'
	echo "$output"
}

has_opt() { # "LINE" OPT: OPT among the comma lists of LINE
	tr ' ,' '\n\n' <<<"$1" | grep -qx "$2"
}

@test "fields: mount options nosuid, nodev, noexec, nosymfollow, ro" {
	l="$(mount_line '["nosuid","nodev","noexec","nosymfollow","ro"]')"
	for o in nosuid nodev noexec nosymfollow ro; do has_opt "$l" "$o" || { echo "$o missing: $l" >&2; false; }; done
}

@test "fields: mount options suid, dev, exec, symfollow, rw undo the earlier ones" {
	l="$(mount_line '["nosuid","nodev","noexec","nosymfollow","ro","suid","dev","exec","symfollow","rw"]')"
	for o in nosuid nodev noexec nosymfollow ro; do ! has_opt "$l" "$o" || { echo "$o present: $l" >&2; false; }; done
	has_opt "$l" rw
}

@test "fields: atime options noatime, nodiratime, relatime, strictatime, norelatime, atime, diratime" {
	l="$(mount_line '["noatime"]')"; has_opt "$l" noatime
	l="$(mount_line '["relatime","nodiratime"]')"; has_opt "$l" relatime; has_opt "$l" nodiratime
	l="$(mount_line '["strictatime"]')"; ! has_opt "$l" relatime; ! has_opt "$l" noatime
	l="$(mount_line '["relatime","norelatime"]')"; ! has_opt "$l" relatime
	l="$(mount_line '["noatime","atime","nodiratime","diratime"]')"; ! has_opt "$l" noatime; ! has_opt "$l" nodiratime
}

@test "fields: superblock options sync, dirsync, lazytime, iversion, mand, silent, loud, async" {
	l="$(mount_line '["sync","dirsync","lazytime","iversion","mand","silent","loud"]')"
	has_opt "$l" sync
	has_opt "$l" dirsync
	has_opt "$l" lazytime
	l="$(mount_line '["sync","async","lazytime","nolazytime","noiversion","nomand","defaults"]')"
	! has_opt "$l" sync
	! has_opt "$l" lazytime
}

@test "fields: filesystem data options (mode, size) go to the filesystem" {
	l="$(mount_line '["mode=700","size=4k","nosuid"]')"
	has_opt "$l" mode=700
	has_opt "$l" size=4k
}

@test "fields: propagation options private, shared, slave, unbindable and r* variants" {
	for p in private shared slave unbindable rprivate rshared rslave runbindable; do
		update_config '.mounts = [.mounts[] | select(.destination != "/m")] + [{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": [$p]}]' --arg p "$p"
		in_ctr 'awk '\''$5 == "/m" { for (i = 7; $i != "-"; i++) printf "%s ", $i; print "" }'\'' /proc/self/mountinfo'
		case "$p" in
		*shared) assert_contains "$output" "shared:" ;;
		*unbindable) assert_contains "$output" "unbindable" ;;
		*) assert_not_contains "$output" "shared:" ;;
		esac
	done
}

@test "fields: remount changes the flags of what is mounted at the destination" {
	update_config '.mounts += [{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
		{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["remount","ro","nosuid"]}]'
	in_ctr 'awk '\''$5 == "/m" { print $6 }'\'' /proc/self/mountinfo; touch /m/x 2>/dev/null || echo ro-ok'
	has_opt "$output" ro
	has_opt "$output" nosuid
	assert_contains "$output" ro-ok
	assert_eq "$(grep -c . <<<"$output")" 2
}

@test "fields: recursive options rro, rnosuid, rnodev, rnoexec, rnosymfollow, rnoatime reach submounts" {
	mkdir -p "$TESTDIR/src/sub"
	mount -t tmpfs tmpfs "$TESTDIR/src/sub"
	update_config '.mounts += [{"destination": "/r", "type": "bind", "source": $s, "options": ["rbind","rro","rnosuid","rnodev","rnoexec","rnosymfollow","rnoatime"]}]' --arg s "$TESTDIR/src"
	in_ctr 'awk '\''$5 == "/r" || $5 == "/r/sub" { print $5, $6 }'\'' /proc/self/mountinfo; touch /r/sub/x 2>/dev/null && echo writable; true'
	assert_not_contains "$output" writable
	for m in /r /r/sub; do
		l="$(grep "^$m " <<<"$output")"
		for o in ro nosuid nodev noexec nosymfollow noatime; do
			has_opt "$l" "$o" || { echo "$m: $o missing: $l" >&2; false; }
		done
	done
	# without the r* options the submount keeps its own flags
	update_config '.mounts[-1].options = ["rbind","ro"]'
	in_ctr 'awk '\''$5 == "/r/sub" { print $6 }'\'' /proc/self/mountinfo'
	! has_opt "$output" ro
}

@test "fields: recursive options rrw, rsuid, rdev, rexec, rsymfollow, ratime, rrelatime, rstrictatime, rdiratime" {
	mkdir -p "$TESTDIR/src/sub"
	mount -t tmpfs -o ro,nosuid,noexec tmpfs "$TESTDIR/src/sub"
	update_config '.mounts += [{"destination": "/r", "type": "bind", "source": $s, "options": ["rbind","rrw","rsuid","rexec","rdev","rsymfollow","rdiratime","rrelatime"]}]' --arg s "$TESTDIR/src"
	in_ctr 'awk '\''$5 == "/r/sub" { print $6 }'\'' /proc/self/mountinfo'
	for o in ro nosuid noexec; do ! has_opt "$output" "$o"; done
	has_opt "$output" relatime
	update_config '.mounts[-1].options = ["rbind","rstrictatime"]'
	in_ctr 'awk '\''$5 == "/r/sub" { print $6 }'\'' /proc/self/mountinfo'
	! has_opt "$output" relatime
	update_config '.mounts[-1].options = ["rbind","rnorelatime","ratime"]'
	in_ctr 'awk '\''$5 == "/r/sub" { print $6 }'\'' /proc/self/mountinfo'
	has_opt "$output" relatime
}

@test "fields: tmpcopyup copies the directory's content into the tmpfs" {
	mkdir -p "$ROOTFS/data/d"
	echo hello >"$ROOTFS/data/d/f"
	chmod 751 "$ROOTFS/data"
	update_config '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}]'
	in_ctr 'cat /data/d/f; stat -c %a /data; awk '\''$5 == "/data" { print $9 }'\'' /proc/self/mountinfo; echo new >/data/d/f'
	assert_eq "$output" "hello
751
tmpfs"
	# writes went to the tmpfs, not to the rootfs
	assert_eq "$(cat "$ROOTFS/data/d/f")" hello
}

@test "fields: id-mapped bind mount with uidMappings/gidMappings (no user namespace)" {
	mkdir -p "$TESTDIR/src"
	touch "$TESTDIR/src/f"
	chown 1000:1001 "$TESTDIR/src/f"
	update_config '.mounts += [{"destination": "/id", "type": "bind", "source": $s, "options": ["rbind","idmap"],
		"uidMappings": [{"containerID": 1000, "hostID": 3000, "size": 10}],
		"gidMappings": [{"containerID": 1000, "hostID": 4000, "size": 10}]}]' --arg s "$TESTDIR/src"
	in_ctr 'stat -c "%u %g" /id/f; touch /id/g 2>&1 || echo unmapped'
	# host uid 1000 shows as 3000, gid 1001 as 4001; root (uid 0, not in
	# the mount's mapping) cannot create files there
	assert_eq "$(sed -n 1p <<<"$output")" "3000 4001"
	assert_contains "$output" unmapped
	# on the host the file stays 1000:1001
	assert_eq "$(stat -c '%u %g' "$TESTDIR/src/f")" "1000 1001"
}

@test "fields: idmap with the container's user namespace mapping; ridmap on submounts" {
	mkdir -p "$TESTDIR/src/sub" "$ROOTFS/id"
	touch "$TESTDIR/src/f"
	userns_config
	chmod o+x "$TESTDIR"
	update_config '.mounts += [{"destination": "/id", "type": "bind", "source": $s, "options": ["rbind","idmap"]}]' --arg s "$TESTDIR/src"
	in_ctr 'stat -c "%u" /id/f'
	# host root's file is the container's root through the mount
	assert_eq "$output" 0
	# without idmap it is unmapped (the overflow uid)
	update_config '.mounts[-1].options = ["rbind"]'
	in_ctr 'stat -c "%u" /id/f'
	assert_eq "$output" 65534
	# ridmap: submounts are mapped too
	mount -t tmpfs tmpfs "$TESTDIR/src/sub"
	touch "$TESTDIR/src/sub/g"
	update_config '.mounts[-1].options = ["rbind","ridmap"]'
	in_ctr 'stat -c "%u" /id/f /id/sub/g'
	assert_eq "$(echo $output)" "0 0"
	update_config '.mounts[-1].options = ["rbind","idmap"]'
	in_ctr 'stat -c "%u" /id/sub/g'
	assert_eq "$output" 65534
}

@test "fields: id-mapped mounts: bad inputs are refused" {
	mkdir -p "$TESTDIR/src"
	update_config '.mounts += [{"destination": "/id", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]'
	expect_config_error "mounts[" "bind mounts"
	update_config '.mounts[-1] = {"destination": "/id", "type": "bind", "source": $s, "options": ["rbind","idmap"]}' --arg s "$TESTDIR/src"
	expect_config_error "mounts[" "user namespace"
	update_config '.mounts[-1].uidMappings = [{"containerID": 0, "hostID": 1000, "size": 1}]'
	expect_config_error "mounts[" "gidMappings"
}

@test "fields: bind mounts create missing file and directory targets inside the rootfs" {
	mkdir -p "$TESTDIR/src/dir"
	echo content >"$TESTDIR/src/file"
	echo indir >"$TESTDIR/src/dir/x"
	update_config '.mounts += [{"destination": "/new/a/b", "type": "bind", "source": $d, "options": ["bind"]},
		{"destination": "/other/deep/file.txt", "type": "bind", "source": $f, "options": ["bind"]}]' \
		--arg d "$TESTDIR/src/dir" --arg f "$TESTDIR/src/file"
	in_ctr 'cat /new/a/b/x /other/deep/file.txt; [ -d /new/a/b ] && [ -f /other/deep/file.txt ] && echo types-ok'
	assert_eq "$output" "indir
content
types-ok"
	[ -d "$ROOTFS/new/a/b" ] && [ -f "$ROOTFS/other/deep/file.txt" ]
}

@test "fields: a bind target that is a symlink out of the rootfs is created inside it" {
	mkdir -p "$TESTDIR/src" "$TESTDIR/outside"
	echo x >"$TESTDIR/src/f"
	ln -s "$TESTDIR/outside" "$ROOTFS/escape"
	update_config '.mounts += [{"destination": "/escape/f", "type": "bind", "source": $f, "options": ["bind"]}]' --arg f "$TESTDIR/src/f"
	in_ctr 'cat /escape/f'
	assert_eq "$output" x
	[ ! -e "$TESTDIR/outside/f" ]
}

@test "fields: read-only bind mounts are really read-only (file and directory)" {
	mkdir -p "$TESTDIR/src/dir"
	echo c >"$TESTDIR/src/file"
	update_config '.mounts += [{"destination": "/rod", "type": "bind", "source": $d, "options": ["bind","ro"]},
		{"destination": "/rof", "type": "bind", "source": $f, "options": ["rbind","ro","nosuid"]}]' \
		--arg d "$TESTDIR/src/dir" --arg f "$TESTDIR/src/file"
	in_ctr 'touch /rod/x 2>&1 || echo dir-ro; echo y 2>/dev/null >/rof || echo file-ro; awk '\''$5 == "/rod" || $5 == "/rof" { print $6 }'\'' /proc/self/mountinfo'
	assert_contains "$output" dir-ro
	assert_contains "$output" file-ro
	[ ! -e "$TESTDIR/src/dir/x" ]
	assert_eq "$(cat "$TESTDIR/src/file")" c
}

@test "fields: linux.mountLabel is accepted (no SELinux on the host: nothing to label)" {
	[ -e /sys/fs/selinux/enforce ] && skip "SELinux host"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	in_ctr 'echo ran'
	assert_eq "$output" ran
}

@test "fields: linux.devices: character, block and fifo devices with mode, uid and gid" {
	update_config '.linux.devices = [
		{"path": "/dev/mychar", "type": "c", "major": 1, "minor": 7, "fileMode": 416, "uid": 1000, "gid": 1001},
		{"path": "/dev/sub/myblock", "type": "b", "major": 7, "minor": 200, "fileMode": 384, "uid": 0, "gid": 6},
		{"path": "/dev/myfifo", "type": "p", "fileMode": 420, "uid": 2, "gid": 3},
		{"path": "/dev/myu", "type": "u", "major": 1, "minor": 5}]'
	in_ctr 'stat -c "%n %F %t:%T %a %u:%g" /dev/mychar /dev/sub/myblock /dev/myfifo /dev/myu; head -c 3 /dev/myu | od -An -tx1'
	assert_eq "$output" "/dev/mychar character special file 1:7 640 1000:1001
/dev/sub/myblock block special file 7:c8 600 0:6
/dev/myfifo fifo 0:0 644 2:3
/dev/myu character special file 1:5 666 0:0
 00 00 00"
}

@test "fields: linux.devices: bad type, missing major, relative path are refused" {
	update_config '.linux.devices = [{"path": "/dev/x", "type": "q", "major": 1, "minor": 1}]'
	expect_config_error "linux.devices" "type"
	update_config '.linux.devices = [{"path": "/dev/x", "type": "c"}]'
	expect_config_error "linux.devices" "major"
	update_config '.linux.devices = [{"path": "dev/x", "type": "c", "major": 1, "minor": 3}]'
	expect_config_error "dev/x"
}

@test "fields: maskedPaths for files and directories, readonlyPaths" {
	mkdir -p "$ROOTFS/secret/dir" "$ROOTFS/ro/dir"
	echo s >"$ROOTFS/secret/file"
	echo s >"$ROOTFS/secret/dir/inner"
	update_config '.linux.maskedPaths = ["/secret/file", "/secret/dir", "/does/not/exist"] | .linux.readonlyPaths = ["/ro", "/nope"]'
	in_ctr 'wc -c </secret/file; ls -A /secret/dir | wc -l; touch /secret/dir/x 2>/dev/null || echo masked-ro; touch /ro/dir/x 2>/dev/null || echo ro-ok; touch /tmp/x && echo tmp-rw'
	assert_eq "$output" "0
0
masked-ro
ro-ok
tmp-rw"
}

@test "fields: linux.sysctl in the container's ipc, uts and network namespaces" {
	update_config '.linux.sysctl = {"kernel.shmmni": "1234", "net.ipv4.ip_forward": "1", "kernel.domainname": "sysctl.example", "fs.mqueue.msg_max": "20"}'
	in_ctr 'cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/domainname /proc/sys/fs/mqueue/msg_max'
	assert_eq "$output" "1234
1
sysctl.example
20"
}

@test "fields: linux.sysctl refused for namespaces skiff does not own, and non-namespaced keys" {
	update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	expect_config_error "net.ipv4.ip_forward" "network"
	update_config '.linux.namespaces |= map(select(.type != "ipc")) | .linux.sysctl = {"kernel.shmmni": "1"}'
	expect_config_error "kernel.shmmni" "ipc"
	update_config '.linux.sysctl = {"vm.swappiness": "10"}'
	expect_config_error "vm.swappiness" "not namespaced"
}

@test "fields: linux.rootfsPropagation as the container's / shows it (default rslave, as runc)" {
	# the rootfs on a shared host mount, so that each choice is visible
	mkdir -p "$TESTDIR/src/root"
	mount --bind "$ROOTFS" "$TESTDIR/src/root"
	mount --make-shared "$TESTDIR/src/root"
	update_config '.root.path = $r' --arg r "$TESTDIR/src/root"
	root_tags() {
		in_ctr 'awk '\''$5 == "/" { for (i = 7; $i != "-"; i++) printf "%s ", $i; print "" }'\'' /proc/self/mountinfo'
	}
	root_tags # no rootfsPropagation: a slave of the host's mount
	assert_contains "$output" "master:"
	assert_not_contains "$output" "shared:"
	for p in slave rslave private rprivate shared rshared unbindable runbindable; do
		update_config '.linux.rootfsPropagation = $p' --arg p "$p"
		root_tags
		case "$p" in
		*slave) assert_contains "$output" "master:"; assert_not_contains "$output" "shared:" ;;
		*private) assert_not_contains "$output" "master:"; assert_not_contains "$output" "shared:" ;;
		*shared) assert_contains "$output" "shared:" ;;
		*unbindable) assert_contains "$output" "unbindable" ;;
		esac
	done
	# a host mount below the rootfs reaches a slave container ...
	update_config 'del(.linux.rootfsPropagation)'
	mkdir -p "$TESTDIR/src/root/mnt"
	set_args sh -c 'i=0; while [ $i -lt 100 ] && ! grep -q " /mnt/late " /proc/self/mountinfo; do sleep 0.05; i=$((i+1)); done; grep -c " /mnt/late " /proc/self/mountinfo'
	run_detached "$CID"
	mkdir -p "$ROOTFS/mnt/late"
	mount -t tmpfs late "$TESTDIR/src/root/mnt/late"
	wait_for_status "$CID" stopped
	run cat "$TESTDIR/$CID.stdout"
	umount "$TESTDIR/src/root/mnt/late"
	rt delete "$CID"
	[ "$output" = 1 ]
}
