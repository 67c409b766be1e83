#!/usr/bin/env bats
# skiff checkpoint / restore with CRIU, on a kernel where criu works: the VM
# tier (VM_CGROUP=criu tests/vm/run.sh) runs it; elsewhere (`criu check`
# fails, e.g. on a 6.18 host) every test is skipped.  The containers keep
# their stdio inside (/dev/null of the container): the counter writes to a
# file of the rootfs.

load helpers

RECVTTY="$BATS_TEST_DIRNAME/../tools/recvtty.py"

setup() {
	command -v criu >/dev/null || skip "no criu"
	# the VM guest's lo is down: criu's kernel checks connect to 127.0.0.1
	[ -n "${SKIFF_VM:-}" ] && ip link set lo up
	criu check >/dev/null 2>&1 || skip "criu does not work on this kernel (run in the VM tier: VM_CGROUP=criu tests/vm/run.sh)"
	common_setup
	IMG="$TESTDIR/img"
}

teardown() {
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null
	[ -n "${NETNS:-}" ] && ip netns del "$NETNS" 2>/dev/null
	common_teardown
}

# start CID counting into /count (FILE) every 0.1 s
start_counter() {
	set_args sh -c 'exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i >'"${1:-/count}"'; sleep 0.1; done'
	run -0 run_detached "$CID"
}

count() { cat "$ROOTFS/count" 2>/dev/null || echo 0; }

# wait until the counter passes N
wait_count_above() {
	local i f="${2:-$ROOTFS/count}"
	for ((i = 0; i < 600; i++)); do
		[ "$(cat "$f" 2>/dev/null || echo 0)" -gt "$1" ] 2>/dev/null && return 0
		sleep 0.1
	done
	echo "counter $f stuck at $(cat "$f" 2>/dev/null)" >&2
	return 1
}

restore_ctr() {
	_rt_detached restore -d --bundle "$BUNDLE" --image-path "$IMG" "$@"
}

# the counter started, dumped and restored (detached); it counts on
counter_dump_restore() {
	local c1
	start_counter
	wait_count_above 2
	run -0 rt checkpoint --image-path "$IMG" "$CID"
	c1="$(count)"
	run -0 restore_ctr "$CID"
	assert_eq "$(status_of "$CID")" running
	wait_count_above "$c1"
}

