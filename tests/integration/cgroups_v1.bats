#!/usr/bin/env bats
# The cgroup v1 driver (hybrid and legacy hosts): each linux.resources field
# read back from the v1 files on the host (and from inside where the
# container sees it), `update`, errors, --cgroup-manager disabled.
# Skipped as a whole on a unified (cgroup v2 only) host.  Runs on the hybrid
# host (tests/run.sh) and, in legacy mode (no cgroup2 mounted at all), in
# the VM tier's legacy pass (tests/vm/run.sh, VM_CGROUP=legacy); the tests
# named "v1 hybrid:" / "v1 legacy:" are skipped in the other mode.
# tests/run.sh runs them in a private cgroup namespace with every hierarchy remounted, so all
# the cgroups made here sit below the cgroup the run started in; teardown
# (helpers.bash) fails a test that leaves a cgroup named after $CID in any
# hierarchy.

load helpers

setup() {
	common_setup || return 1
	if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		skip "unified cgroup v2 host: no v1 hierarchies"
	fi
	[ -d /sys/fs/cgroup/memory ] || skip "no v1 memory hierarchy mounted"
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		MODE=hybrid
	else
		MODE=legacy
	fi
}

teardown() {
	[ -n "${CID:-}" ] && cleanup_ctr "$CID"
	common_teardown
}

# own CTRL: this shell's cgroup in the hierarchy of CTRL ("/" in run.sh).
own() {
	awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { print $3; exit } }' /proc/self/cgroup
}

# cgdir CTRL [PATH]: the container's cgroup directory in CTRL's hierarchy.
cgdir() {
	local o p="${2:-$CID}"
	o="$(own "$1")"
	[ "$o" = / ] && o=
	echo "/sys/fs/cgroup/$1$o/$p"
}

v1file() { cat "$(cgdir "$1")/$2"; }

# has_ctrl CTRL: the hierarchy is mounted.
has_ctrl() { [ -n "$(own "$1")" ] && [ -d "/sys/fs/cgroup/$1" ]; }

need_legacy() { [ "$MODE" = legacy ] || skip "hybrid host: a legacy-only (no cgroup2) expectation"; }
need_hybrid() { [ "$MODE" = hybrid ] || skip "legacy host: no unified hierarchy (processes are tracked in v1 only)"; }

# v1_hiers: "CTRL MOUNT" for every mounted v1 hierarchy with controllers
# (the controllers of a co-mounted one, e.g. cpu,cpuacct, one line each).
v1_hiers() {
	findmnt -rn -t cgroup -o TARGET,FS-OPTIONS | while read -r t o; do
		for c in ${o//,/ }; do
			case "$c" in
			rw | ro | relatime | noatime | nosuid | nodev | noexec | name=* | xattr | clone_children | release_agent=*) ;;
			*) echo "$c $t" ;;
			esac
		done
	done
}

# res JSON: set linux.resources (keeps the default devices rules).
res() {
	update_config ".linux.resources += $1"
}

create_sleeping() {
	set_args sleep 1000
	run -0 create_ctr "$CID"
	local st
	st="$(status_of "$CID")"
	if [ "$st" != created ]; then
		echo "container is $st after create; its stderr:" >&2
		cat "$TESTDIR/$CID.stderr" >&2
		return 1
	fi
}

# no_cgroup_left [NAME]: nothing named NAME ($CID) in any hierarchy.
no_cgroup_left() {
	local n="${1:-$CID}" m
	for m in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		if [ -n "$(find "$m" -maxdepth 4 -type d -name "$n" 2>/dev/null)" ]; then
			echo "cgroup $n left in $m" >&2
			return 1
		fi
	done
}

# ---------------------------------------------------------------- memory

