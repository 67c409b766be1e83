# tests/tools/engines.sh (sourced): engine daemons private to their caller
# (tests/integration/engines_{cri,docker,podman}.bats, systemd_*.bats,
# bench/engines.sh).  Each
# keeps its config, root, state, sockets and pidfile under one directory D,
# runs in a network namespace of its own (loopback up: nothing of the
# host's network is seen or changed), puts its cgroups below CGROUP (a
# name relative to the caller's cgroup root) and is stopped with what it
# left: shims, mounts under D, the cgroups, /run/containerd if it made it.
# Every wait is bounded.
# ENG_CGROUP_DRIVER=systemd: the engines in their systemd configuration
# (runc's --systemd-cgroup: containerd's SystemdCgroup = true, dockerd's
# native.cgroupdriver=systemd with CGROUP a slice, podman's cgroup_manager
# systemd); default cgroupfs.

# eng_wait CMD...: until CMD succeeds (at most 30 s); then once more, loudly
eng_wait() {
	local i
	for i in $(seq 600); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	"$@"
}

# eng_runtimes NAME=BINARY...: the runtimes as a JSON object {NAME: BINARY}
eng_runtimes() {
	local r
	for r in "$@"; do jq -n --arg n "${r%%=*}" --arg p "${r#*=}" '{($n): $p}'; done | jq -sc 'add // {}'
}

# eng_containerd_start D PAUSE_REF NAME=BINARY...: containerd with its CRI
# plugin: a runtime handler per NAME (io.containerd.runc.v2, BinaryName
# BINARY, its --root D/rt-NAME), the native snapshotter, CNI (bridge +
# host-local, loopback) from containernetworking-plugins on 192.0.2.0/24,
# the pods' network namespaces under D/state.  Socket: D/containerd.sock.
eng_containerd_start() {
	local d="$1" pause="$2" rts
	shift 2
	mkdir -p "$d/root" "$d/state" "$d/net.d" "$d/ipam"
	[ -e /run/containerd ] || touch "$d/made-run-containerd"
	[ -e /var/lib/cni ] || touch "$d/made-var-lib-cni"
	cat >"$d/net.d/10-skiff.conflist" <<EOC
{
  "cniVersion": "0.4.0",
  "name": "skiff-pods",
  "plugins": [{
    "type": "bridge", "bridge": "skiffbr0", "isGateway": false, "ipMasq": false,
    "ipam": { "type": "host-local", "dataDir": "$d/ipam",
              "ranges": [[{ "subnet": "192.0.2.0/24" }]] }
  }]
}
EOC
	rts="$(eng_runtimes "$@" | jq -r --arg d "$d" --argjson sd "$(_eng_systemd && echo true || echo false)" 'to_entries[] | "
    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.\(.key)]
      runtime_type = \"io.containerd.runc.v2\"
      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.\(.key).options]
        BinaryName = \"\(.value)\"
        Root = \"\($d)/rt-\(.key)\"
        SystemdCgroup = \($sd)"')"
	cat >"$d/config.toml" <<EOC
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = "$d/debug.sock"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause"
  # root here lacks CAP_SYS_RESOURCE: no oom_score_adj below containerd's
  restrict_oom_score_adj = true
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
$rts
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/net.d"
    max_conf_num = 1
EOC
	unshare --net -- sh -c 'ip link set lo up && exec containerd --config "$1"' sh "$d/config.toml" \
		>"$d/containerd.log" 2>&1 &
	echo $! >"$d/containerd.pid"
	eng_wait ctr -a "$d/containerd.sock" version || { tail -30 "$d/containerd.log" >&2; return 1; }
}

# eng_containerd_stop D CGROUP
eng_containerd_stop() {
	local d="$1" pid
	pid="$(cat "$d/containerd.pid" 2>/dev/null)"
	_eng_kill "$pid"
	for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $d/" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
	eng_leftovers "$d" "$2"
	[ -e "$d/made-var-lib-cni" ] && _eng_rmdirs /var/lib/cni
	return 0
}

# eng_dockerd_start D CGROUP NAME=BINARY...: dockerd (and the containerd
# it starts, under D/exec) with iptables, the bridge, IP forwarding and
# masquerading off, the vfs storage driver, cgroupfs below CGROUP (systemd:
# CGROUP is the slice, e.g. x.slice), each NAME registered as a runtime,
# the first NAME the default runtime.  Socket: D/docker.sock.
eng_dockerd_start() {
	local d="$1" cg="$2" rts drv=cgroupfs parent="/$2"
	shift 2
	_eng_systemd && drv=systemd parent="$cg"
	mkdir -p "$d/data" "$d/exec" "$d/cfg"
	[ -e /run/containerd ] || touch "$d/made-run-containerd"
	[ -e /run/docker ] || touch "$d/made-run-docker"
	# dockerd 20.10 writes its trust key there whatever its roots
	[ -e /etc/docker/key.json ] || touch "$d/made-key-json"
	rts="$(eng_runtimes "$@" | jq -c 'with_entries(select(.key != "runc") | .value = {path: .value})')"
	jq -n --argjson r "$rts" --arg drv "$drv" --arg dflt "${1%%=*}" --arg init "$(command -v docker-init || command -v tini-static)" '{
		runtimes: $r, "default-runtime": $dflt, "init-path": $init,
		iptables: false, "ip-forward": false, "ip-masq": false, bridge: "none",
		"userland-proxy": false, "storage-driver": "vfs",
		"exec-opts": ["native.cgroupdriver=\($drv)"], "log-level": "warn"}' >"$d/daemon.json"
	DOCKER_CONFIG="$d/cfg" unshare --net -- dockerd --config-file "$d/daemon.json" \
		--data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/docker.pid" \
		-H "unix://$d/docker.sock" --cgroup-parent "$parent" >"$d/dockerd.log" 2>&1 &
	echo $! >"$d/dockerd.pid"
	eng_wait /usr/bin/docker -H "unix://$d/docker.sock" version || { tail -30 "$d/dockerd.log" >&2; return 1; }
}