@test "checkpoint: a counter is dumped, the container goes; restore: it counts on from where it was" {
	start_counter
	wait_count_above 2
	pid="$(pid_of "$CID")"
	caps_before="$(grep CapEff "/proc/$pid/status")"
	run -0 rt checkpoint --image-path "$IMG" "$CID"
	[ -f "$IMG/inventory.img" ]
	[ ! -d "$ROOT/$CID" ]
	c1="$(count)"
	run -0 restore_ctr --pid-file "$TESTDIR/pid" "$CID"
	assert_eq "$(status_of "$CID")" running
	pid2="$(pid_of "$CID")"
	assert_eq "$(cat "$TESTDIR/pid")" "$pid2"
	assert_eq "$(jq -r .pid "$ROOT/$CID/state.json")" "$pid2"
	wait_count_above "$c1"
	# counted on: not restarted from 1
	[ "$(count)" -gt "$c1" ]
	# seccomp, capabilities, namespaces and the cgroup came back
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid2/status"
	assert_eq "$(grep CapEff "/proc/$pid2/status")" "$caps_before"
	[ "$(readlink "/proc/$pid2/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	[ "$(readlink "/proc/$pid2/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	cg="$(jq -r .cgroupPath "$ROOT/$CID/state.json")"
	grep -qx "$pid2" "$cg/cgroup.procs"
	run -0 rt exec "$CID" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	assert_contains "$output" "while"
	# masked paths still masked (a file: /dev/null bound on it, given to
	# criu as an external mount; a directory: an empty tmpfs), read-only
	# paths still read-only
	run -0 rt exec "$CID" sh -c 'wc -c </proc/timer_list; ls /sys/firmware | wc -l; grep -E " /proc/sys (proc|sysfs) ro," /proc/mounts | wc -l'
	assert_eq "${lines[0]}" 0
	assert_eq "${lines[1]}" 0
	[ "${lines[2]}" -ge 1 ]
	run -0 rt delete --force "$CID"
}

@test "checkpoint --leave-running: the container runs on; its image restores" {
	start_counter
	wait_count_above 2
	pid="$(pid_of "$CID")"
	run -0 rt checkpoint --leave-running --image-path "$IMG" "$CID"
	assert_eq "$(status_of "$CID")" running
	assert_eq "$(pid_of "$CID")" "$pid"
	c1="$(count)"
	wait_count_above "$c1"
	run -0 rt delete --force "$CID"
	run -0 restore_ctr "$CID"
	assert_eq "$(status_of "$CID")" running
	c2="$(count)"
	wait_count_above "$c2"
	run -0 rt delete --force "$CID"
}

@test "checkpoint: a bind mount and a tmpfs come back (bind external, tmpfs contents dumped)" {
	mkdir -p "$TESTDIR/data"
	add_bind_mount "$TESTDIR/data" /data
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}]'
	set_args sh -c 'exec </dev/null >/dev/null 2>&1; echo kept >/scratch/f; i=0; while :; do i=$((i+1)); echo $i >/data/count; sleep 0.1; done'
	run -0 run_detached "$CID"
	wait_count_above 2 "$TESTDIR/data/count"
	run -0 rt checkpoint --image-path "$IMG" "$CID"
	c1="$(cat "$TESTDIR/data/count")"
	run -0 restore_ctr "$CID"
	wait_count_above "$c1" "$TESTDIR/data/count"
	run -0 rt exec "$CID" sh -c 'cat /scratch/f; grep -c " /scratch tmpfs " /proc/mounts; grep -c " /data " /proc/mounts'
	assert_eq "${lines[0]}" kept
	assert_eq "${lines[1]}" 1
	assert_eq "${lines[2]}" 1
	run -0 rt delete --force "$CID"
}

@test "restore under a new id" {
	start_counter
	wait_count_above 2
	run -0 rt checkpoint --image-path "$IMG" "$CID"
	c1="$(count)"
	run -0 restore_ctr "${CID}b"
	assert_eq "$(status_of "${CID}b")" running
	run ! rt state "$CID"
	wait_count_above "$c1"
	run -0 rt list -q
	assert_eq "$output" "${CID}b"
	run -0 rt delete --force "${CID}b"
}

@test "checkpoint --pre-dump, then a dump with --parent-path" {
	start_counter
	wait_count_above 2
	run -0 rt checkpoint --pre-dump --image-path "$TESTDIR/pre" "$CID"
	assert_eq "$(status_of "$CID")" running
	run -0 rt checkpoint --image-path "$IMG" --parent-path ../pre "$CID"
	[ -L "$IMG/parent" ]
	c1="$(count)"
	run -0 restore_ctr "$CID"
	wait_count_above "$c1"
	run -0 rt delete --force "$CID"
}