@test "v1: a cgroup in every mounted controller hierarchy, removed by delete" {
	create_sleeping
	local c pid
	pid="$(pid_of "$CID")"
	for c in cpu cpuacct cpuset memory devices freezer blkio pids hugetlb net_cls net_prio perf_event rdma misc; do
		has_ctrl $c || continue
		[ -d "$(cgdir $c)" ] || { echo "no $c cgroup" >&2; return 1; }
		grep -qx "$pid" "$(cgdir $c)/cgroup.procs" || { echo "init not in $c" >&2; return 1; }
	done
	run -0 rt delete --force "$CID"
	no_cgroup_left
}

@test "v1 hybrid: the init is tracked in the unified hierarchy too" {
	need_hybrid
	create_sleeping
	local o2
	o2="$(sed -n 's/^0:://p' /proc/self/cgroup)"
	[ "$o2" = / ] && o2=
	grep -qx "$(pid_of "$CID")" "/sys/fs/cgroup/unified$o2/$CID/cgroup.procs"
	assert_eq "$(jq -r .cgroupPath "$ROOT/$CID/state.json")" "/sys/fs/cgroup/unified$o2/$CID"
}

@test "v1 legacy: every hierarchy the host mounts gets the cgroup; state points at the freezer one" {
	need_legacy
	[ -z "$(findmnt -rn -t cgroup2)" ] || { echo "cgroup2 is mounted on a legacy host?" >&2; return 1; }
	create_sleeping
	local c m n=0 pid
	pid="$(pid_of "$CID")"
	while read -r c m; do
		grep -qx "$pid" "$(cgdir "$c")/cgroup.procs" || { echo "init not in $c ($m)" >&2; return 1; }
		grep -qE "^[0-9]+:([^:]*,)?$c(,[^:]*)?:" "/proc/$pid/cgroup" || { echo "no $c line in /proc/$pid/cgroup" >&2; return 1; }
		n=$((n + 1))
	done < <(v1_hiers)
	[ "$n" -ge 8 ] || { echo "only $n v1 controllers mounted" >&2; return 1; }
	assert_eq "$(jq -r .cgroupPath "$ROOT/$CID/state.json")" "$(cgdir freezer)"
	run -0 rt delete --force "$CID"
	no_cgroup_left
}

@test "v1 legacy: a host that never mounted cgroup2 (no \"0::\" line in /proc/self/cgroup)" {
	need_legacy
	! grep -q '^0::' /proc/self/cgroup || skip "cgroup2 was mounted once on this host: /proc/self/cgroup has a 0:: line"
	# the container's cgroup is named after the caller's v1 cgroups, not a v2 one
	res '{"pids": {"limit": 44}}'
	create_sleeping
	assert_eq "$(v1file pids pids.max)" 44
	run -0 rt start "$CID"
	run -0 rt delete --force "$CID"
	no_cgroup_left
}

@test "v1: memory.limit, reservation, swappiness, disableOOMKiller" {
	res '{"memory": {"limit": 67108864, "reservation": 33554432, "swappiness": 7, "disableOOMKiller": true}}'
	create_sleeping
	assert_eq "$(v1file memory memory.limit_in_bytes)" 67108864
	assert_eq "$(v1file memory memory.soft_limit_in_bytes)" 33554432
	assert_eq "$(v1file memory memory.swappiness)" 7
	assert_contains "$(v1file memory memory.oom_control)" "oom_kill_disable 1"
	run -0 rt delete --force "$CID"
	# from inside (the container's cgroup namespace makes it "/")
	in_ctr 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes'
	assert_eq "$output" 67108864
	no_cgroup_left
}

@test "v1: memory.swap is memory.memsw.limit_in_bytes as is" {
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || skip "no swap accounting on this host"
	res '{"memory": {"limit": 67108864, "swap": 134217728}}'
	create_sleeping
	assert_eq "$(v1file memory memory.limit_in_bytes)" 67108864
	assert_eq "$(v1file memory memory.memsw.limit_in_bytes)" 134217728
}

@test "v1: memory.limit -1 makes memory+swap unlimited too" {
	res '{"memory": {"limit": -1}}'
	create_sleeping
	assert_eq "$(v1file memory memory.limit_in_bytes)" "$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
}

