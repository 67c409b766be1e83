#!/usr/bin/env bats
# Config fields: the network namespace (lo up) and linux.netDevices
# (host interfaces moved in, renamed, addresses kept, up).
#
# Delete does not move devices back: config-linux.md says the runtime MUST
# NOT; the kernel returns physical devices to the initial namespace and
# destroys virtual ones (dummy, veth) with the namespace.

load fields_helpers

setup() {
	common_setup
	DEV="skd${RANDOM}"
	VETH="skv${RANDOM}"
	# ping needs a raw socket
	update_config '.process.capabilities |= with_entries(.value += ["CAP_NET_RAW"])'
}

# mkdev NAME: a virtual device on the host (dummy when the kernel has it,
# else one end of a veth pair whose other end is NAME-p)
mkdev() {
	ip link add "$1" type dummy 2>/dev/null || ip link add "$1" type veth peer name "$1-p"
}

teardown() {
	ip link del "$DEV" 2>/dev/null || true
	ip link del "$VETH" 2>/dev/null || true
	ip link del "${DEV}b" 2>/dev/null || true
	common_teardown
}

@test "fields: network: lo is up in a new network namespace (127.0.0.1 works)" {
	in_ctr 'cat /sys/class/net/lo/flags; ping -c1 -W2 127.0.0.1 >/dev/null && echo ping-ok; ip -o -4 addr show lo | grep -o "127.0.0.1/8"'
	assert_eq "$output" "0x9
ping-ok
127.0.0.1/8"
}

@test "fields: netDevices: a dummy interface moved in, renamed, with its IPv4 and IPv6 addresses, up" {
	mkdev "$DEV"
	ip addr add 10.200.0.5/24 dev "$DEV"
	ip -6 addr add fd00:5::5/64 dev "$DEV" nodad
	# not permanent: must not be carried over
	ip addr add 10.200.1.5/24 dev "$DEV" valid_lft 1000 preferred_lft 1000
	update_config '.linux.netDevices = {($d): {"name": "ctr0"}}' --arg d "$DEV"
	set_args sleep 300
	run -0 create_ctr "$CID"
	pid="$(pid_of "$CID")"
	# gone from the host while the container has it
	! ip link show "$DEV" 2>/dev/null
	run -0 nsenter -t "$pid" -n ip -o addr show dev ctr0
	assert_contains "$output" "10.200.0.5/24"
	assert_contains "$output" "fd00:5::5/64"
	assert_not_contains "$output" "10.200.1.5"
	run -0 nsenter -t "$pid" -n ip -o link show ctr0
	assert_contains "$output" "UP"
	# and from inside, through the container's own tools
	run -0 rt start "$CID"
	rt delete --force "$CID"
	# a virtual device is destroyed with the namespace, as the spec says
	for i in $(seq 50); do ip link show "$DEV" >/dev/null 2>&1 || break; sleep 0.1; done
	! ip link show "$DEV" 2>/dev/null
}

@test "fields: netDevices: a veth end moved in talks to the host end" {
	ip link add "$VETH" type veth peer name "${VETH}p"
	ip addr add 10.201.0.1/24 dev "$VETH"
	ip link set "$VETH" up
	ip addr add 10.201.0.2/24 dev "${VETH}p"
	update_config '.linux.netDevices = {($d): {"name": "eth0"}}' --arg d "${VETH}p"
	in_ctr 'ls /sys/class/net | sort | tr "\n" " "; echo; ip -o -4 addr show eth0 | grep -o "10.201.0.2/24"; ping -c1 -W3 10.201.0.1 >/dev/null && echo ping-host-ok'
	assert_eq "$output" "eth0 lo 
10.201.0.2/24
ping-host-ok"
	# the peer died with the namespace: its host end goes with it
	for i in $(seq 50); do ip link show "$VETH" >/dev/null 2>&1 || break; sleep 0.1; done
	! ip link show "$VETH" 2>/dev/null
}

@test "fields: netDevices: without a name the host name is kept; a %d template is numbered by the kernel" {
	mkdev "$DEV"
	mkdev "${DEV}b"
	update_config '.linux.netDevices = {($d): {}, ($e): {"name": "net%d"}}' --arg d "$DEV" --arg e "${DEV}b"
	run -0 run_ctr sh -c 'ls /sys/class/net | sort | tr "\n" " "; echo; cat /sys/class/net/net0/operstate /sys/class/net/$0/flags' "$DEV"
	for n in "$DEV" lo net0; do assert_contains " $(sed -n 1p <<<"$output")" " $n "; done
	assert_eq "$(wc -w <<<"$(sed -n 1p <<<"$output")")" 3
	# up (IFF_UP)
	[ $(( $(sed -n 3p <<<"$output") & 1 )) -eq 1 ]
}

@test "fields: netDevices: bad inputs are refused and the device stays on the host" {
	update_config '.linux.netDevices = {"skiff-no-such0": {}}'
	expect_config_error "linux.netDevices" "skiff-no-such0"
	mkdev "$DEV"
	update_config '.linux.netDevices = {($d): {"name": "a/b"}}' --arg d "$DEV"
	expect_config_error "linux.netDevices" "a/b"
	update_config '.linux.netDevices = {($d): {"name": "this-name-is-too-long"}}' --arg d "$DEV"
	expect_config_error "linux.netDevices"
	# a name that exists in the container's namespace
	update_config '.linux.netDevices = {($d): {"name": "lo"}}' --arg d "$DEV"
	expect_config_error "linux.netDevices" "lo" "already exists"
	ip link show "$DEV" >/dev/null
	# no network namespace of its own
	update_config '.linux.netDevices = {($d): {}} | .linux.namespaces |= map(select(.type != "network"))' --arg d "$DEV"
	expect_config_error "linux.netDevices" "network namespace"
	ip link show "$DEV" >/dev/null
}

@test "fields: netDevices into a network namespace joined by path" {
	mkdev "$DEV"
	ip addr add 10.202.0.9/24 dev "$DEV"
	start_holder --net
	update_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end) | .linux.netDevices = {($d): {"name": "j0"}}' \
		--arg p "/proc/$holder_inner/ns/net" --arg d "$DEV"
	in_ctr 'ip -o -4 addr show j0 | grep -o "10.202.0.9/24"'
	assert_eq "$output" "10.202.0.9/24"
	# the holder's namespace keeps it after the container is gone
	run -0 nsenter -t "$holder_inner" -n ip -o link show j0
	stop_holder
}