@test "checkpoint: an external unix socket without --ext-unix-sk fails, says why, the container runs on; with it, the dump is made" {
	# fd 3 of the container: a datagram socket connected to one a host
	# process bound on $TESTDIR/ext.sock (in the host's network namespace,
	# where criu finds the peer and calls it external; with --ext-unix-sk
	# criu dumps such a socket whose peer has a name, as /dev/log's, not a
	# nameless one nor half of a stream connection)
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	set_args sh -c 'exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i >/count; sleep 0.1; done'
	python3 - "$SKIFF" "$ROOT" "$BUNDLE" "$CID" "$TESTDIR" <<'PY'
import os, socket, subprocess, sys
skiff, root, bundle, cid, tdir = sys.argv[1:]
a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a.bind(tdir + "/ext.sock")
pid = os.fork()
if pid == 0:
    os.setsid()
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    while True:
        os.read(a.fileno(), 1) or os.pause()
open(tdir + "/holder", "w").write(str(pid))
a.close()
b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
b.connect(tdir + "/ext.sock")
os.dup2(b.fileno(), 3)
n = os.open("/dev/null", os.O_RDWR)
sys.exit(subprocess.call([skiff, "--root", root, "run", "-d", "--preserve-fds", "1", "--bundle", bundle, cid],
                         pass_fds=(3,), stdin=n, stdout=n))
PY
	HOLDER="$(cat "$TESTDIR/holder")"
	wait_count_above 2
	pid="$(pid_of "$CID")"
	run --separate-stderr rt checkpoint --image-path "$IMG" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "criu failed"
	assert_contains "$stderr" "ext-unix-sk"
	assert_eq "$(status_of "$CID")" running
	assert_eq "$(pid_of "$CID")" "$pid"
	c1="$(count)"
	wait_count_above "$c1"
	# with --ext-unix-sk criu dumps it (--leave-running: the holder's end
	# stays connected)
	run -0 rt checkpoint --ext-unix-sk --leave-running --image-path "$TESTDIR/img2" "$CID"
	[ -f "$TESTDIR/img2/inventory.img" ]
	assert_eq "$(pid_of "$CID")" "$pid"
	run -0 rt delete --force "$CID"
}

@test "restore in the foreground: waits for the container, exits with its status, deletes it" {
	set_args sh -c 'exec </dev/null >/dev/null 2>&1; while [ ! -f /go ]; do echo x >/ready; sleep 0.1; done; exit 3'
	run -0 run_detached "$CID"
	wait_for_file "$ROOTFS/ready"
	run -0 rt checkpoint --image-path "$IMG" "$CID"
	rt restore --no-subreaper --bundle "$BUNDLE" --image-path "$IMG" "$CID" </dev/null >"$TESTDIR/fg.out" 2>&1 &
	bg=$!
	wait_for_status "$CID" running 600
	touch "$ROOTFS/go"
	rc=0
	wait "$bg" || rc=$?
	assert_eq "$rc" 3
	[ ! -e "$ROOT/$CID" ]
}

@test "checkpoint/restore: stdout a pipe of the caller (as conmon's): restore hands criu its own (descriptors.json)" {
	set_args sh -c 'exec </dev/null 2>/dev/null; i=0; while :; do i=$((i+1)); echo $i; echo $i >/count; sleep 0.1; done'
	rt run -d --bundle "$BUNDLE" "$CID" </dev/null 2>"$TESTDIR/run.err" > >(cat >"$TESTDIR/out1")
	wait_count_above 2
	wait_for_file "$TESTDIR/out1"
	run -0 rt checkpoint --image-path "$IMG" "$CID"
	run -0 jq -r '.[1]' "$IMG/descriptors.json"
	[[ $output == pipe:* ]]
	c1="$(count)"
	rt restore -d --bundle "$BUNDLE" --image-path "$IMG" "$CID" </dev/null 2>"$TESTDIR/restore.err" > >(cat >"$TESTDIR/out2")
	wait_count_above "$((c1 + 2))"
	wait_for_file "$TESTDIR/out2"
	# the restored counter writes on the new pipe, going on from c1
	[ "$(head -n 1 "$TESTDIR/out2")" -gt "$c1" ]
	run -0 rt delete --force "$CID"
}

# a file of the rootfs holding at least N lines
wait_lines() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "$1: $(cat "$1" 2>/dev/null | wc -l) lines, not $2" >&2
	return 1
}

