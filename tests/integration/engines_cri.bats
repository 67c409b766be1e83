#!/usr/bin/env bats
# Kubernetes' runtime path: containerd's CRI plugin (what the kubelet
# calls) with a runtime handler `skiff` (io.containerd.runc.v2, options
# BinaryName = skiff), driven through gRPC by tests/integration/cri/cri.py
# (a minimal CRI v1 client: no crictl here).  Every test runs with the
# handler `skiff` and again with `runc`, the control.
#
# The daemon is this file's own: config, root, state, sockets and the
# runtimes' --root under $BATS_FILE_TMPDIR, started in a network namespace
# of its own (so the CNI bridge, the pods' veths and the streaming server
# live only there), CNI from containernetworking-plugins (bridge +
# host-local, loopback) with a private IPAM directory and the pods' network
# namespaces under containerd's state (netns_mounts_under_state_dir).  The
# images (a pause image of tests/tools/pause.c and busybox) are built by
# tests/tools/mkimage.sh and imported with `ctr images import`: nothing is
# pulled.  teardown_file stops the daemon and checks nothing is left.

load helpers
source "$REPO_ROOT/tests/tools/engines.sh"

NS=k8s.io
PAUSE=docker.io/library/skiff-pause:1
BB=docker.io/library/skiff-busybox:1
PY=/usr/bin/python3

setup_file() {
	command -v containerd >/dev/null && command -v ctr >/dev/null &&
		command -v containerd-shim-runc-v2 >/dev/null ||
		skip "needs containerd (tools/deps.sh installs it)"
	[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] ||
		skip "needs containernetworking-plugins"
	$PY -c 'import grpc, grpc_tools' 2>/dev/null || skip "needs python3-grpcio and python3-grpc-tools"
	export C="$BATS_FILE_TMPDIR/cri"
	mkdir -p "$C/logs" "$C/img/pause"
	export CRI_DESCRIPTORS="$C/api.pb"
	# the cgroup every pod goes below (cgroupfs), under the run's own cgroup
	export PODS_CG="skiffcri$$"
	eng_containerd_start "$C" "$PAUSE" skiff="$SKIFF" runc="$(command -v runc)"
	eng_wait cri Version

	# the images
	cc -static -O2 -o "$C/img/pause/pause" "$REPO_ROOT/tests/tools/pause.c"
	ENTRYPOINT=/pause bash "$REPO_ROOT/tests/tools/mkimage.sh" "$C/img/pause" "$PAUSE" "$C/pause.tar"
	bash "$REPO_ROOT/tests/tools/mkimage.sh" "$(_rootfs_template)" "$BB" "$C/busybox.tar" sh
	c images import --snapshotter native "$C/pause.tar" >/dev/null
	c images import --snapshotter native "$C/busybox.tar" >/dev/null
	run -0 cri ListImages
	assert_contains "$output" "$PAUSE"
	assert_contains "$output" "$BB"
	# a seccomp profile that denies execve (item: a failing container)
	jq -n '{defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: ["execve", "execveat"], action: "SCMP_ACT_ERRNO"}]}' >"$C/noexec.json"
}

teardown_file() {
	[ -n "${C:-}" ] && [ -d "$C" ] || return 0
	local p
	if [ -S "$C/containerd.sock" ]; then
		for p in $(cri ListPodSandbox 2>/dev/null | jq -r '.items[].id'); do
			cri StopPodSandbox "{\"pod_sandbox_id\": \"$p\"}" >/dev/null 2>&1
			cri RemovePodSandbox "{\"pod_sandbox_id\": \"$p\"}" >/dev/null 2>&1
		done
		c images rm "$PAUSE" "$BB" >/dev/null 2>&1 || true
	fi
	eng_containerd_stop "$C" "$PODS_CG"
	rm -rf "$C"
}

c() {
	timeout -k 5 60 ctr -a "$C/containerd.sock" -n "$NS" "$@"
}

