#!/usr/bin/env bats
# buildah (Debian's 1.28) driving skiff with isolation oci: `buildah bud`
# of a Containerfile with RUN steps and `buildah run`.  Everything buildah
# keeps (storage, run root, tmp) lives under $BATS_FILE_TMPDIR, with a
# CONTAINERS_CONF of this file's (root here lacks CAP_SYS_RESOURCE: lower
# default ulimits) and networking `none`.  skiff is called through a
# wrapper that records each call.  The base image is the busybox rootfs
# made by tests/tools/mkimage.sh, pulled from that docker-archive file:
# nothing comes from a registry.

load helpers
source "$REPO_ROOT/tests/tools/engines.sh"

BASE=docker.io/library/skiff-busybox:1

setup_file() {
	command -v buildah >/dev/null || skip "needs buildah (tools/deps.sh installs it)"
	export B="$BATS_FILE_TMPDIR/buildah"
	mkdir -p "$B/root" "$B/runroot" "$B/tmp" "$B/skiff-state" "$B/ctx"
	[ -e /var/lib/containers ] || touch "$B/made-var-lib-containers"
	printf '#!/bin/sh\necho "$*" >>%q\nexec %q --root %q "$@"\n' "$B/skiff-calls" "$SKIFF" "$B/skiff-state" >"$B/skiff"
	chmod +x "$B/skiff"
	cat >"$B/containers.conf" <<EOC
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$B/events.log"
tmp_dir = "$B/tmp"
runtime = "skiff"
[engine.runtimes]
skiff = ["$B/skiff"]
EOC
	cat >"$B/storage.conf" <<EOC
[storage]
driver = "vfs"
runroot = "$B/runroot"
graphroot = "$B/root"
EOC
	bash "$REPO_ROOT/tests/tools/mkimage.sh" "$(_rootfs_template)" "$BASE" "$B/busybox.tar" sh
	bh pull -q "docker-archive:$B/busybox.tar" >/dev/null
}

teardown_file() {
	[ -n "${B:-}" ] && [ -d "$B" ] || return 0
	bh rm -a >/dev/null 2>&1 || true
	bh rmi -af >/dev/null 2>&1 || true
	eng_leftovers "$B" ""
	[ -e "$B/made-var-lib-containers" ] && rm -rf /var/lib/containers
	rm -rf "$B"
}

bh() {
	CONTAINERS_CONF="$B/containers.conf" CONTAINERS_STORAGE_CONF="$B/storage.conf" TMPDIR="$B/tmp" \
		timeout -k 5 120 buildah --root "$B/root" --runroot "$B/runroot" --storage-driver vfs "$@"
}

@test "buildah: bud --runtime skiff runs the Containerfile's RUN steps with skiff" {
	cat >"$B/ctx/Containerfile" <<EOF
FROM $BASE
RUN echo built-by-run >/built
RUN test -s /built && echo second-step
CMD ["cat", "/built"]
EOF
	: >"$B/skiff-calls"
	run -0 bh bud --pull-never --isolation oci --runtime "$B/skiff" --network none \
		--ulimit nofile=20000:20000 --ulimit nproc=32768:32768 -t localhost/skiff-built:1 "$B/ctx"
	assert_contains "$output" second-step
	# each RUN step a container of skiff's
	[ "$(grep -cE '(^| )(run|create) ' "$B/skiff-calls")" -ge 2 ] || { cat "$B/skiff-calls" >&2; return 1; }
	run -0 bh from --pull-never --name built localhost/skiff-built:1
	run -0 bh run --isolation oci --runtime "$B/skiff" --network none built -- cat /built
	assert_eq "$output" built-by-run
	run -0 bh rm built
	run -0 bh rmi localhost/skiff-built:1
}

@test "buildah: run --runtime skiff --isolation oci: output, exit codes, a terminal" {
	run -0 bh from --pull-never --name wc "$BASE"
	: >"$B/skiff-calls"
	run -0 bh run --isolation oci --runtime "$B/skiff" --network none wc -- sh -c 'echo hello-buildah; id -u'
	assert_eq "$output" $'hello-buildah\n0'
	grep -qE '(^| )(run|create) ' "$B/skiff-calls"
	run -3 bh run --isolation oci --runtime "$B/skiff" --network none wc -- sh -c 'exit 3'
	run -0 bh run --isolation oci --runtime "$B/skiff" --network none --user 1000:1000 --workingdir /tmp wc -- sh -c 'id -u; pwd'
	assert_eq "$output" $'1000\n/tmp'
	run -0 script -qec "CONTAINERS_CONF=$B/containers.conf CONTAINERS_STORAGE_CONF=$B/storage.conf buildah --root $B/root --runroot $B/runroot --storage-driver vfs run -t --isolation oci --runtime $B/skiff --network none wc -- sh -c 'tty; [ -t 0 ] && echo on-a-tty'" /dev/null </dev/null
	assert_contains "$output" /dev/pts/
	assert_contains "$output" on-a-tty
	run -0 bh rm wc
}

@test "buildah: a missing binary, a bad cwd, a seccomp profile denying execve show skiff's error" {
	run -0 bh from --pull-never --name we "$BASE"
	run ! bh run --isolation oci --runtime "$B/skiff" --network none we -- /no/such/binary
	assert_contains "$output" 'skiff: exec: "/no/such/binary": stat /no/such/binary: no such file or directory'
	run ! bh run --isolation oci --runtime "$B/skiff" --network none --workingdir /etc/passwd we -- true
	assert_contains "$output" 'skiff: process.cwd /etc/passwd: not a directory'
	jq -n '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["execve", "execveat"], action: "SCMP_ACT_ERRNO"}]}' >"$B/noexec.json"
	run -0 bh rm we
	# (buildah takes the profile at `from`, for the working container)
	run -0 bh from --pull-never --security-opt "seccomp=$B/noexec.json" --name wn "$BASE"
	run ! bh run --isolation oci --runtime "$B/skiff" --network none wn -- true
	assert_contains "$output" 'skiff: exec /bin/true: operation not permitted'
	run -0 bh rm wn
	# no container left in skiff's state (its seccomp cache aside)
	assert_eq "$(ls "$B/skiff-state")" ""
}
