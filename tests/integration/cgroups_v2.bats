#!/usr/bin/env bats
# linux.resources on a real cgroup v2 hierarchy with its controllers: every
# field, the limits holding inside the container, update, events, OOM.
# Needs /sys/fs/cgroup to be cgroup2 with the memory, cpu, pids... controllers:
# the VM tier (tests/vm/run.sh) runs it; elsewhere every test is skipped.

load helpers

setup() {
	skip_unless_cgroup2_controllers
	common_setup
	# a cgroup namespace: the container's /sys/fs/cgroup (mounted read-only by
	# the default config) is then its own cgroup
	# (no seccomp filter: not under test here, and compiling it costs seconds
	# under the VM tier's emulated cpu)
	update_config '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}]) |
		del(.linux.seccomp)'
}

cg_dir() {
	jq -r .cgroupPath "$ROOT/$1/state.json"
}

# start CID with the current config, sleeping
start_sleeper() {
	set_args sleep 300
	run -0 run_detached "$CID"
	DIR="$(cg_dir "$CID")"
}

@test "v2: memory limit, reservation and swap (memory+swap - limit), seen from inside" {
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 100663296}'
	in_ctr 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.low /sys/fs/cgroup/memory.swap.max'
	assert_eq "${lines[0]}" 67108864
	assert_eq "${lines[1]}" 33554432
	assert_eq "${lines[2]}" 33554432
}

@test "v2: memory -1 is max; swap -1 is max; swap equal to the limit disables swap" {
	update_config '.linux.resources.memory = {"limit": -1, "swap": -1}'
	in_ctr 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max'
	assert_eq "${lines[0]}" max
	assert_eq "${lines[1]}" max
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 67108864}'
	in_ctr 'cat /sys/fs/cgroup/memory.swap.max'
	assert_eq "$output" 0
}

@test "v2: swap below the limit, or without a limit: one-line error, nothing left" {
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 1048576}'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "memory.swap"
	update_config '.linux.resources.memory = {"swap": 1048576}'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	[ ! -e "$ROOT/$CID" ]
}

# each_config JQ_ARRAY: print the config with .linux.resources merged with each
# element of the array, one compact line each (one jq for all: jq is slow in
# the VM tier's emulated cpu)
each_config() {
	jq -c --argjson v "$1" '. as $c | $v[] | . as $r | $c | .linux.resources = ((.linux.resources // {}) * $r)' \
		"$BUNDLE/config.json"
}

@test "v2: v1-only fields with no v2 conversion are errors naming the field" {
	local -a keys=(memory.swappiness memory.disableOOMKiller
		cpu.realtimeRuntime cpu.realtimePeriod blockIO.leafWeight)
	local -a cfgs
	local cfg_idx
	each_config '[{"memory": {"swappiness": 10}}, {"memory": {"disableOOMKiller": true}},
		{"cpu": {"realtimeRuntime": 1000}}, {"cpu": {"realtimePeriod": 10000}},
		{"blockIO": {"leafWeight": 100}}]' >"$TESTDIR/configs"
	mapfile -t cfgs <"$TESTDIR/configs"
	for cfg_idx in "${!cfgs[@]}"; do
		printf '%s' "${cfgs[$cfg_idx]}" >"$BUNDLE/config.json"
		run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
		assert_one_line_error
		assert_contains "$stderr" "linux.resources.${keys[$cfg_idx]}"
		assert_contains "$stderr" "no cgroup v2 equivalent"
		[ ! -e "$ROOT/$CID" ]
	done
	assert_eq "${#cfgs[@]}" 5
}

@test "v2: values that ask for the kernel default are accepted (disableOOMKiller false, kernel -1)" {
	update_config '.linux.resources.memory = {"disableOOMKiller": false, "kernel": -1, "kernelTCP": -1}'
	in_ctr true
}

@test "v2: memory.kernel and kernelTCP are ignored with a warning (deprecated, as runc)" {
	update_config '.linux.resources.memory = {"kernel": 1048576, "kernelTCP": 1048576}'
	run --separate-stderr run_ctr true
	assert_eq "$status" 0
	assert_contains "$stderr" "skiff: warning: linux.resources.memory.kernel is deprecated and ignored"
	assert_contains "$stderr" "kernelTCP is deprecated and ignored"
}