# eng_dockerd_stop D CGROUP
eng_dockerd_stop() {
	local d="$1" pid
	pid="$(cat "$d/dockerd.pid" 2>/dev/null)"
	_eng_kill "$pid"
	for pid in $(pgrep -f "containerd --config $d/" 2>/dev/null) $(pgrep -f "containerd-shim-runc-v2 .*-address $d/" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	eng_leftovers "$d" "$2"
	[ -e "$d/made-run-docker" ] && _eng_rmdirs /run/docker
	[ -e "$d/made-key-json" ] && rm -f /etc/docker/key.json
	return 0
}

_eng_systemd() { [ "${ENG_CGROUP_DRIVER:-cgroupfs}" = systemd ]; }

# _eng_kill PID: SIGTERM, at most 15 s, then SIGKILL
_eng_kill() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
	kill -9 "$1" 2>/dev/null || true
}

# eng_podman_setup D NAME=BINARY: podman's configuration private to D
# (storage with the vfs driver, run root, tmp, events, networks), network
# `none`, the runtime NAME (BINARY) the default, cgroupfs (podman puts its
# cgroups below libpod_parent) or systemd (machine.slice).  The commands
# are eng_podman D ARGS... (bounded) and eng_podman_cmd D (the command line
# as one string, for script(1)); eng_podman_stop D removes what it left.
eng_podman_setup() {
	local d="$1" mgr=cgroupfs ul=
	_eng_systemd && mgr=systemd
	# root without CAP_SYS_RESOURCE (this machine's): podman's default
	# ulimits (the hard maximum) would fail
	(((16#$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status) >> 24) & 1)) ||
		ul='default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]'
	mkdir -p "$d/root" "$d/runroot" "$d/tmp" "$d/net"
	# podman's blob-info cache goes to /var/lib/containers/cache whatever
	# --root says: removed afterwards if it is ours
	[ -e /var/lib/containers ] || touch "$d/made-var-lib-containers"
	cat >"$d/containers.conf" <<EOC
[containers]
$ul
netns = "none"
log_driver = "k8s-file"
[engine]
cgroup_manager = "$mgr"
events_logger = "file"
events_logfile_path = "$d/events.log"
tmp_dir = "$d/tmp"
volume_path = "$d/root/volumes"
runtime = "${2%%=*}"
[engine.runtimes]
${2%%=*} = ["${2#*=}"]
[network]
network_config_dir = "$d/net"
EOC
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s/runroot"\ngraphroot = "%s/root"\n' "$d" "$d" >"$d/storage.conf"
	printf '%s\n' "$mgr" >"$d/cgroup-manager"
	printf '%s\n' "${2#*=}" >"$d/runtime"
}

eng_podman() {
	local d="$1"
	shift
	eval "timeout -k 5 60 $(eng_podman_cmd "$d") \"\$@\""
}

eng_podman_cmd() {
	printf 'env CONTAINERS_CONF=%q CONTAINERS_STORAGE_CONF=%q podman --root %q --runroot %q --tmpdir %q --runtime %q --cgroup-manager %q --events-backend file --storage-driver vfs --network-config-dir %q' \
		"$1/containers.conf" "$1/storage.conf" "$1/root" "$1/runroot" "$1/tmp" "$(cat "$1/runtime")" \
		"$(cat "$1/cgroup-manager")" "$1/net"
}

eng_podman_stop() {
	local d="$1" pid
	[ -f "$d/containers.conf" ] || return 0
	eng_podman "$d" rm -af -t 0 >/dev/null 2>&1 || true
	eng_podman "$d" rmi -af >/dev/null 2>&1 || true
	# conmon of its containers, if any survived
	for pid in $(pgrep -f "conmon .*$d" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
	eng_leftovers "$d" "$(_eng_systemd || echo libpod_parent)"
	[ -e "$d/made-var-lib-containers" ] && rm -rf /var/lib/containers
	return 0
}

# eng_leftovers D [CGROUP]: the cgroups below CGROUP (systemd: the slice
# CGROUP is stopped), mounts under D, /run/containerd if ours
eng_leftovers() {
	local h
	if _eng_systemd && [[ ${2:-} == *.slice ]]; then
		timeout 30 systemctl stop "$2" 2>/dev/null
		systemctl reset-failed "$2" 2>/dev/null
	fi
	for h in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		[ -n "$2" ] && [ -d "$h/$2" ] && find "$h/$2" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	grep -F "$1" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	# (only what is empty: another engine may be using it meanwhile)
	[ -e "$1/made-run-containerd" ] && _eng_rmdirs /run/containerd
	return 0
}

# _eng_rmdirs DIR: DIR and the directories below it that are empty
_eng_rmdirs() {
	[ -d "$1" ] && find "$1" -depth -type d -empty -delete 2>/dev/null
	return 0
}
