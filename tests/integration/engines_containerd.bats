#!/usr/bin/env bats
# containerd (its runc v2 shim, `ctr run --runc-binary <skiff>`) driving
# skiff, end to end.  The daemon is started here with a private config
# (no CRI, no other snapshotters), root, state and sockets under this
# file's temporary directory, and stopped in teardown_file.  The image is
# the busybox rootfs imported by podman, saved with `podman save --format
# oci-archive` and loaded with `ctr images import`: nothing is pulled.

load helpers

NS=skifftest
IMG=localhost/skiff-busybox:latest

setup_file() {
	command -v containerd >/dev/null && command -v ctr >/dev/null &&
		command -v containerd-shim-runc-v2 >/dev/null ||
		skip "needs containerd (tools/deps.sh installs it)"
	command -v podman >/dev/null || skip "needs podman to build the image"
	export C="$BATS_FILE_TMPDIR/ctrd"
	mkdir -p "$C/root" "$C/state" "$C/runc" "$C/pm"
	[ -e /var/lib/containers ] || touch "$C/made-var-lib-containers"
	# what containerd and ctr make outside their own directories: the
	# shim sockets and ctr's fifos live below /run/containerd
	[ -e /run/containerd ] || touch "$C/made-run-containerd"
	cat >"$C/config.toml" <<EOC
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$C/containerd.sock"
[ttrpc]
  address = "$C/containerd.sock.ttrpc"
[debug]
  address = "$C/debug.sock"
[metrics]
  address = ""
EOC
	containerd --config "$C/config.toml" >"$C/containerd.log" 2>&1 &
	echo $! >"$C/containerd.pid"
	local i
	for i in $(seq 200); do
		[ -S "$C/containerd.sock" ] && ctr -a "$C/containerd.sock" version >/dev/null 2>&1 && break
		sleep 0.05
	done
	ctr -a "$C/containerd.sock" version >/dev/null || { cat "$C/containerd.log" >&2; return 1; }
	# the image: rootfs -> podman import -> podman save oci-archive -> ctr import
	local rootfs pmc
	rootfs="$(_rootfs_template)"
	tar -C "$rootfs" -cf "$C/rootfs.tar" .
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s/run"\ngraphroot = "%s/root"\n' "$C/pm" "$C/pm" >"$C/pm/storage.conf"
	pmc=(env CONTAINERS_STORAGE_CONF="$C/pm/storage.conf" podman --root "$C/pm/root" --runroot "$C/pm/run"
		--tmpdir "$C/pm/tmp" --storage-driver vfs --events-backend file)
	"${pmc[@]}" import --change CMD=/bin/sh "$C/rootfs.tar" "$IMG" >/dev/null
	"${pmc[@]}" save --format oci-archive -o "$C/image.tar" "$IMG" >/dev/null
	"${pmc[@]}" rmi -af >/dev/null 2>&1 || true
	rm -rf "$C/pm"
	c images import --snapshotter native --all-platforms "$C/image.tar" >/dev/null
	c images ls -q | grep -qx "$IMG" || { c images ls >&2; return 1; }
}

teardown_file() {
	[ -n "${C:-}" ] && [ -d "$C" ] || return 0
	local t pid h
	if [ -S "$C/containerd.sock" ]; then
		for t in $(c task ls -q 2>/dev/null); do c task kill -a -s KILL "$t" >/dev/null 2>&1; done
		sleep 0.2
		for t in $(c task ls -q 2>/dev/null); do c task delete -f "$t" >/dev/null 2>&1; done
		for t in $(c containers ls -q 2>/dev/null); do c containers delete "$t" >/dev/null 2>&1; done
		c images rm "$IMG" >/dev/null 2>&1 || true
	fi
	pid="$(cat "$C/containerd.pid" 2>/dev/null)"
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# shims of this daemon, if any outlived it
	for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $C/" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
	for h in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		[ -d "$h/$NS" ] && find "$h/$NS" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	grep -F "$C" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	[ -e "$C/made-run-containerd" ] && rm -rf /run/containerd
	[ -e "$C/made-var-lib-containers" ] && rm -rf /var/lib/containers
	rm -rf "$C"
}

c() {
	timeout -k 5 60 ctr -a "$C/containerd.sock" -n "$NS" "$@"
}

# ctr run with skiff as the runtime binary and its state under $C/runc
crun_() {
	c run --snapshotter native --runc-binary "$SKIFF" --runc-root "$C/runc" "$@"
}