@test "v1: memory.swap below memory.limit is an error, nothing left" {
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || skip "no swap accounting on this host"
	res '{"memory": {"limit": 67108864, "swap": 33554432}}'
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "memory.swap"
	no_cgroup_left
	run ! rt state "$CID"
}

@test "v1: memory.kernel and kernelTCP are ignored with a warning, not written (as runc)" {
	res '{"memory": {"kernel": 67108864, "kernelTCP": 16777216}}'
	set_args sleep 1000
	run --separate-stderr create_ctr "$CID"
	assert_eq "$status" 0
	assert_contains "$stderr" "skiff: warning: linux.resources.memory.kernel is deprecated and ignored"
	if [ -e /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes ]; then
		[ "$(v1file memory memory.kmem.tcp.limit_in_bytes)" != 16777216 ]
	fi
}

@test "v1: memory.swappiness above 100 is an error" {
	res '{"memory": {"swappiness": 101}}'
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "swappiness"
	no_cgroup_left
}

# ---------------------------------------------------------------- cpu

@test "v1: cpu.shares, quota, period, burst, idle" {
	local extra=''
	[ -e /sys/fs/cgroup/cpu/cpu.cfs_burst_us ] && extra+=', "burst": 1000'
	[ -e /sys/fs/cgroup/cpu/cpu.idle ] && extra+=', "idle": 0'
	res "{\"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 200000 $extra}}"
	create_sleeping
	assert_eq "$(v1file cpu cpu.shares)" 512
	assert_eq "$(v1file cpu cpu.cfs_quota_us)" 50000
	assert_eq "$(v1file cpu cpu.cfs_period_us)" 200000
	[ -e /sys/fs/cgroup/cpu/cpu.cfs_burst_us ] && assert_eq "$(v1file cpu cpu.cfs_burst_us)" 1000
	run -0 rt delete --force "$CID"
	in_ctr 'cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us'
	assert_eq "$output" "512
50000"
}

@test "v1: cpu.shares the kernel clamps is an error" {
	res '{"cpu": {"shares": 1}}'
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "cpu.shares"
	no_cgroup_left
}

@test "v1: cpu.realtimePeriod and realtimeRuntime" {
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "kernel without CONFIG_RT_GROUP_SCHED"
	res '{"cpu": {"realtimePeriod": 500000, "realtimeRuntime": 10000}}'
	create_sleeping
	assert_eq "$(v1file cpu cpu.rt_period_us)" 500000
	assert_eq "$(v1file cpu cpu.rt_runtime_us)" 10000
}

@test "v1: cpu.cpus and cpu.mems go to cpuset (initialised from the parent)" {
	res '{"cpu": {"cpus": "0", "mems": "0"}}'
	create_sleeping
	assert_eq "$(v1file cpuset cpuset.cpus)" 0
	assert_eq "$(v1file cpuset cpuset.mems)" 0
	grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$(pid_of "$CID")/status"
}

@test "v1: a cpuset is initialised from its parent when the config sets none" {
	create_sleeping
	assert_eq "$(v1file cpuset cpuset.cpus)" "$(cat "$(dirname "$(cgdir cpuset)")/cpuset.cpus")"
	[ -n "$(v1file cpuset cpuset.mems)" ]
}

# ---------------------------------------------------------------- pids, blkio

@test "v1: pids.limit (and -1 is max)" {
	res '{"pids": {"limit": 42}}'
	create_sleeping
	assert_eq "$(v1file pids pids.max)" 42
	run -0 rt delete --force "$CID"
	res '{"pids": {"limit": -1}}'
	create_sleeping
	assert_eq "$(v1file pids pids.max)" max
}

@test "v1: pids.limit is enforced inside" {
	res '{"pids": {"limit": 3}}'
	run run_ctr sh -c 'for i in 1 2 3 4 5; do sleep 5 & done; wait'
	[ "$status" -ne 0 ] || [[ $output == *"can't fork"* ]] || [[ $output == *"Resource temporarily unavailable"* ]]
}