# cri METHOD [JSON]: one CRI call, the response as JSON
cri() {
	timeout -k 5 90 $PY "$REPO_ROOT/tests/integration/cri/cri.py" "$C/containerd.sock" "$@"
}

# in containerd's network namespace
in_netns() {
	nsenter -t "$(cat "$C/containerd.pid")" -n -- "$@"
}

# a test that failed half way leaves no pod to the next
teardown() {
	if [ -n "${POD:-}" ]; then
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}" >/dev/null 2>&1
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}" >/dev/null 2>&1
	fi
	common_teardown
}

# pod_config HANDLER NAME: a PodSandboxConfig (JSON)
pod_config() {
	jq -cn --arg n "$2" --arg uid "uid-$2-$1" --arg logs "$C/logs/$2-$1" --arg cg "/$PODS_CG/$2-$1" '{
		metadata: {name: $n, uid: $uid, namespace: "skiff-test", attempt: 0},
		hostname: $n, log_directory: $logs,
		linux: {cgroup_parent: $cg, security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}}'
}

# run_pod HANDLER NAME: RunPodSandbox; sets POD (the id) and POD_CONFIG
run_pod() {
	POD_CONFIG="$(pod_config "$1" "$2")"
	POD_CG="$PODS_CG/$2-$1"
	mkdir -p "$C/logs/$2-$1"
	run -0 cri RunPodSandbox "$(jq -cn --argjson c "$POD_CONFIG" --arg h "$1" '{config: $c, runtime_handler: $h}')"
	POD="$(jq -r .pod_sandbox_id <<<"$output")"
	[ -n "$POD" ]
	CTRS=("$POD")
	local ns
	ns="$(pod_netns)"
	[ -n "$ns" ] && [ -e "$ns" ]
	NETNS_BEFORE="$(netns_files | grep -vxF "$ns" || true)"
}

# create_ctr_cri NAME ARGS_JSON [LINUX_JSON [EXTRA_JSON]]: CreateContainer
# in $POD (busybox, `sh -c` of nothing: ARGS_JSON is the command); sets CTR
create_ctr_cri() {
	local req
	req="$(jq -cn --arg p "$POD" --argjson sc "$POD_CONFIG" --arg n "$1" --arg img "$BB" \
		--argjson cmd "$2" --argjson lx "${3:-{\}}" --argjson x "${4:-{\}}" '{
		pod_sandbox_id: $p, sandbox_config: $sc,
		config: ({metadata: {name: $n}, image: {image: $img}, command: $cmd,
			log_path: ($n + ".log"), linux: $lx} + $x)}')"
	run cri CreateContainer "$req"
	[ "$status" -eq 0 ] || return 1
	CTR="$(jq -r .container_id <<<"$output")"
	CTRS+=("$CTR")
}

start_ctr_cri() {
	cri StartContainer "{\"container_id\": \"$1\"}"
}

ctr_status() {
	cri ContainerStatus "{\"container_id\": \"$1\"}" | jq -r "${2:-.status.state}"
}

# exec_sync ID CMD...: ExecSync; sets output (stdout) and status (its exit code)
exec_sync() {
	local id="$1" out cmd a
	shift
	cmd="$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -sc .)"
	out="$(cri ExecSync "$(jq -cn --arg id "$id" --argjson cmd "$cmd" '{container_id: $id, cmd: $cmd, timeout: 30}')")" || return 1
	output="$(jq -r '.stdout' <<<"$out" | base64 -d)"
	status="$(jq -r '.exit_code' <<<"$out")"
	# (shown when the test fails)
	echo "exec $*: $status, stdout: $output, stderr: $(jq -r '.stderr' <<<"$out" | base64 -d)"
}

# wait_exited ID: until the container's state is CONTAINER_EXITED (bounded)
wait_exited() {
	local i
	for i in $(seq 200); do
		[ "$(ctr_status "$1")" = CONTAINER_EXITED ] && return 0
		sleep 0.1
	done
	ctr_status "$1" ''
	return 1
}