# skiff's view of a task (the shim runs skiff with --root $C/runc/$NS)
sk() {
	timeout 10 "$SKIFF" --root "$C/runc/$NS" "$@"
}

HOLD='mkfifo /hold; exec cat /hold'

has_cmd() { "$SKIFF" --help 2>&1 | grep -qE "^  $1 "; }

@test "containerd: ctr run --rm prints the output and passes exit codes through" {
	run -0 crun_ --rm "$IMG" crt1 echo hello-containerd
	assert_contains "$output" hello-containerd
	run -3 crun_ --rm "$IMG" crt2 sh -c 'exit 3'
	run -0 c containers ls -q
	assert_eq "$output" ""
}

@test "containerd: ctr run -t under script(1)" {
	run -5 script -qec "ctr -a $C/containerd.sock -n $NS run --snapshotter native --runc-binary $SKIFF --runc-root $C/runc --rm -t $IMG crt3 sh -c 'tty; [ -t 0 ] && echo on-a-tty; exit 5'" /dev/null </dev/null
	assert_contains "$output" /dev/
	assert_contains "$output" on-a-tty
}

@test "containerd: run -d, task exec (with and without -t), ps, pause/resume, kill, kill --all, delete" {
	run -0 crun_ -d "$IMG" crt4 sh -c "$HOLD"
	run -0 sk state crt4
	assert_eq "$(jq -r .status <<<"$output")" running
	run -0 c task ls
	assert_contains "$output" RUNNING

	run -0 c task exec --exec-id e1 crt4 sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_contains "$output" in-exec
	assert_contains "$output" "cat /hold"
	run -7 c task exec --exec-id e2 crt4 sh -c 'exit 7'
	run -0 script -qec "ctr -a $C/containerd.sock -n $NS task exec -t --exec-id e3 crt4 sh -c 'tty; [ -t 0 ] && echo exec-on-a-tty'" /dev/null </dev/null
	assert_contains "$output" /dev/pts/
	assert_contains "$output" exec-on-a-tty

	# a second process, for ps and kill --all
	c task exec -d --exec-id bg crt4 sh -c "exec cat /hold" </dev/null >/dev/null 2>&1 || true
	sleep 0.3
	run -0 c task ps crt4
	[ "$(grep -cE '^[0-9]+' <<<"$output")" -ge 2 ]
	run -0 sk ps --format json crt4
	[ "$(jq length <<<"$output")" -ge 2 ]

	if has_cmd pause; then
		run -0 c task pause crt4
		run -0 sk state crt4
		assert_eq "$(jq -r .status <<<"$output")" paused
		run -0 c task ls
		assert_contains "$output" PAUSED
		run -0 c task resume crt4
		run -0 sk state crt4
		assert_eq "$(jq -r .status <<<"$output")" running
	fi

	# every process of the task
	run -0 c task kill -a -s KILL crt4
	for _ in $(seq 100); do c task ls | grep -q STOPPED && break; sleep 0.05; done
	run -0 c task ls
	assert_contains "$output" STOPPED
	run -0 sk state crt4
	assert_eq "$(jq -r .status <<<"$output")" stopped
	run -0 c task delete crt4
	run ! sk state crt4
	run -0 c containers delete crt4
}

@test "containerd: task kill of the init alone" {
	run -0 crun_ -d "$IMG" crt5 sh -c "trap 'exit 9' TERM; $HOLD & wait"
	sleep 0.3
	run -0 c task kill -s TERM crt5
	for _ in $(seq 100); do c task ls | grep -q STOPPED && break; sleep 0.05; done
	run -0 c task ls
	assert_contains "$output" STOPPED
	run -0 c task delete crt5
	assert_contains "$output" 9
	run -0 c containers delete crt5
}

@test "containerd: a bad cwd or a missing binary shows skiff's one-line error" {
	run ! crun_ --rm --cwd /etc/passwd "$IMG" crt6 true
	assert_contains "$output" "process.cwd /etc/passwd: not a directory"
	c containers delete crt6 >/dev/null 2>&1 || true
	run ! crun_ --rm "$IMG" crt7 /no/such/binary
	assert_contains "$output" 'exec: "/no/such/binary": stat /no/such/binary: no such file or directory'
	c containers delete crt7 >/dev/null 2>&1 || true
	run -0 c task ls -q
	assert_eq "$output" ""
}