@test "checkpoint/restore with process.terminal: the new pty's master goes to --console-socket, input and output work" {
	update_config '.process.terminal = true'
	# the counter writing on the terminal in the background, a reader of it
	# in the foreground (a background job's stdin would be /dev/null)
	set_args sh -c '(i=0; while :; do i=$((i+1)); echo $i >/count; echo "tick $i"; sleep 0.1; done) & while read l; do echo "got $l" >>/got; done'
	# two connections: run's pty, then restore's; "ping" typed on each
	python3 "$RECVTTY" "$TESTDIR/console.sock" --out "$TESTDIR/tty.out" --input 'ping\n' --count 2 &
	RPID=$!
	for ((i = 0; i < 200; i++)); do [ -S "$TESTDIR/console.sock" ] && break; sleep 0.05; done
	run -0 rt run -d --console-socket "$TESTDIR/console.sock" --bundle "$BUNDLE" "$CID"
	wait_lines "$ROOTFS/got" 1
	wait_count_above 2
	run -0 rt checkpoint --image-path "$IMG" "$CID"
	c1="$(count)"
	run -0 restore_ctr --console-socket "$TESTDIR/console.sock" "$CID"
	assert_eq "$(status_of "$CID")" running
	pid="$(pid_of "$CID")"
	wait_count_above "$c1"
	# the restored reader got the "ping" typed on the new master
	wait_lines "$ROOTFS/got" 2
	assert_eq "$(sed -n 2p "$ROOTFS/got")" "got ping"
	# and the counter's output came out of it, going on from c1
	for ((i = 0; i < 100; i++)); do
		grep -q "^tick $((c1 + 1))" "$TESTDIR/tty.out" && break
		sleep 0.1
	done
	grep -q "^tick $((c1 + 1))" "$TESTDIR/tty.out"
	# the init's stdio is a pty, its controlling terminal
	[[ "$(readlink "/proc/$pid/fd/1")" == /dev/pts/* ]]
	[ "$(awk '{ print $7 }' "/proc/$pid/stat")" -ne 0 ]
	run -0 rt delete --force "$CID"
}

@test "checkpoint/restore: runc's flags reach criu (--work-path, --tcp-established, --file-locks, --shell-job, --auto-dedup, --manage-cgroups-mode, --empty-ns); restore --no-pivot is accepted" {
	start_counter
	wait_count_above 2
	flags=(--work-path "$TESTDIR/work" --tcp-established --file-locks --shell-job --auto-dedup --manage-cgroups-mode soft --empty-ns network)
	run -0 --separate-stderr rt --debug checkpoint --image-path "$IMG" "${flags[@]}" "$CID"
	for f in --tcp-established --file-locks --shell-job --auto-dedup --manage-cgroups=soft --empty-ns=net; do
		assert_contains "$stderr" " $f"
	done
	# criu's log in the work dir, the images in the image dir
	[ -f "$TESTDIR/work/dump.log" ] && [ ! -e "$IMG/dump.log" ] && [ -f "$IMG/inventory.img" ]
	grep -q "Will dump/restore TCP connections" "$TESTDIR/work/dump.log"
	c1="$(count)"
	run -0 --separate-stderr rt --debug restore -d --bundle "$BUNDLE" --image-path "$IMG" "${flags[@]}" --no-pivot "$CID" </dev/null
	for f in --tcp-established --file-locks --shell-job --auto-dedup --manage-cgroups=soft --empty-ns=net; do
		assert_contains "$stderr" " $f"
	done
	[ -f "$TESTDIR/work/restore.log" ]
	assert_eq "$(status_of "$CID")" running
	wait_count_above "$c1"
	# --empty-ns network: a network namespace of its own, nothing restored in it
	pid="$(pid_of "$CID")"
	[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]
	run -0 rt delete --force "$CID"
}

@test "checkpoint/restore: a network namespace joined by path is criu's external one: the restored container is in it again" {
	ns="skckp$$"
	ip netns add "$ns"
	NETNS="$ns"
	ino="$(stat -L -c %i "/run/netns/$ns")"
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/run/netns/'"$ns"'" else . end)'
	counter_dump_restore
	assert_eq "$(stat -L -c %i "/proc/$(pid_of "$CID")/ns/net")" "$ino"
	run -0 rt delete --force "$CID"
}

@test "checkpoint/restore: a container with a user namespace" {
	use_userns 200000
	counter_dump_restore
	pid="$(pid_of "$CID")"
	grep -q 200000 "/proc/$pid/uid_map"
	[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
	# the image dir, made by checkpoint, searchable by the container's root
	assert_eq "$(stat -c %a "$IMG")" 711
	run -0 rt delete --force "$CID"
	# one it cannot search: refused in one line before anything is made
	chmod 700 "$IMG"
	run --separate-stderr restore_ctr "$CID"
	assert_one_line_error
	assert_contains "$stderr" "needs the image directory searchable by others"
	[ ! -e "$ROOT/$CID" ]
}

@test "checkpoint --lazy-pages --page-server --status-fd, criu lazy-pages, restore --lazy-pages: the counter goes on (runc's lazy migration)" {
	start_counter
	wait_count_above 2
	port=$((27000 + RANDOM % 1000))
	mkfifo "$TESTDIR/status"
	# the dump serves the pages and returns once they are all fetched
	rt checkpoint --lazy-pages --page-server "127.0.0.1:$port" --status-fd 3 --image-path "$IMG" "$CID" \
		3>"$TESTDIR/status" </dev/null >"$TESTDIR/ckpt.out" 2>&1 &
	ckpt=$!
	# \0 once it serves them
	run -0 head -c 1 "$TESTDIR/status"
	mkdir "$TESTDIR/work"
	# restore --lazy-pages without the daemon: one line saying so
	run --separate-stderr restore_ctr --lazy-pages --work-path "$TESTDIR/work" "${CID}b"
	assert_one_line_error
	assert_contains "$stderr" "no criu lazy-pages daemon"
	[ ! -e "$ROOT/${CID}b" ]
	(cd "$TESTDIR/work" && criu lazy-pages --page-server --address 127.0.0.1 --port "$port" \
		--images-dir "$IMG" --work-dir "$TESTDIR/work" </dev/null >/dev/null 2>&1 &)
	for ((i = 0; i < 100; i++)); do [ -S "$TESTDIR/work/lazy-pages.socket" ] && break; sleep 0.1; done
	c1="$(count)"
	run -0 restore_ctr --lazy-pages --work-path "$TESTDIR/work" "${CID}b"
	assert_eq "$(status_of "${CID}b")" running
	wait_count_above "$c1"
	# the dump is done once the pages are fetched: the first container goes
	rc=0
	wait "$ckpt" || rc=$?
	cat "$TESTDIR/ckpt.out"
	assert_eq "$rc" 0
	run ! rt state "$CID"
	run -0 rt delete --force "${CID}b"
}

@test "restore killed once criu is done (restore-criu-done): the restored processes sit in the recorded cgroup, delete --force removes all" {
	start_counter
	wait_count_above 2
	run -0 rt checkpoint --image-path "$IMG" "$CID"
	SKIFF_FAULT=restore-criu-done run -137 rt restore -d --bundle "$BUNDLE" --image-path "$IMG" "$CID" </dev/null >/dev/null 2>&1
	[ ! -e "$ROOT/$CID/state.json" ]
	grep -q '^owned 1$' "$ROOT/$CID/cgroup"
	# the restored counter runs
	c1="$(count)"
	wait_count_above "$c1"
	[ -n "$(_ctr_pids)" ]
	run -0 rt delete --force "$CID"
	[ ! -e "$ROOT/$CID" ]
	assert_eq "$(_ctr_pids)" ""
	assert_eq "$(_ctr_cgroups)" ""
	run ! grep -F "$ROOT/$CID" /proc/self/mountinfo
}