netns_files() {
	find "$C/state" -path '*netns*' -type f 2>/dev/null | sort
}

# the network namespace of $POD (from PodSandboxStatus's verbose info)
pod_netns() {
	cri PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\", \"verbose\": true}" |
		jq -r '.info.info | fromjson | .runtimeSpec.linux.namespaces[] | select(.type == "network") | .path'
}

# pod_down: stop and remove $POD and check what it had is gone
pod_down() {
	local h="$1"
	run -0 cri StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
	run -0 cri RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}"
	POD=
	run -0 cri ListPodSandbox "{\"filter\": {\"id\": \"$POD\"}}"
	assert_eq "$(jq '.items | length' <<<"$output")" 0
	run -0 cri ListContainers "{\"filter\": {\"pod_sandbox_id\": \"$POD\"}}"
	assert_eq "$(jq '.containers | length' <<<"$output")" 0
	# nothing in the runtime's state, no network namespace, no veth, no cgroup
	local id
	for id in "${CTRS[@]}"; do
		[ ! -e "$C/rt-$h/$NS/$id" ] || { echo "left in the runtime's state: $id" >&2; return 1; }
	done
	assert_eq "$(netns_files)" "$NETNS_BEFORE"
	run -0 in_netns ip -o link show type veth
	assert_eq "$output" ""
	# the containers' cgroups (the pod's own, its parent, is the kubelet's to remove)
	local hier
	for hier in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		[ -d "$hier/$POD_CG" ] || continue
		assert_eq "$(find "$hier/$POD_CG" -mindepth 1 -type d)" ""
		rmdir "$hier/$POD_CG"
	done
	assert_eq "$(pgrep -f "containerd-shim-runc-v2 .*-id $POD" 2>/dev/null)" ""
}

