#!/usr/bin/env bats
# Mounts, devices, masked and read-only paths, bind mounts, symlink safety.

load helpers

# mountinfo fields of the container: "mountpoint fstype options superoptions"
mounts_inside() {
	in_ctr 'cat /proc/self/mountinfo'
	MI="$output"
}

# mi_line MOUNTPOINT: the (last) mountinfo line for MOUNTPOINT
mi_line() {
	awk -v m="$1" '$5 == m' <<<"$MI" | tail -1
}

mi_fstype() {
	mi_line "$1" | sed 's/.* - //' | awk '{ print $1 }'
}

@test "mounts: /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys with their types" {
	mounts_inside
	assert_eq "$(mi_fstype /proc)" proc
	assert_eq "$(mi_fstype /dev)" tmpfs
	assert_eq "$(mi_fstype /dev/pts)" devpts
	assert_eq "$(mi_fstype /dev/shm)" tmpfs
	assert_eq "$(mi_fstype /dev/mqueue)" mqueue
	assert_eq "$(mi_fstype /sys)" sysfs
}

@test "mounts: /sys is read-only, /dev is nosuid, /dev/shm is nosuid,noexec,nodev" {
	mounts_inside
	mi_line /sys | awk '{ print $6 }' | grep -qE '(^|,)ro(,|$)'
	mi_line /dev | awk '{ print $6 }' | grep -qE '(^|,)nosuid(,|$)'
	opts="$(mi_line /dev/shm | awk '{ print $6 }')"
	for o in nosuid noexec nodev; do grep -qE "(^|,)$o(,|$)" <<<"$opts"; done
	in_ctr 'touch /sys/x 2>/dev/null && echo writable || echo ro; stat -c %a /dev/shm'
	assert_eq "$output" "ro
1777"
}