@test "v2: pids.limit 0 is no limit (runc): no pids.max of 0" {
	update_config '.linux.resources.pids = {"limit": 0}'
	in_ctr 'sh -c "echo child-ok"; cat /sys/fs/cgroup/pids.max 2>/dev/null; true'
	assert_contains "$output" child-ok
	assert_not_contains "$output" "
0"
}

@test "v2: a device in linux.devices gets no rule: a deny-all config keeps it denied" {
	update_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	in_ctr '[ -c /dev/kmsg ] && echo node; (exec 3</dev/kmsg) 2>&1 || echo denied; echo >/dev/null && echo null-ok'
	assert_contains "$output" node
	assert_contains "$output" "Operation not permitted"
	assert_contains "$output" denied
	assert_contains "$output" null-ok
}

@test "v2: cpu shares -> weight (runc/crun conversion), quota/period, burst, idle" {
	update_config '.linux.resources.cpu = {"shares": 1024, "quota": 50000, "period": 100000, "burst": 20000}'
	in_ctr 'cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.max.burst'
	assert_eq "${lines[0]}" 100
	assert_eq "${lines[1]}" "50000 100000"
	assert_eq "${lines[2]}" 20000
	set_args cat /sys/fs/cgroup/cpu.weight
	local -a want=(1 10000 59 303)
	local -a cfgs
	local cfg_idx
	each_config '[{"cpu": {"shares": 2}}, {"cpu": {"shares": 262144}}, {"cpu": {"shares": 512}},
		{"cpu": {"shares": 4096}}]' >"$TESTDIR/configs"
	mapfile -t cfgs <"$TESTDIR/configs"
	for cfg_idx in "${!cfgs[@]}"; do
		printf '%s' "${cfgs[$cfg_idx]}" >"$BUNDLE/config.json"
		run -0 rt run --bundle "$BUNDLE" "$CID" </dev/null
		assert_eq "$output" "${want[$cfg_idx]}"
	done
	assert_eq "${#cfgs[@]}" 4
	update_config '.linux.resources.cpu = {"idle": 1}'
	in_ctr 'cat /sys/fs/cgroup/cpu.idle'
	assert_eq "$output" 1
	update_config '.linux.resources.cpu = {"quota": -1, "period": 50000}'
	in_ctr 'cat /sys/fs/cgroup/cpu.max'
	assert_eq "$output" "max 50000"
}

@test "v2: cpus and mems go to the cpuset controller" {
	update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	in_ctr 'cat /sys/fs/cgroup/cpuset.cpus /sys/fs/cgroup/cpuset.mems; grep Cpus_allowed_list /proc/self/status'
	assert_eq "${lines[0]}" 0
	assert_eq "${lines[1]}" 0
	assert_contains "${lines[2]}" "	0"
}

@test "v2: pids limit, and a fork bomb stops at pids.max" {
	update_config '.linux.resources.pids = {"limit": 12}'
	# (shell builtins only once the bomb went off: no fork is left)
	in_ctr 'read m </sys/fs/cgroup/pids.max; echo $m
		(for i in $(seq 40); do sleep 5 & done) 2>/dev/null
		read c </sys/fs/cgroup/pids.current; echo $c
		while read k v; do [ "$k" = max ] && echo $v; done </sys/fs/cgroup/pids.events'
	assert_eq "${lines[0]}" 12
	[ "${lines[1]}" -le 12 ]
	[ "${lines[1]}" -ge 10 ]
	[ "${lines[2]}" -gt 0 ]
	update_config '.linux.resources.pids = {"limit": -1}'
	in_ctr 'cat /sys/fs/cgroup/pids.max'
	assert_eq "$output" max
}

