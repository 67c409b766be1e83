#!/usr/bin/env bats
# Docker (docker.io 20.10: dockerd, its own containerd and the runc v2
# shim) driving skiff, end to end.  dockerd is this file's own: data root,
# exec root, pidfile, socket and config under $BATS_FILE_TMPDIR, started in
# a network namespace of its own with iptables, the bridge, IP forwarding
# and masquerading off (it touches no host network setting), cgroupfs below
# the run's own cgroup.  skiff is registered as the runtime `skiff` and is
# the default runtime (daemon.json), so `docker build`'s RUN steps run with
# it too; runc stays registered (`--runtime runc`) as the control.  skiff
# is called through a wrapper that records each call, which shows the
# runtime was skiff.  The image is the busybox rootfs made by
# tests/tools/mkimage.sh and loaded with `docker load`: nothing is pulled.

load helpers
source "$REPO_ROOT/tests/tools/engines.sh"

IMG=skiff-busybox:1
DOCKER=/usr/bin/docker

setup_file() {
	command -v dockerd >/dev/null && [ -x "$DOCKER" ] || skip "needs docker.io (tools/deps.sh installs it)"
	export D="$BATS_FILE_TMPDIR/docker"
	mkdir -p "$D"
	[ -e /etc/docker ] || touch "$D/made-etc-docker"
	export DOCKER_CG="skiffdocker$$"
	# skiff, each call recorded
	printf '#!/bin/sh\necho "$*" >>%q\nexec %q "$@"\n' "$D/skiff-calls" "$SKIFF" >"$D/skiff"
	chmod +x "$D/skiff"
	eng_dockerd_start "$D" "$DOCKER_CG" skiff="$D/skiff" runc="$(command -v runc)"
	bash "$REPO_ROOT/tests/tools/mkimage.sh" "$(_rootfs_template)" "$IMG" "$D/busybox.tar" sh
	dk load -i "$D/busybox.tar" >/dev/null
	jq -n '{defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: ["execve", "execveat"], action: "SCMP_ACT_ERRNO"}]}' >"$D/noexec.json"
}

teardown_file() {
	[ -n "${D:-}" ] && [ -d "$D" ] || return 0
	if [ -S "$D/docker.sock" ]; then
		dk rm -f $(dk ps -aq 2>/dev/null) >/dev/null 2>&1 || true
		dk system prune -af >/dev/null 2>&1 || true
	fi
	eng_dockerd_stop "$D" "$DOCKER_CG"
	[ -e "$D/made-etc-docker" ] && rm -rf /etc/docker
	rm -rf "$D"
}

dk() {
	DOCKER_CONFIG="$D/cfg" timeout -k 5 120 "$DOCKER" -H "unix://$D/docker.sock" "$@"
}

dk_cmd() {
	printf 'DOCKER_CONFIG=%q %q -H %q' "$D/cfg" "$DOCKER" "unix://$D/docker.sock"
}

# skiff's view of a docker container (with the --root the shim gives it)
sk() {
	local root
	root="$(sed -n 's/.*--root \([^ ]*\) .*/\1/p' "$D/skiff-calls" | tail -1)"
	timeout 10 "$SKIFF" --root "${root:?no --root in the calls}" "$@"
}

HOLD='mkfifo /hold; exec cat /hold'

@test "docker: run --runtime skiff prints the output, passes exit codes; runc beside it" {
	run -0 dk run --rm --runtime skiff --network none "$IMG" echo hello-docker
	assert_contains "$output" hello-docker
	grep -q '^.*create .*--bundle' "$D/skiff-calls"
	run -3 dk run --rm --runtime skiff --network none "$IMG" sh -c 'exit 3'
	# the default runtime is skiff
	: >"$D/skiff-calls"
	run -0 dk run --rm --network none "$IMG" true
	grep -q 'create ' "$D/skiff-calls"
	# runc, the control
	: >"$D/skiff-calls"
	run -4 dk run --rm --runtime runc --network none "$IMG" sh -c 'echo hello-runc; exit 4'
	assert_contains "$output" hello-runc
	assert_eq "$(cat "$D/skiff-calls")" ""
	run -0 dk ps -aq
	assert_eq "$output" ""
}

@test "docker: run -it under script(1) is interactive and passes the exit code" {
	run -4 script -qec "$(dk_cmd) run --rm -it --runtime skiff --network none $IMG sh" /dev/null <<<'tty; echo it-$((2+3)); exit 4'
	assert_contains "$output" /dev/pts/
	assert_contains "$output" it-5
}

@test "docker: run -d, logs, exec, top, stats, pause/unpause, stop" {
	run -0 dk run -d --runtime skiff --network none --name skd "$IMG" sh -c "echo started-log; $HOLD"
	cid="$output"
	run -0 sk state "$cid"
	assert_eq "$(jq -r .status <<<"$output")" running
	for _ in $(seq 50); do dk logs skd 2>&1 | grep -q started-log && break; sleep 0.1; done
	run -0 dk logs skd
	assert_contains "$output" started-log
	run -0 dk exec skd sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_contains "$output" in-exec
	assert_contains "$output" "cat /hold"
	run -6 dk exec skd sh -c 'exit 6'
	run -0 dk exec -u 1000 -w /tmp -e FOO=bar skd sh -c 'echo $FOO; pwd; id -u'
	assert_contains "$output" $'bar\n/tmp\n1000'
	run -0 dk top skd
	assert_contains "$output" "cat /hold"
	run -0 dk stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' skd
	[[ $output =~ ^skd\ [0-9.]+[KMG]i?B\ /\ .*\ 1$ ]] || { echo "stats: $output" >&2; return 1; }
	run -0 dk pause skd
	run -0 sk state "$cid"
	assert_eq "$(jq -r .status <<<"$output")" paused
	run -0 dk inspect --format '{{.State.Status}}' skd
	assert_eq "$output" paused
	run -0 dk unpause skd
	run -0 sk state "$cid"
	assert_eq "$(jq -r .status <<<"$output")" running
	# `cat` as PID 1 ignores SIGTERM: stop kills it after 1 s
	run -0 dk stop -t 1 skd
	run -0 dk inspect --format '{{.State.Status}} {{.State.ExitCode}}' skd
	assert_eq "$output" "exited 137"
	run -0 dk rm skd
	run ! sk state "$cid"
}