@test "mounts: the rootfs is the container's / and nothing of the host is mounted" {
	mounts_inside
	mi_line / | grep -q .
	# no host mounts leak in: every mount point is one of the config's, below them, or /
	while read -r mp; do
		case "$mp" in
		/ | /proc | /proc/* | /dev | /dev/* | /sys | /sys/*) ;;
		*) echo "unexpected mount $mp" >&2; false ;;
		esac
	done < <(awk '{ print $5 }' <<<"$MI")
}

@test "mounts: default devices with major:minor and mode 0666" {
	in_ctr 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T %a %u:%g" /dev/$d)"; done'
	assert_eq "$output" "null character special file 1:3 666 0:0
zero character special file 1:5 666 0:0
full character special file 1:7 666 0:0
random character special file 1:8 666 0:0
urandom character special file 1:9 666 0:0
tty character special file 5:0 666 0:0"
}

@test "mounts: devices work (null swallows, zero reads zeros, full fails)" {
	in_ctr 'echo x > /dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d " "; (echo x > /dev/full) 2>/dev/null && echo wrote-full || echo full-ENOSPC'
	assert_eq "$output" "00000000
full-ENOSPC"
}

@test "mounts: /dev/ptmx, /dev/fd, stdin/stdout/stderr symlinks" {
	in_ctr 'for l in ptmx fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done; ls /dev/pts/ptmx'
	assert_eq "$output" "ptmx pts/ptmx
fd /proc/self/fd
stdin /proc/self/fd/0
stdout /proc/self/fd/1
stderr /proc/self/fd/2
/dev/pts/ptmx"
}

@test "mounts: masked paths are unreadable or empty" {
	in_ctr 'echo "kcore $(cat /proc/kcore 2>/dev/null | wc -c)"; echo "keys $(cat /proc/keys 2>/dev/null | wc -c)"; echo "acpi $(ls -A /proc/acpi 2>/dev/null | wc -l)"; echo "firmware $(ls -A /sys/firmware 2>/dev/null | wc -l)"'
	assert_eq "$output" "kcore 0
keys 0
acpi 0
firmware 0"
}

@test "mounts: a masked path listed in the config is masked, an unlisted one is not" {
	update_config '.linux.maskedPaths = ["/proc/version"]'
	in_ctr 'cat /proc/version | wc -c; cat /proc/cmdline | wc -c'
	assert_eq "$(head -1 <<<"$output")" 0
	[ "$(tail -1 <<<"$output")" -gt 0 ]
}

@test "mounts: read-only paths are not writable (/proc/sys)" {
	in_ctr '(echo foo > /proc/sys/kernel/domainname) 2>/dev/null && echo wrote || echo refused; grep " /proc/sys " /proc/self/mountinfo | cut -d" " -f6'
	assert_eq "$(head -1 <<<"$output")" refused
	grep -qE '(^|,)ro(,|$)' <<<"$(tail -1 <<<"$output")"
	# the host's value is untouched
	[ "$(cat /proc/sys/kernel/domainname)" != foo ]
}

@test "mounts: root.readonly true makes / read-only" {
	update_config '.root.readonly = true'
	in_ctr 'touch /newfile 2>/dev/null && echo writable || echo ro; touch /tmp/x 2>/dev/null && echo tmp-writable || echo tmp-ro; cut -d" " -f5,6 /proc/self/mountinfo | grep "^/ " | tail -1 | cut -d" " -f2'
	assert_eq "$(sed -n 1p <<<"$output")" ro
	assert_eq "$(sed -n 2p <<<"$output")" tmp-ro
	grep -qE '(^|,)ro(,|$)' <<<"$(sed -n 3p <<<"$output")"
	[ ! -e "$ROOTFS/newfile" ]
}

@test "mounts: root.readonly false leaves / writable" {
	in_ctr 'touch /newfile && echo ok'
	assert_eq "$output" ok
	[ -e "$ROOTFS/newfile" ]
}

@test "mounts: bind mounts of bundle dirs, rw and ro" {
	mkdir -p "$TESTDIR/rw" "$TESTDIR/ro"
	echo hello-rw >"$TESTDIR/rw/f"
	echo hello-ro >"$TESTDIR/ro/f"
	add_bind_mount "$TESTDIR/rw" /mnt/rw
	add_bind_mount "$TESTDIR/ro" /mnt/ro ro
	in_ctr 'cat /mnt/rw/f /mnt/ro/f; echo new > /mnt/rw/g && echo rw-ok; (echo new > /mnt/ro/g) 2>/dev/null && echo ro-WROTE || echo ro-refused'
	assert_eq "$output" "hello-rw
hello-ro
rw-ok
ro-refused"
	assert_eq "$(cat "$TESTDIR/rw/g")" new
	[ ! -e "$TESTDIR/ro/g" ]
}

@test "mounts: bind mount of a single file" {
	echo file-content >"$TESTDIR/single"
	touch "$ROOTFS/etc/single"
	add_bind_mount "$TESTDIR/single" /etc/single
	in_ctr 'cat /etc/single'
	assert_eq "$output" file-content
}

@test "mounts: bind mount of a single file onto a missing target creates it" {
	echo file-content >"$TESTDIR/single"
	add_bind_mount "$TESTDIR/single" /etc/newdir/single
	in_ctr 'cat /etc/newdir/single'
	assert_eq "$output" file-content
}

@test "mounts: tmpfs with size and mode options" {
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=0700", "nosuid"]}]'
	in_ctr 'stat -c %a /scratch; grep " /scratch " /proc/self/mountinfo; df -k /scratch | tail -1'
	assert_eq "$(sed -n 1p <<<"$output")" 700
	line="$(sed -n 2p <<<"$output")"
	assert_contains "$line" " - tmpfs "
	assert_contains "$line" "size=1024k"
	assert_contains "$line" "mode=700"
	assert_contains "$(awk '{ print $6 }' <<<"$line")" nosuid
	assert_eq "$(sed -n 3p <<<"$output" | awk '{ print $2 }')" 1024
}

@test "mounts: a mount target that is a symlink to / stays inside the container" {
	before="$(cat /proc/self/mountinfo)"
	mkdir -p "$TESTDIR/src"
	echo marker >"$TESTDIR/src/marker"
	ln -s / "$ROOTFS/evil"
	add_bind_mount "$TESTDIR/src" /evil/landed
	mkdir -p "$ROOTFS/landed"
	in_ctr 'cat /landed/marker'
	assert_eq "$output" marker
	# the host's / is unchanged and nothing was mounted in the host's namespace
	[ ! -e /landed ]
	assert_eq "$(cat /proc/self/mountinfo)" "$before"
}

@test "mounts: a mount target that is a relative symlink escaping upwards stays inside" {
	before="$(cat /proc/self/mountinfo)"
	ln -s ../../../../../../../../tmp "$ROOTFS/evil2"
	update_config '.mounts += [{"destination": "/evil2", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	in_ctr 'grep -c " /tmp .* - tmpfs " /proc/self/mountinfo'
	assert_eq "$output" 1
	assert_eq "$(cat /proc/self/mountinfo)" "$before"
}

@test "mounts: the container's mounts do not propagate to the host" {
	before="$(cat /proc/self/mountinfo)"
	mkdir -p "$TESTDIR/rw"
	add_bind_mount "$TESTDIR/rw" /mnt/rw
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"}]'
	in_ctr 'true'
	assert_eq "$(cat /proc/self/mountinfo)" "$before"
}