@test "v2: blockIO weight, per-device weight and throttling go to io.*" {
	[ -b /dev/vda ] || skip "no block device /dev/vda"
	maj=$((16#$(stat -c %t /dev/vda))) min=$((16#$(stat -c %T /dev/vda)))
	update_config '.linux.resources.blockIO = {"weight": 500,
		"throttleReadBpsDevice": [{"major": ($maj|tonumber), "minor": ($min|tonumber), "rate": 1048576}],
		"throttleWriteIOPSDevice": [{"major": ($maj|tonumber), "minor": ($min|tonumber), "rate": 100}]}' \
		--arg maj "$maj" --arg min "$min"
	start_sleeper
	grep -q "^$maj:$min rbps=1048576 wbps=max riops=max wiops=100" "$DIR/io.max"
	if [ -e "$DIR/io.bfq.weight" ]; then
		grep -q 'default 500' "$DIR/io.bfq.weight"
	else
		grep -q 'default 4950' "$DIR/io.weight"
	fi
	run -0 rt delete --force "$CID"
}

@test "v2: throttling a device that does not exist: one-line error, nothing left" {
	update_config '.linux.resources.blockIO = {"throttleReadBpsDevice": [{"major": 250, "minor": 99, "rate": 1}]}'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" "io.max"
	[ ! -e "$ROOT/$CID" ]
}

@test "v2: hugepageLimits -> hugetlb.<size>.max and .rsvd.max" {
	[ -e /sys/fs/cgroup/hugetlb.2MB.max ] || [ -n "$(ls /sys/fs/cgroup/*/hugetlb.2MB.max 2>/dev/null)" ] ||
		grep -qw hugetlb /sys/fs/cgroup/cgroup.controllers || skip "no hugetlb"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	in_ctr 'cat /sys/fs/cgroup/hugetlb.2MB.max; cat /sys/fs/cgroup/hugetlb.2MB.rsvd.max 2>/dev/null || echo 4194304'
	assert_eq "${lines[0]}" 4194304
	assert_eq "${lines[1]}" 4194304
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 1}]'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" 3MB
}

@test "v2: rdma limits for a device the host lacks: one-line error naming rdma" {
	update_config '.linux.resources.rdma = {"mlx5_0": {"hcaHandles": 3, "hcaObjects": 1000}}'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_one_line_error
	assert_contains "$stderr" rdma
	[ ! -e "$ROOT/$CID" ]
}

@test "v2: unified keys are written (after the converted fields) and validated" {
	update_config '.linux.resources.memory = {"limit": 67108864} |
		.linux.resources.unified = {"memory.high": "50331648", "pids.max": "33", "memory.max": "83886080"}'
	in_ctr 'cat /sys/fs/cgroup/memory.high /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max'
	assert_eq "${lines[0]}" 50331648
	assert_eq "${lines[1]}" 33
	assert_eq "${lines[2]}" 83886080
	update_config 'del(.linux.resources.memory)'
	each_config '[{"unified": {"foo.bar": "1"}}, {"unified": {"memory.nonexistent": "1"}},
		{"unified": {"../memory.max": "1"}}, {"unified": {"cgroup.procs": "1"}}]' >"$TESTDIR/configs"
	local -a want=("controller foo is not available (cgroup mode: unified)" memory.nonexistent .. cgroup.procs)
	local -a cfgs
	local cfg_idx
	mapfile -t cfgs <"$TESTDIR/configs"
	for cfg_idx in "${!cfgs[@]}"; do
		printf '%s' "${cfgs[$cfg_idx]}" >"$BUNDLE/config.json"
		run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
		assert_one_line_error
		assert_contains "$stderr" "${want[$cfg_idx]}"
		[ ! -e "$ROOT/$CID" ]
	done
	assert_eq "${#cfgs[@]}" 4
}

