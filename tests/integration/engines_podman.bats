#!/usr/bin/env bats
# podman (with conmon) driving skiff, end to end.  Everything podman keeps
# lives under this file's temporary directory (storage, run root, tmp,
# events, skiff's --root through a wrapper), networking is `none` (no
# bridges, no iptables) and the image is the busybox rootfs imported with
# `podman import`: nothing is pulled.  teardown_file removes the
# containers, conmon, podman's cgroups and the storage.

load helpers
source "$REPO_ROOT/tests/tools/engines.sh"

setup_file() {
	command -v podman >/dev/null && command -v conmon >/dev/null ||
		skip "needs podman and conmon (tools/deps.sh installs them)"
	export P="$BATS_FILE_TMPDIR/podman"
	mkdir -p "$P/skiff-state"
	# skiff with its state under $P (podman passes no --root)
	printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$SKIFF" "$P/skiff-state" >"$P/skiff"
	chmod +x "$P/skiff"
	eng_podman_setup "$P" skiff="$P/skiff"
	local rootfs
	rootfs="$(_rootfs_template)"
	tar -C "$rootfs" -cf "$P/rootfs.tar" .
	pm import --change CMD=/bin/sh "$P/rootfs.tar" localhost/skiff-busybox:latest >/dev/null
}

teardown_file() {
	[ -n "${P:-}" ] && [ -d "$P" ] || return 0
	eng_podman_stop "$P"
	rm -rf "$P"
}

pm() { eng_podman "$P" "$@"; }

# the podman command line as one string, for script(1)
pm_cmd() { eng_podman_cmd "$P"; }

IMG=localhost/skiff-busybox
HOLD='mkfifo /hold; exec cat /hold'

has_cmd() { "$SKIFF" --help 2>&1 | grep -qE "^  $1 "; }

@test "podman: run --rm prints the output and passes exit codes through" {
	run -0 pm run --rm --network none "$IMG" echo hello-podman
	assert_contains "$output" hello-podman
	run -3 pm run --rm --network none "$IMG" sh -c 'exit 3'
	run -0 pm ps -aq
	assert_eq "$output" ""
}

@test "podman: run -d, exec, exec -t, stop, rm" {
	run -0 pm run -d --network none --name skd "$IMG" sh -c "$HOLD"
	cid="$output"
	run -0 pm inspect --format '{{.State.Status}}' skd
	assert_eq "$output" running
	run -0 "$P/skiff" state "$cid"
	assert_eq "$(jq -r .status <<<"$output")" running
	run -0 pm exec skd sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_contains "$output" in-exec
	assert_contains "$output" "cat /hold"
	run -6 pm exec skd sh -c 'exit 6'
	run -0 pm exec -e FOO=bar -w /tmp -u 1000 skd sh -c 'echo $FOO; pwd; id -u'
	assert_contains "$output" $'bar\n/tmp\n1000'
	run -0 script -qec "$(pm_cmd) exec -t skd sh -c 'tty; [ -t 0 ] && echo on-a-tty'" /dev/null </dev/null
	assert_contains "$output" /dev/pts/
	assert_contains "$output" on-a-tty
	run -0 pm stop -t 1 skd
	run -0 pm inspect --format '{{.State.Status}}' skd
	assert_eq "$output" exited
	run -0 pm rm skd
	run ! "$P/skiff" state "$cid"
}

@test "podman: run -it under script(1) is interactive and passes the exit code" {
	run -4 script -qec "$(pm_cmd) run --rm -it --network none $IMG sh" /dev/null <<<'echo it-$((2+3)); exit 4'
	assert_contains "$output" it-5
}

@test "podman: pause and unpause" {
	has_cmd pause || skip "needs skiff pause (cgroups issue)"
	run -0 pm run -d --network none --name skp "$IMG" sh -c "$HOLD"
	run -0 pm pause skp
	run -0 pm inspect --format '{{.State.Status}}' skp
	assert_eq "$output" paused
	run -0 pm unpause skp
	run -0 pm inspect --format '{{.State.Status}}' skp
	assert_eq "$output" running
	run -0 pm exec skp true
	run -0 pm rm -f -t 0 skp
}

@test "podman: --memory and --pids-limit reach the container's cgroup" {
	run -0 pm run -d --network none --name skm --memory 64m --pids-limit 77 "$IMG" sh -c "$HOLD"
	run -0 pm inspect --format '{{.State.Pid}}' skm
	pid="$output"
	mem="$(awk -F: '$2 == "memory" { print $3 }' /proc/$pid/cgroup)"
	pids="$(awk -F: '$2 == "pids" { print $3 }' /proc/$pid/cgroup)"
	v2="$(awk -F: '$1 == "0" { print $3 }' /proc/$pid/cgroup)"
	if [ -n "$mem" ]; then
		assert_eq "$(cat "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes")" $((64 << 20))
		assert_eq "$(cat "/sys/fs/cgroup/pids$pids/pids.max")" 77
	else
		root="$(findmnt -rn -t cgroup2 -o TARGET | head -1)"
		assert_eq "$(cat "$root$v2/memory.max")" $((64 << 20))
		assert_eq "$(cat "$root$v2/pids.max")" 77
	fi
	run -0 pm rm -f -t 0 skm
}

@test "podman: --sdnotify=container: the service's READY=1 reaches podman's NOTIFY_SOCKET" {
	cc -static -O2 -o "$P/sd-notify" "$REPO_ROOT/tests/tools/sd_notify.c" 2>/dev/null ||
		skip "needs a C compiler with static libc"
	rm -rf "$P/nrootfs"
	cp -a "$(_rootfs_template)" "$P/nrootfs"
	cp "$P/sd-notify" "$P/nrootfs/bin/"
	tar -C "$P/nrootfs" -cf "$P/nrootfs.tar" .
	pm import --change CMD=/bin/sh "$P/nrootfs.tar" localhost/skiff-notify:latest >/dev/null
	python3 - "$P/host.sock" "$P/notified" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".up", "w").close()
s.settimeout(60)
out = open(sys.argv[2], "ab", buffering=0)
while b"READY=1" not in open(sys.argv[2], "rb").read():
    out.write(s.recv(4096) + b"\n")
PY
	lpid=$!
	for _ in $(seq 200); do [ -e "$P/host.sock.up" ] && break; sleep 0.02; done
	NOTIFY_SOCKET="$P/host.sock" run -0 pm run -d --network none --name skn --sdnotify=container \
		localhost/skiff-notify sh -c 'sleep 0.3; sd-notify READY=1; mkfifo /hold; exec cat /hold'
	wait "$lpid"
	assert_contains "$(cat "$P/notified")" READY=1
	assert_contains "$(cat "$P/notified")" MAINPID=
	run -0 pm rm -f -t 0 skn
	pm rmi localhost/skiff-notify >/dev/null
}

@test "podman: a missing binary shows skiff's one-line error" {
	run -127 pm run --rm --network none "$IMG" /no/such/binary
	assert_contains "$output" 'skiff: exec: "/no/such/binary"'
	run -127 pm run --rm --network none "$IMG" no-such-command
	assert_contains "$output" 'skiff: exec: "no-such-command": executable file not found in $PATH'
	run -0 pm ps -aq
	assert_eq "$output" ""
}
