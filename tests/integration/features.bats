#!/usr/bin/env bats
# What `skiff features` claims about cgroups, checked against what a
# container with such a config gets: cgroup v1 (hybrid and legacy hosts:
# tests/run.sh's host, the VM tier's legacy pass) and rdma limits (where
# the kernel has the rdma controller and an rdma device: the VM tier, which
# makes a software one (siw or rxe); elsewhere skipped, and cgroups.bats /
# cgroups_v2.bats check the errors a host without them gives).

load helpers

teardown() {
	[ -n "${CID:-}" ] && cleanup_ctr "$CID"
	[ -n "${RDMA_LINK:-}" ] && rdma link delete "$RDMA_LINK" 2>/dev/null
	[ -n "${RDMA_VETH:-}" ] && ip link del "$RDMA_VETH" 2>/dev/null
	common_teardown
}

cg_fs() { stat -f -c %T "$1" 2>/dev/null; }

# make_rdma_dev: a software rdma device, $RDMA_LINK (removed by teardown):
# soft-iWARP on lo, else soft RoCE (rdma_rxe) on a veth ($RDMA_VETH).
make_rdma_dev() {
	RDMA_LINK="sk$$"
	modprobe siw 2>/dev/null && rdma link add "$RDMA_LINK" type siw netdev lo 2>/dev/null && return 0
	modprobe rdma_rxe 2>/dev/null || { RDMA_LINK=; return 1; }
	RDMA_VETH="skr$$"
	ip link add "$RDMA_VETH" type veth peer name "${RDMA_VETH}p" && ip link set "$RDMA_VETH" up &&
		rdma link add "$RDMA_LINK" type rxe netdev "$RDMA_VETH" && return 0
	RDMA_LINK=
	return 1
}

# ctr_cgdir CTRL: the container's cgroup directory for controller CTRL
# (v2: the unified one), from /proc/PID/cgroup of its init.
ctr_cgdir() {
	local pid p
	pid="$(rt state "$CID" | jq -r .pid)"
	if [ "$(cg_fs /sys/fs/cgroup)" = cgroup2fs ]; then
		p="$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
		echo "/sys/fs/cgroup$p"
	else
		p="$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")"
		[ -n "$p" ] && echo "/sys/fs/cgroup/$1${p%/}"
	fi
}

@test "features: cgroup v1, v2, the systemd driver (what the build can do, as runc) and rdma claimed, no systemdUser" {
	is_skiff || skip "skiff's claims"
	run -0 rt features
	assert_eq "$(jq -c '.linux.cgroup' <<<"$output")" '{"v1":true,"v2":true,"systemd":true,"systemdUser":false,"rdma":true}'
}

@test "features: cgroup.v1 as claimed: memory and pids limits land in the container's v1 cgroups" {
	[ "$(cg_fs /sys/fs/cgroup)" != cgroup2fs ] || skip "unified cgroup v2 host: no v1 hierarchies (the VM tier's legacy pass has them)"
	[ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ] || skip "no v1 memory and pids hierarchies"
	run -0 rt features
	[ "$(jq -r '.linux.cgroup.v1' <<<"$output")" = true ]
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 42}'
	set_args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; sleep 1000'
	run -0 create_ctr "$CID"
	d="$(ctr_cgdir memory)"
	[ -n "$d" ] && [ -d "$d" ]
	assert_eq "$(cat "$d/memory.limit_in_bytes")" 67108864
	assert_eq "$(cat "$(ctr_cgdir pids)/pids.max")" 42
	# the container sees its own v1 cgroups with the limits
	run -0 rt start "$CID"
	wait_for_file "$TESTDIR/$CID.stdout"
	for i in $(seq 100); do [ "$(wc -l <"$TESTDIR/$CID.stdout")" -ge 2 ] && break; sleep 0.05; done
	assert_eq "$(cat "$TESTDIR/$CID.stdout")" $'67108864\n42'
	rt delete --force "$CID"
}

@test "features: cgroup.rdma as claimed: hcaHandles and hcaObjects land in rdma.max" {
	[ "$(cg_fs /sys/fs/cgroup)" = cgroup2fs ] && ! grep -qw rdma /sys/fs/cgroup/cgroup.controllers &&
		skip "the kernel has no rdma cgroup controller"
	[ "$(cg_fs /sys/fs/cgroup)" != cgroup2fs ] && [ ! -d /sys/fs/cgroup/rdma ] &&
		skip "no rdma hierarchy (the kernel has no rdma cgroup controller)"
	run -0 rt features
	[ "$(jq -r '.linux.cgroup.rdma' <<<"$output")" = true ]
	dev="$(ls /sys/class/infiniband 2>/dev/null | head -1)"
	if [ -z "$dev" ]; then
		command -v rdma >/dev/null || skip "no rdma device and no rdma tool (iproute2) to make one"
		make_rdma_dev || skip "no rdma device, and neither siw nor rxe (soft RoCE) can make one"
		dev="$RDMA_LINK"
	fi
	update_config ".linux.resources.rdma = {\"$dev\": {\"hcaHandles\": 3, \"hcaObjects\": 77}}"
	set_args sleep 1000
	run -0 create_ctr "$CID"
	d="$(ctr_cgdir rdma)"
	[ -n "$d" ]
	run -0 cat "$d/rdma.max"
	assert_contains "$output" "$dev hca_handle=3 hca_object=77"
	rt delete --force "$CID"
}