@test "v1: blockIO.weight and throttle rates" {
	local dev wfile
	dev="$(cat /sys/block/vda/dev 2>/dev/null || cat "$(ls -d /sys/block/*/dev | grep -v -e loop -e zram | head -1)")"
	[ -n "$dev" ] || skip "no block device"
	# the weight files are not on the root: blkio.bfq.io_serviced says BFQ is there
	wfile=blkio.weight
	[ -e "/sys/fs/cgroup/blkio/$wfile" ] || wfile=blkio.bfq.weight
	if [ ! -e /sys/fs/cgroup/blkio/blkio.weight ] && [ ! -e /sys/fs/cgroup/blkio/blkio.bfq.io_serviced ]; then
		# no CFQ/BFQ (e.g. the VM: no bfq module): the weight is a clear error
		res '{"blockIO": {"weight": 300}}'
		set_args true
		run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
		assert_one_line_error
		assert_contains "$stderr" "blockIO.weight"
		no_cgroup_left
		update_config 'del(.linux.resources.blockIO)'
		wfile=
	fi
	res "{\"blockIO\": {${wfile:+\"weight\": 300, }\"throttleReadBpsDevice\": [{\"major\": ${dev%:*}, \"minor\": ${dev#*:}, \"rate\": 1048576}],
		\"throttleWriteIOPSDevice\": [{\"major\": ${dev%:*}, \"minor\": ${dev#*:}, \"rate\": 100}]}}"
	create_sleeping
	assert_contains "$(v1file blkio blkio.throttle.read_bps_device)" "$dev 1048576"
	assert_contains "$(v1file blkio blkio.throttle.write_iops_device)" "$dev 100"
	[ -z "$wfile" ] || assert_contains "$(v1file blkio $wfile)" 300
}

@test "v1: blockIO.leafWeight without blkio.leaf_weight is a clear error" {
	[ ! -e /sys/fs/cgroup/blkio/blkio.leaf_weight ] || skip "this kernel has blkio.leaf_weight"
	res '{"blockIO": {"leafWeight": 300}}'
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "blockIO.leafWeight"
	assert_contains "$stderr" "blkio.leaf_weight"
	no_cgroup_left
}

# ---------------------------------------------------------------- missing controllers

# missing_ctrl CTRL JSON FIELD: the host lacks CTRL: error names the field,
# the controller and the mode; nothing is left behind.
missing_ctrl() {
	has_ctrl "$1" && skip "this host has the $1 controller"
	res "$2"
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "$3"
	assert_contains "$stderr" "$1"
	assert_contains "$stderr" "cgroup mode: $MODE"
	no_cgroup_left
	run ! rt state "$CID"
}

@test "v1: hugepageLimits without hugetlb: clear error, nothing left" {
	missing_ctrl hugetlb '{"hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}]}' hugepageLimits
}

@test "v1: network.classID without net_cls: clear error" {
	missing_ctrl net_cls '{"network": {"classID": 1048577}}' network.classID
}

@test "v1: network.priorities without net_prio: clear error" {
	missing_ctrl net_prio '{"network": {"priorities": [{"name": "lo", "priority": 1}]}}' network.priorities
}

@test "v1: rdma without the rdma controller: clear error" {
	missing_ctrl rdma '{"rdma": {"mlx5_1": {"hcaHandles": 3}}}' rdma
}

@test "v1: hugepageLimits are written where hugetlb exists" {
	has_ctrl hugetlb || skip "no hugetlb hierarchy on this host (see the error test)"
	res '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
	create_sleeping
	assert_eq "$(v1file hugetlb hugetlb.2MB.limit_in_bytes)" 4194304
}

@test "v1: network.classID and priorities where net_cls/net_prio exist" {
	has_ctrl net_cls && has_ctrl net_prio || skip "no net_cls/net_prio hierarchy on this host (see the error tests)"
	res '{"network": {"classID": 1048577, "priorities": [{"name": "lo", "priority": 5}]}}'
	create_sleeping
	assert_eq "$(v1file net_cls net_cls.classid)" 1048577
	assert_contains "$(v1file net_prio net_prio.ifpriomap)" "lo 5"
}

@test "v1: linux.resources.unified is refused on a v1 host" {
	res '{"unified": {"memory.high": "1000000"}}'
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "unified"
	assert_contains "$stderr" "$MODE"
	no_cgroup_left
}

# ---------------------------------------------------------------- devices

@test "v1: devices: deny all, then runc's defaults and the config's allows" {
	res '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]}'
	create_sleeping
	local l
	l="$(v1file devices devices.list)"
	assert_not_contains "$l" "a *:* rwm"
	assert_contains "$l" "c 10:229 rw"
	assert_contains "$l" "c 1:3 rwm"
	assert_contains "$l" "c 136:* rwm"
}

@test "v1: devices: a device outside the allow list cannot be opened inside" {
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	run run_ctr sh -c 'mknod /tmp/kmsg c 1 11 && echo hello >/tmp/kmsg; echo null >/dev/null && echo null-ok'
	assert_contains "$output" "Operation not permitted"
	assert_contains "$output" "null-ok"
}

@test "v1: devices: no rules leaves the device cgroup open" {
	update_config 'del(.linux.resources.devices)'
	create_sleeping
	assert_contains "$(v1file devices devices.list)" "a *:* rwm"
}

@test "v1: linux.devices entries get no rule: the device cgroup holds the config's rules only" {
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	create_sleeping
	assert_not_contains "$(v1file devices devices.list)" "c 10:229"
}

# ---------------------------------------------------------------- paths

@test "v1: relative cgroupsPath lands below our own cgroup in every hierarchy" {
	update_config '.linux.cgroupsPath = $p' --arg p "skiffrel-$CID/$CID"
	res '{"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
	create_sleeping
	assert_eq "$(cat "$(cgdir memory "skiffrel-$CID/$CID")/memory.limit_in_bytes")" 67108864
	assert_eq "$(cat "$(cgdir pids "skiffrel-$CID/$CID")/pids.max")" 40
	run -0 rt delete --force "$CID"
	no_cgroup_left
	# the parent level stays (as with runc); remove it
	local c
	for c in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		[ -d "$c/skiffrel-$CID" ] && rmdir "$c/skiffrel-$CID"
	done
	no_cgroup_left "skiffrel-$CID"
}

@test "v1: absolute cgroupsPath: below the root of each hierarchy (spec, runc)" {
	update_config '.linux.cgroupsPath = $p' --arg p "/skiffabs-$CID"
	res '{"pids": {"limit": 41}}'
	create_sleeping
	assert_eq "$(cat "/sys/fs/cgroup/pids/skiffabs-$CID/pids.max")" 41
	grep -q ":memory:/skiffabs-$CID\$" "/proc/$(pid_of "$CID")/cgroup"
	run -0 rt delete --force "$CID"
	no_cgroup_left "skiffabs-$CID"
}

@test "v1: existing empty cgroups are reused and kept; the ones skiff made are removed" {
	# ownership is per hierarchy (state.json cgroupOwnedV1): memory and pids
	# exist beforehand, skiff makes the others
	local c m kept
	for c in memory pids; do mkdir -p "$(cgdir $c "keep-$CID")"; done
	[ "$MODE" = hybrid ] && mkdir -p "/sys/fs/cgroup/unified/keep-$CID"
	update_config '.linux.cgroupsPath = $p' --arg p "keep-$CID"
	res '{"pids": {"limit": 43}}'
	create_sleeping
	assert_eq "$(cat "$(cgdir pids "keep-$CID")/pids.max")" 43
	[ -d "$(cgdir freezer "keep-$CID")" ]
	run -0 rt delete --force "$CID"
	for c in memory pids; do
		[ -d "$(cgdir $c "keep-$CID")" ] || { echo "pre-existing $c cgroup removed" >&2; false; }
		rmdir "$(cgdir $c "keep-$CID")"
	done
	if [ "$MODE" = hybrid ]; then
		[ -d "/sys/fs/cgroup/unified/keep-$CID" ] || { echo "pre-existing unified cgroup removed" >&2; false; }
		rmdir "/sys/fs/cgroup/unified/keep-$CID"
	fi
	# everything else was skiff's: gone
	no_cgroup_left "keep-$CID"
}

# ---------------------------------------------------------------- commands

@test "v1: update raises and lowers memory and memory+swap in the right order" {
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || skip "no swap accounting on this host"
	rt update --help >/dev/null 2>&1 || [ $? -ne 127 ] || skip "no update command"
	res '{"memory": {"limit": 67108864, "swap": 134217728}}'
	create_sleeping
	# raise: memsw must go first (limit <= memsw at every step)
	run -0 rt update --memory 268435456 --memory-swap 536870912 "$CID"
	assert_eq "$(v1file memory memory.limit_in_bytes)" 268435456
	assert_eq "$(v1file memory memory.memsw.limit_in_bytes)" 536870912
	# lower: limit first
	run -0 rt update --memory 33554432 --memory-swap 50331648 "$CID"
	assert_eq "$(v1file memory memory.limit_in_bytes)" 33554432
	assert_eq "$(v1file memory memory.memsw.limit_in_bytes)" 50331648
}

@test "v1: update cpu, cpuset, pids, blkio weight from flags and -r" {
	create_sleeping
	run -0 rt update --cpu-share 300 --cpu-quota 20000 --cpu-period 100000 --cpuset-cpus 0 --pids-limit 77 "$CID"
	assert_eq "$(v1file cpu cpu.shares)" 300
	assert_eq "$(v1file cpu cpu.cfs_quota_us)" 20000
	assert_eq "$(v1file cpuset cpuset.cpus)" 0
	assert_eq "$(v1file pids pids.max)" 77
	echo '{"memory": {"limit": 50331648}, "pids": {"limit": 78}}' >"$TESTDIR/r.json"
	run -0 rt update -r "$TESTDIR/r.json" "$CID"
	assert_eq "$(v1file memory memory.limit_in_bytes)" 50331648
	assert_eq "$(v1file pids pids.max)" 78
}

@test "v1: update with a controller the host lacks is a clear error" {
	has_ctrl hugetlb && skip "this host has hugetlb"
	create_sleeping
	echo '{"hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}]}' >"$TESTDIR/r.json"
	run --separate-stderr rt update -r "$TESTDIR/r.json" "$CID"
	assert_one_line_error
	assert_contains "$stderr" hugetlb
	assert_contains "$stderr" "cgroup mode: $MODE"
}

@test "v1: pause and resume (v2 freezer on hybrid, freezer.state on legacy)" {
	create_sleeping
	run -0 rt start "$CID"
	run -0 rt pause "$CID"
	assert_eq "$(status_of "$CID")" paused
	[ "$MODE" = legacy ] && assert_eq "$(v1file freezer freezer.state)" FROZEN
	run -0 rt resume "$CID"
	assert_eq "$(status_of "$CID")" running
	[ "$MODE" = legacy ] && assert_eq "$(v1file freezer freezer.state)" THAWED
	return 0
}

@test "v1 legacy: pause stops a ticking process (freezer.state), resume restarts it" {
	need_legacy
	set_args sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.1; done'
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	wait_for_file "$ROOTFS/tmp/tick"
	run -0 rt pause "$CID"
	assert_eq "$(v1file freezer freezer.state)" FROZEN
	local t1 i
	t1="$(cat "$ROOTFS/tmp/tick")"
	sleep 0.5
	assert_eq "$(cat "$ROOTFS/tmp/tick")" "$t1"
	run -0 rt resume "$CID"
	for i in $(seq 50); do [ "$(cat "$ROOTFS/tmp/tick")" != "$t1" ] && break; sleep 0.1; done
	[ "$(cat "$ROOTFS/tmp/tick")" != "$t1" ]
	run -0 rt delete --force "$CID"
	no_cgroup_left
}

@test "v1 legacy: kill --all signals every process of the container" {
	need_legacy
	set_args sh -c 'trap "" TERM; sleep 300 & sleep 301 & wait'
	run -0 run_detached "$CID"
	local i pids p
	for i in $(seq 100); do [ "$(rt ps --format json "$CID" | jq length)" = 3 ] && break; sleep 0.05; done
	pids="$(rt ps --format json "$CID" | jq -r '.[]')"
	assert_eq "$(wc -w <<<"$pids")" 3
	for p in $pids; do grep -qx "$p" "$(cgdir freezer)/cgroup.procs"; done
	run -0 rt kill --all "$CID" KILL
	for p in $pids; do wait_pid_gone "$p"; done
	wait_for_status "$CID" stopped
	run -0 rt delete "$CID"
	no_cgroup_left
}

@test "v1 legacy: exec joins the container's cgroup in every hierarchy" {
	need_legacy
	set_args sleep 300
	run -0 run_detached "$CID"
	run -0 rt exec "$CID" sh -c 'cat /proc/1/cgroup; echo --; cat /proc/self/cgroup'
	local init self c m
	init="${output%%--*}"
	self="${output#*--}"
	assert_eq "$(sort <<<"$self" | grep .)" "$(sort <<<"$init" | grep .)"
	while read -r c m; do
		grep -qE "^[0-9]+:([^:]*,)?$c(,[^:]*)?:" <<<"$self" || { echo "no $c line: $self" >&2; return 1; }
	done < <(v1_hiers)
	run -0 rt delete --force "$CID"
	no_cgroup_left
}

@test "v1 legacy: events --stats reads the v1 files" {
	need_legacy
	res '{"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	set_args sleep 300
	run -0 run_detached "$CID"
	run -0 rt events --stats "$CID"
	jq -e '.type == "stats" and (.data.cpu.usage | has("total")) and .data.memory.usage.limit == 67108864 and .data.pids.limit == 50' <<<"$output" ||
		{ echo "$output" >&2; return 1; }
	run -0 rt delete --force "$CID"
}

@test "v1: ps lists the container's processes" {
	create_sleeping
	run -0 rt ps "$CID"
	assert_contains "$output" "$(pid_of "$CID")"
	run -0 rt ps --format json "$CID"
	assert_eq "$(jq -c . <<<"$output")" "[$(pid_of "$CID")]"
}

@test "v1: delete of a paused container removes every v1 cgroup" {
	create_sleeping
	run -0 rt start "$CID"
	run -0 rt pause "$CID"
	assert_eq "$(status_of "$CID")" paused
	run -0 rt delete --force "$CID"
	no_cgroup_left
}

@test "v1: kill KILL of a paused container stops it (a v1 freezer holds SIGKILL until thawed)" {
	create_sleeping
	run -0 rt start "$CID"
	run -0 rt pause "$CID"
	run -0 rt kill "$CID" KILL
	wait_for_status "$CID" stopped
	run -0 rt delete "$CID"
	no_cgroup_left
}

# ---------------------------------------------------------------- managers

@test "v1: --cgroup-manager disabled: no cgroup in any hierarchy" {
	update_config 'del(.linux.resources)'
	set_args sleep 1000
	run -0 _rt_detached --cgroup-manager disabled create --bundle "$BUNDLE" "$CID"
	no_cgroup_left
	run -0 rt --cgroup-manager disabled delete --force "$CID"
}

@test "v1: --cgroup-manager disabled with a limit is an error" {
	res '{"memory": {"limit": 67108864}}'
	set_args true
	run --separate-stderr rt --cgroup-manager disabled run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "--cgroup-manager is disabled"
	no_cgroup_left
	run ! rt state "$CID"
}

@test "v1: --systemd-cgroup with no systemd is a clear error" {
	if [ -d /run/systemd/system ]; then skip "systemd is running here"; fi
	res '{"pids": {"limit": 10}}'
	set_args true
	run --separate-stderr rt --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "systemd"
	no_cgroup_left
	run ! rt state "$CID"
}