@test "v2: devices: an eBPF program denies by default, allows the standard devices and the rules" {
	[ -b /dev/vda ] || skip "no block device /dev/vda"
	maj=$((16#$(stat -c %t /dev/vda))) min=$((16#$(stat -c %T /dev/vda)))
	add_bind_mount /dev/vda /dev/vda
	in_ctr 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 1 /dev/vda >/dev/null 2>/tmp/err; cat /tmp/err'
	assert_eq "${lines[0]}" 4
	assert_contains "$output" "Operation not permitted"
	update_config '.linux.resources.devices += [{"allow": true, "type": "b", "major": ($maj|tonumber), "minor": ($min|tonumber), "access": "r"}]' \
		--arg maj "$maj" --arg min "$min"
	in_ctr 'head -c 1 /dev/vda >/dev/null && echo read-ok; echo x >/dev/vda 2>/dev/null || echo write-denied'
	assert_contains "$output" read-ok
	assert_contains "$output" write-denied
	# a later deny overrides an earlier allow
	update_config '.linux.resources.devices += [{"allow": false, "type": "b", "access": "rwm"}]'
	in_ctr 'head -c 1 /dev/vda >/dev/null 2>&1 || echo vda-denied; echo >/dev/null && echo null-ok'
	assert_contains "$output" vda-denied
	assert_contains "$output" null-ok
}

@test "v2: memory limit holds: past memory.max the process is OOM-killed and run says so" {
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 67108864}'
	set_args dd if=/dev/zero of=/dev/null bs=128M count=1
	run --separate-stderr rt run --keep --bundle "$BUNDLE" "$CID"
	assert_eq "$status" 137
	assert_contains "$stderr" "container \"$CID\" was killed by the OOM killer: memory.max 64M reached"
	run -0 rt state "$CID"
	jq -e '.oomKilled == true and .status == "stopped"' <<<"$output"
	jq -e '.annotations["run.skiff.exit.cause"] == "oom-killed" and .annotations["run.skiff.exit.status"] == "137"' <<<"$output"
	run -0 rt delete "$CID"
}

@test "v2: cpu quota caps usage" {
	update_config '.linux.resources.cpu = {"quota": 10000, "period": 100000}'
	in_ctr 'timeout 3 sh -c "while :; do :; done"; cat /sys/fs/cgroup/cpu.stat'
	usage="$(awk '$1 == "usage_usec" {print $2}' <<<"$output")"
	throttled="$(awk '$1 == "nr_throttled" {print $2}' <<<"$output")"
	# 10% of one cpu for ~3 s is ~300 ms; unthrottled it would be ~3 s
	[ "$usage" -lt 1200000 ]
	[ "$throttled" -gt 0 ]
}

@test "v2: update changes limits of a running container (flags and -r)" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	start_sleeper
	run -0 rt update --memory 128m --memory-swap 192m --pids-limit 60 --cpu-quota 20000 --cpu-period 100000 \
		--cpu-share 1024 --cpuset-cpus 0 "$CID"
	assert_eq "$(cat "$DIR/memory.max")" 134217728
	assert_eq "$(cat "$DIR/memory.swap.max")" 67108864
	assert_eq "$(cat "$DIR/pids.max")" 60
	assert_eq "$(cat "$DIR/cpu.max")" "20000 100000"
	assert_eq "$(cat "$DIR/cpu.weight")" 100
	assert_eq "$(cat "$DIR/cpuset.cpus")" 0
	# only the period: the quota stays
	run -0 rt update --cpu-period 50000 "$CID"
	assert_eq "$(cat "$DIR/cpu.max")" "20000 50000"
	# swap alone: against the current memory limit
	run -0 rt update --memory-swap 256m "$CID"
	assert_eq "$(cat "$DIR/memory.swap.max")" 134217728
	echo '{"memory": {"limit": 100663296}, "pids": {"limit": 70}, "unified": {"memory.high": "90000000"}}' >"$TESTDIR/r.json"
	run -0 rt update -r "$TESTDIR/r.json" "$CID"
	assert_eq "$(cat "$DIR/memory.max")" 100663296
	assert_eq "$(cat "$DIR/pids.max")" 70
	grep -q '^8999' "$DIR/memory.high"
	echo '{"cpu": {"quota": 30000}}' | rt update -r - "$CID"
	assert_eq "$(cat "$DIR/cpu.max")" "30000 50000"
	run -0 rt delete --force "$CID"
}

@test "v2: update with checkBeforeUpdate refuses a limit below the usage" {
	update_config '.linux.resources.memory = {"limit": 134217728}'
	set_args sh -c 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; exec sleep 300'
	run -0 run_detached "$CID"
	DIR="$(cg_dir "$CID")"
	for i in $(seq 100); do [ "$(cat "$DIR/memory.current")" -gt 20000000 ] && break; sleep 0.1; done
	echo '{"memory": {"limit": 8388608, "checkBeforeUpdate": true}}' >"$TESTDIR/r.json"
	run --separate-stderr rt update -r "$TESTDIR/r.json" "$CID"
	assert_one_line_error
	assert_contains "$stderr" checkBeforeUpdate
	assert_eq "$(cat "$DIR/memory.max")" 134217728
	run -0 rt delete --force "$CID"
}