@test "docker: --memory, --pids-limit, --cpus, --read-only, --cap-drop, --user seen from inside" {
	run -0 dk run --rm --runtime skiff --network none --memory 64m --pids-limit 77 --cpus 0.5 \
		"$IMG" sh -c 'if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
			cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
		else
			cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max \
				/sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us
		fi'
	if [ "$(wc -l <<<"$output")" -eq 4 ]; then
		assert_eq "$output" $'67108864\n77\n50000\n100000'
	else
		assert_eq "$output" $'67108864\n77\n50000 100000'
	fi
	run -0 dk run --rm --runtime skiff --network none --read-only "$IMG" sh -c 'touch /x 2>&1; echo rc=$?'
	assert_contains "$output" "Read-only file system"
	assert_contains "$output" rc=1
	run -0 dk run --rm --runtime skiff --network none --cap-drop ALL --cap-add CHOWN "$IMG" \
		sh -c 'grep CapEff /proc/self/status'
	assert_contains "$output" 0000000000000001
	run -0 dk run --rm --runtime skiff --network none --user 1000:1001 "$IMG" sh -c 'id -u; id -g'
	assert_eq "$output" $'1000\n1001'
}

@test "docker: --init runs docker-init as PID 1, the command below it" {
	run -0 dk run --rm --runtime skiff --network none --init "$IMG" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $$'
	assert_contains "$output" "/sbin/docker-init -- sh -c"
	[ "$(tail -1 <<<"$output")" -ne 1 ]
}

@test "docker: build runs the Dockerfile's RUN steps with skiff" {
	mkdir -p "$D/ctx"
	cat >"$D/ctx/Dockerfile" <<EOF
FROM $IMG
RUN echo built-by-run >/built && cat /proc/1/cmdline | tr '\0' ' ' >/run-cmd
RUN test -s /built
CMD ["cat", "/built"]
EOF
	: >"$D/skiff-calls"
	run -0 env DOCKER_BUILDKIT=0 DOCKER_CONFIG="$D/cfg" timeout -k 5 120 "$DOCKER" -H "unix://$D/docker.sock" \
		build --network none -t skiff-built:1 "$D/ctx"
	# one container per RUN step, each created and started by skiff
	[ "$(grep -c '^.* create .*--bundle' "$D/skiff-calls")" -eq 2 ]
	[ "$(grep -c '^.* start ' "$D/skiff-calls")" -eq 2 ]
	run -0 dk run --rm --network none skiff-built:1
	assert_eq "$output" built-by-run
	run -0 dk run --rm --network none skiff-built:1 cat /run-cmd
	assert_contains "$output" "echo built-by-run"
	dk rmi skiff-built:1 >/dev/null
}

@test "docker: a missing binary, a seccomp profile denying execve show skiff's error" {
	# docker turns a runtime error into 127 only when it reads the lowercase
	# "no such file or directory" of runc's (Go's) wording, which skiff prints
	# as runc does
	run -127 dk run --rm --runtime skiff --network none "$IMG" /no/such/binary
	assert_contains "$output" 'exec: "/no/such/binary": stat /no/such/binary: no such file or directory'
	run -127 dk run --rm --runtime runc --network none "$IMG" /no/such/binary
	assert_contains "$output" 'stat /no/such/binary: no such file or directory'
	# (no bad cwd here: docker makes the working directory itself, a file
	# there stops docker before the runtime: "Cannot mkdir: ... is not a directory")
	run ! dk run --rm --runtime skiff --network none --security-opt "seccomp=$D/noexec.json" "$IMG" true
	assert_contains "$output" 'skiff: exec /bin/true: operation not permitted'
	run -0 dk ps -aq
	assert_eq "$output" ""
}

# Docker 20.10 sends "blockIO": {"weight": 0} with every container; on a
# cgroup v2 host skiff took it for a weight out of range and no `docker
# run` started (found by bench/engines.sh with /sys/fs/cgroup a cgroup2
# mount).  0 is "unset", as runc and skiff's v1 driver take it.
@test "docker's blockIO.weight 0 on a cgroup v2 host is no weight, as with runc" {
	# what `docker run` gives the runtime (the field of its config.json)
	update_config '.linux.resources = {"blockIO": {"weight": 0}}'
	on_v2() {
		unshare --mount --propagation private -- sh -c 'umount -l /sys/fs/cgroup 2>/dev/null
			mount -t cgroup2 none /sys/fs/cgroup && exec timeout 20 "$0" --root "$1" run --bundle "$2" "$3"' \
			"$SKIFF" "$ROOT" "$BUNDLE" "$CID" </dev/null
	}
	run -0 on_v2
	# a weight out of 10..1000 is still refused, before anything is made
	update_config '.linux.resources = {"blockIO": {"weight": 5}}'
	run ! on_v2
	assert_contains "$output" "linux.resources.blockIO.weight: 5 is not in 10..1000"
}