t_pod() {
	local h="$1" c1 c2 ip
	run_pod "$h" pod
	run -0 cri PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\"}"
	assert_eq "$(jq -r .status.state <<<"$output")" SANDBOX_READY
	assert_eq "$(jq -r .status.runtime_handler <<<"$output")" "$h"
	ip="$(jq -r .status.network.ip <<<"$output")"
	[[ $ip == 192.0.2.* ]] || { echo "pod ip: $ip" >&2; return 1; }
	# the runtime made the sandbox: its state is under the handler's Root
	[ -d "$C/rt-$h/$NS/$POD" ]

	create_ctr_cri c1 '["sh", "-c", "echo hello-log; echo to-stderr >&2; echo ipc-ok >/dev/shm/mark; exec sleep 3600"]'
	c1="$CTR"
	create_ctr_cri c2 '["sleep", "3600"]'
	c2="$CTR"
	run -0 start_ctr_cri "$c1"
	run -0 start_ctr_cri "$c2"
	assert_eq "$(ctr_status "$c1")" CONTAINER_RUNNING
	[ -d "$C/rt-$h/$NS/$c1" ]

	# the pod's address inside, one network and one IPC namespace for both
	exec_sync "$c1" ip -4 -o addr show eth0
	assert_eq "$status" 0
	assert_contains "$output" "inet $ip/24"
	local probe='readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; readlink /proc/self/ns/pid; tr "\0" " " </proc/1/cmdline'
	exec_sync "$c1" sh -c "$probe"
	local ns1="$output"
	[[ $ns1 == net:* ]]
	# not the network namespace of containerd (where the bridge is) nor ours
	[ "$(head -1 <<<"$ns1")" != "$(readlink "/proc/$(cat "$C/containerd.pid")/ns/net")" ]
	[ "$(head -1 <<<"$ns1")" != "$(readlink /proc/self/ns/net)" ]
	exec_sync "$c2" sh -c "$probe"
	assert_eq "$output" "$ns1"
	# and the pod's PID namespace (the CRI's default), the pause program as PID 1
	assert_eq "$(sed -n 4p <<<"$output")" "/pause "
	for _ in $(seq 50); do exec_sync "$c2" cat /dev/shm/mark; [ "$output" = ipc-ok ] && break; sleep 0.1; done
	assert_eq "$output" ipc-ok

	# ExecSync: stdout, stderr and the exit code apart
	run -0 cri ExecSync "$(jq -cn --arg id "$c2" '{container_id: $id, cmd: ["sh", "-c", "echo out; echo err >&2; exit 3"], timeout: 30}')"
	assert_eq "$(jq -r .stdout <<<"$output" | base64 -d)" out
	assert_eq "$(jq -r .stderr <<<"$output" | base64 -d)" err
	assert_eq "$(jq -r .exit_code <<<"$output")" 3

	# Exec: a URL of the streaming server (in containerd's network
	# namespace), the command's output and exit status through it
	run -0 cri Exec "$(jq -cn --arg id "$c2" '{container_id: $id, stdout: true, stderr: true,
		cmd: ["sh", "-c", "echo streamed-out; echo streamed-err >&2; exit 4"]}')"
	local url
	url="$(jq -r .url <<<"$output")"
	[[ $url == http://127.0.0.1:*/exec/* ]]
	run -4 --separate-stderr in_netns timeout 60 $PY "$REPO_ROOT/tests/integration/cri/cri.py" --stream "$url"
	assert_eq "$output" streamed-out
	assert_eq "$stderr" streamed-err

	# the log where the CRI asked, in the CRI log format
	local log="$C/logs/pod-$h/c1.log"
	for _ in $(seq 50); do grep -q to-stderr "$log" 2>/dev/null && break; sleep 0.1; done
	run -0 cat "$log"
	assert_contains "$output" "stdout F hello-log"
	assert_contains "$output" "stderr F to-stderr"
	run -0 cri ContainerStatus "{\"container_id\": \"$c1\"}"
	assert_eq "$(jq -r .status.log_path <<<"$output")" "$log"

	# ContainerStats: memory and CPU from the container's cgroup
	run -0 cri ContainerStats "{\"container_id\": \"$c1\"}"
	[ "$(jq -r .stats.memory.working_set_bytes.value <<<"$output")" -gt 0 ]
	[ "$(jq -r .stats.cpu.usage_core_nano_seconds.value <<<"$output")" -gt 0 ]

	# StopContainer: SIGTERM ends `sleep`
	run -0 cri StopContainer "{\"container_id\": \"$c1\", \"timeout\": 5}"
	assert_eq "$(ctr_status "$c1")" CONTAINER_EXITED
	assert_eq "$(ctr_status "$c1" .status.exit_code)" 143
	# again, on the exited container: still fine
	run -0 cri StopContainer "{\"container_id\": \"$c1\", \"timeout\": 0}"
	run -0 cri RemoveContainer "{\"container_id\": \"$c1\"}"
	[ ! -e "$C/rt-$h/$NS/$c1" ]
	# c2 is left running: StopPodSandbox stops it
	pod_down "$h"
}

t_limits() {
	local h="$1"
	run_pod "$h" lim
	create_ctr_cri c1 '["sleep", "3600"]' \
		'{"resources": {"memory_limit_in_bytes": 67108864, "cpu_shares": 512, "cpu_quota": 50000, "cpu_period": 100000}}'
	run -0 start_ctr_cri "$CTR"
	exec_sync "$CTR" sh -c 'if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max
	else
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares \
			/sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us
	fi'
	assert_eq "$status" 0
	if [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ] || [ "$(wc -l <<<"$output")" -eq 4 ]; then
		assert_eq "$output" $'67108864\n512\n50000\n100000'
	else
		# cpu.weight from shares 512: 1 + (512 - 2) * 9999 / 262142
		assert_eq "$output" $'67108864\n20\n50000 100000'
	fi
	pod_down "$h"
}

t_oom() {
	local h="$1"
	run_pod "$h" oom
	# dd reads into a 256 MiB buffer: the 32 MiB limit kills it
	create_ctr_cri big '["dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=4"]' \
		'{"resources": {"memory_limit_in_bytes": 33554432, "memory_swap_limit_in_bytes": 33554432}}'
	run -0 start_ctr_cri "$CTR"
	wait_exited "$CTR"
	run -0 cri ContainerStatus "{\"container_id\": \"$CTR\"}"
	assert_eq "$(jq -r .status.reason <<<"$output")" OOMKilled
	assert_eq "$(jq -r .status.exit_code <<<"$output")" 137
	# StopContainer of an exited container (kill --all of a stopped one)
	run -0 cri StopContainer "{\"container_id\": \"$CTR\", \"timeout\": 2}"
	run -0 cri RemoveContainer "{\"container_id\": \"$CTR\"}"

	# a container that exits by itself: Completed, its code, Stop works
	create_ctr_cri done '["sh", "-c", "exit 5"]'
	run -0 start_ctr_cri "$CTR"
	wait_exited "$CTR"
	assert_eq "$(ctr_status "$CTR" .status.reason)" Error
	assert_eq "$(ctr_status "$CTR" .status.exit_code)" 5
	run -0 cri StopContainer "{\"container_id\": \"$CTR\", \"timeout\": 2}"
	pod_down "$h"
}

# the runtime's own message, as the CRI caller sees it
t_errors() {
	local h="$1" pfx=
	run_pod "$h" err
	create_ctr_cri nobin '["/no/such/binary"]'
	run ! start_ctr_cri "$CTR"
	echo "$output"
	if [ "$h" = skiff ]; then
		assert_contains "$output" 'exec: "/no/such/binary": stat /no/such/binary: no such file or directory'
	else
		assert_contains "$output" '"/no/such/binary": stat /no/such/binary: no such file or directory'
	fi
	create_ctr_cri badcwd '["true"]' '{}' '{"working_dir": "/etc/passwd"}'
	run ! start_ctr_cri "$CTR"
	echo "$output"
	if [ "$h" = skiff ]; then
		assert_contains "$output" "process.cwd /etc/passwd: not a directory"
	else
		assert_contains "$output" "not a directory"
	fi
	create_ctr_cri noexec '["true"]' \
		"$(jq -cn --arg p "$C/noexec.json" '{security_context: {seccomp: {profile_type: "Localhost", localhost_ref: $p}}}')"
	# the filter is on before the last execve: the container starts, the
	# execve fails, the runtime's message is the container's stderr
	run -0 start_ctr_cri "$CTR"
	wait_exited "$CTR"
	[ "$(ctr_status "$CTR" .status.exit_code)" -ne 0 ]
	run -0 cat "$C/logs/err-$h/noexec.log"
	if [ "$h" = skiff ]; then
		assert_contains "$output" "stderr F skiff: exec /bin/true: operation not permitted"
	else
		assert_contains "$output" "stderr F exec /bin/true: operation not permitted"
	fi
	pod_down "$h"
}

@test "cri skiff: a pod with an address; two containers share its network and IPC; exec, logs, stats, stop" {
	t_pod skiff
}

@test "cri runc: a pod with an address; two containers share its network and IPC; exec, logs, stats, stop" {
	t_pod runc
}

@test "cri skiff: memory and CPU limits of the pod spec, seen from inside" {
	t_limits skiff
}

@test "cri runc: memory and CPU limits of the pod spec, seen from inside" {
	t_limits runc
}

@test "cri skiff: an OOM-killed container is OOMKilled; StopContainer of exited containers" {
	t_oom skiff
}

@test "cri runc: an OOM-killed container is OOMKilled; StopContainer of exited containers" {
	t_oom runc
}

@test "cri skiff: a missing binary, a bad cwd, a seccomp profile denying execve: the runtime's error" {
	t_errors skiff
}

@test "cri runc: a missing binary, a bad cwd, a seccomp profile denying execve: the runtime's error" {
	t_errors runc
}