@test "v2: update of a field whose controller is missing: clear error" {
	start_sleeper
	run --separate-stderr rt update -r - "$CID" <<<'{"unified": {"foo.max": "1"}}'
	assert_one_line_error
	assert_contains "$stderr" "controller foo is not available (cgroup mode: unified)"
	run -0 rt delete --force "$CID"
}

@test "v2: events --stats reports memory, pids, cpu (and psi where present)" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 20}'
	start_sleeper
	run -0 rt events --stats "$CID"
	jq -e '.data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0' <<<"$output"
	jq -e '.data.pids.current == 1 and .data.pids.limit == 20' <<<"$output"
	jq -e '.data.cpu.usage.total > 0' <<<"$output"
	jq -e '.data.memory.raw.anon != null' <<<"$output"
	if [ -e "$DIR/memory.pressure" ]; then jq -e '.data.memory.psi.some.avg10 != null' <<<"$output"; fi
	run -0 rt delete --force "$CID"
}

@test "v2: events reports an OOM kill in the container" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_args sh -c 'sleep 2; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 1'
	run -0 run_detached "$CID"
	run -0 timeout 60 "$SKIFF" --root "$ROOT" events --interval 30s "$CID"
	assert_contains "$output" '"type":"oom"'
	jq -e -s --arg id "$CID" 'map(select(.type == "oom")) | length > 0 and all(.id == $id)' <<<"$output"
	# the last event: why it stopped (skiff's)
	if is_skiff; then
		tail -1 <<<"$output" | jq -e '.type == "exit" and .data.cause == "oom-killed"'
	fi
	run -0 rt delete "$CID"
}

@test "v2: cgroupsPath absolute, relative and nested; controllers enabled on the way down" {
	update_config '.linux.cgroupsPath = $p | .linux.resources.pids = {"limit": 9}' --arg p "/$CID-a/b/$CID"
	start_sleeper
	assert_eq "$DIR" "/sys/fs/cgroup/$CID-a/b/$CID"
	assert_eq "$(cat "$DIR/pids.max")" 9
	grep -qw pids "/sys/fs/cgroup/$CID-a/b/cgroup.subtree_control"
	run -0 rt delete --force "$CID"
	[ ! -e "$DIR" ]
	rmdir "/sys/fs/cgroup/$CID-a/b" "/sys/fs/cgroup/$CID-a"
	update_config '.linux.cgroupsPath = $p' --arg p "$CID-r/$CID"
	start_sleeper
	assert_eq "$DIR" "/sys/fs/cgroup/$CID-r/$CID"
	run -0 rt delete --force "$CID"
	rmdir "/sys/fs/cgroup/$CID-r"
}

@test "v2: the default cgroup is below the caller's, named after the id" {
	update_config 'del(.linux.cgroupsPath) | .linux.resources.pids = {"limit": 5}'
	start_sleeper
	assert_eq "$DIR" "/sys/fs/cgroup/$CID"
	run -0 rt delete --force "$CID"
	[ ! -e "$DIR" ]
}

@test "v2: pause/resume, ps, kill --all and delete with an escaped sub-cgroup on a v2 host with controllers" {
	update_config '.linux.resources.pids = {"limit": 20}'
	set_args sh -c 'sleep 300 & sleep 302 & exec sleep 301'
	run -0 run_detached "$CID"
	DIR="$(cg_dir "$CID")"
	for i in $(seq 100); do [ "$(wc -l <"$DIR/cgroup.procs")" = 3 ] && break; sleep 0.1; done
	run -0 rt pause "$CID"
	grep -qx 'frozen 1' "$DIR/cgroup.events"
	run -0 rt state "$CID"
	assert_contains "$output" '"paused"'
	run -0 rt resume "$CID"
	grep -qx 'frozen 0' "$DIR/cgroup.events"
	run -0 rt ps --format json "$CID"
	assert_eq "$(jq length <<<"$output")" 3
	mkdir "$DIR/escaped"
	echo "$(jq '.[0]' <<<"$output")" >"$DIR/escaped/cgroup.procs"
	run -0 rt kill --all "$CID" KILL
	for i in $(seq 100); do [ ! -s "$DIR/cgroup.procs" ] && ! grep -q . "$DIR/cgroup.procs" && break; sleep 0.1; done
	run -0 rt delete --force "$CID"
	[ ! -e "$DIR" ]
}
