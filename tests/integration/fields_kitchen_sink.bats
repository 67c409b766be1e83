#!/usr/bin/env bats
# Config fields together: runc's default spec, and "kitchen sink" configs
# that set every field skiff supports; annotations in state; what
# `features` claims; a field skiff cannot honour is refused.

load fields_helpers

setup() {
	common_setup
	LOG="$TESTDIR/log"
	mkdir -p "$LOG" "$TESTDIR/src"
	chmod 777 "$LOG"
	VETH="skk${RANDOM}"
}

teardown() {
	ip link del "$VETH" 2>/dev/null || true
	common_teardown
}

@test "fields: the default config of runc spec runs" {
	(cd "$BUNDLE" && rm config.json && runc spec)
	update_config '.process.terminal = false'
	in_ctr 'echo ok; hostname; id -u'
	assert_eq "$output" "ok
runc
0"
}

@test "fields: annotations are stored and shown in state" {
	update_config '.annotations = {"org.example.a": "1", "org.example.b": "two words", "empty": ""}'
	set_args sleep 300
	run -0 create_ctr "$CID"
	run -0 rt state "$CID"
	validate_state_json <<<"$output"
	assert_eq "$(jq -c '.annotations' <<<"$output")" '{"org.example.a":"1","org.example.b":"two words","empty":""}'
	run -0 rt start "$CID"
	run -0 rt state "$CID"
	assert_eq "$(jq -r '.annotations["org.example.b"]' <<<"$output")" "two words"
	rt delete --force "$CID"
}

@test "fields: features reports what skiff implements" {
	is_skiff || skip "skiff's claims"
	run -0 rt features
	f="$output"
	assert_eq "$(jq -c '.linux.namespaces | sort' <<<"$f")" '["cgroup","ipc","mount","network","pid","time","user","uts"]'
	assert_eq "$(jq -c '.hooks' <<<"$f")" '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
	# every option of config.md's table (read from a copy of the spec when
	# there, else its list in v1.3.0)
	opts="$(awk '/^ *Option name/,/^\[\^1\]/' "${OCI_SPEC_DIR:-/nonexistent}/config.md" 2>/dev/null |
		grep -o '^ *`[a-z]*`' | tr -d ' `')"
	[ -n "$opts" ] || opts="async atime bind defaults dev diratime dirsync exec iversion lazytime loud
		mand noatime nodev nodiratime noexec noiversion nolazytime nomand norelatime nostrictatime
		nosuid nosymfollow private ratime rbind rdev rdiratime relatime remount rexec rnoatime
		rnodiratime rnoexec rnorelatime rnostrictatime rnosuid rnosymfollow ro rprivate rro rrw
		rshared rslave rstrictatime rsuid rsymfollow runbindable rw shared silent slave strictatime
		suid symfollow sync tmpcopyup unbindable idmap ridmap"
	[ "$(wc -w <<<"$opts")" -ge 60 ]
	for o in $opts; do
		jq -e --arg o "$o" '.mountOptions | index($o)' <<<"$f" >/dev/null || { echo "mount option $o not claimed" >&2; false; }
	done
	assert_eq "$(jq -c '[.linux.mountExtensions.idmap.enabled, .linux.netDevices.enabled, .linux.intelRdt.enabled, .linux.memoryPolicy.enabled, .linux.seccomp.enabled, .linux.apparmor.enabled, .linux.selinux.enabled, .linux.cgroup.v2]' <<<"$f")" \
		'[true,true,false,true,true,true,true,true]'
	assert_eq "$(jq -c '.linux.memoryPolicy.modes | sort' <<<"$f")" \
		'["MPOL_BIND","MPOL_DEFAULT","MPOL_INTERLEAVE","MPOL_LOCAL","MPOL_PREFERRED","MPOL_PREFERRED_MANY","MPOL_WEIGHTED_INTERLEAVE"]'
}

@test "fields: a field skiff cannot honour (intelRdt) is refused with the field and the reason" {
	update_config '.linux.intelRdt = {"closID": "c1", "l3CacheSchema": "L3:0=f"}'
	expect_config_error "linux.intelRdt" "not supported"
}

# The parts of the kitchen sink every variant has.
sink_common() {
	mkdir -p "$ROOTFS/secret" "$ROOTFS/rodir"
	echo s >"$ROOTFS/secret/f"
	touch "$TESTDIR/src/owned"
	chown 1000:1000 "$TESTDIR/src/owned"
	ip link add "$VETH" type veth peer name "${VETH}p"
	ip addr add 10.203.0.2/24 dev "${VETH}p"
	cp "$BATS_TEST_DIRNAME/fields_kitchen_sink.bats" /dev/null
	cat >"$TESTDIR/hook.sh" <<H
#!/bin/sh
cat >"$LOG/\$1.json"
H
	chmod 755 "$TESTDIR/hook.sh"
	update_config '
	.hostname = "sink" | .domainname = "sink.example"
	| .annotations = {"org.example.sink": "yes"}
	| .linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"},{"type":"time"}]
	| .linux.timeOffsets = {"boottime": {"secs": 1000000}, "monotonic": {"secs": 500}}
	| .mounts += [
		{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid","nodev","noexec","nosymfollow","lazytime","dirsync","relatime","mode=755","size=1m"]},
		{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]},
		{"destination": "/ro", "type": "bind", "source": $src, "options": ["rbind","ro","rnosuid"]},
		{"destination": "/log", "type": "bind", "source": $log, "options": ["bind"]}]
	| .linux.devices = [{"path": "/dev/full", "type": "c", "major": 1, "minor": 7, "fileMode": 438}, {"path": "/dev/pipe0", "type": "p", "fileMode": 384}]
	| .linux.maskedPaths += ["/secret"] | .linux.readonlyPaths += ["/rodir"]
	| .linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "2048"}
	| .linux.netDevices = {($veth): {"name": "eth0"}}
	| .linux.personality = {"domain": "LINUX"}
	| .linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}
	| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
	| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024}]
	| .process.noNewPrivileges = true
	| .process.oomScoreAdj = 100
	| .process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 5}
	| .process.execCPUAffinity = {"initial": "0", "final": "0"}
	| .process.user.umask = 18
	| .process.cwd = "/tmp"
	| .hooks = ({} | .prestart = [{"path": $hook, "args": ["h", "prestart"]}]
		| .createRuntime = [{"path": $hook, "args": ["h", "createRuntime"], "timeout": 10}]
		| .createContainer = [{"path": $hook, "args": ["h", "createContainer"], "env": ["A=b"]}]
		| .startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "cat >/log/startContainer.json"]}]
		| .poststart = [{"path": $hook, "args": ["h", "poststart"]}]
		| .poststop = [{"path": $hook, "args": ["h", "poststop"]}])
	' --arg src "$TESTDIR/src" --arg log "$LOG" --arg veth "${VETH}p" --arg hook "$TESTDIR/hook.sh"
}

SINK_CHECK='hostname; cat /proc/sys/kernel/domainname
awk "\$5 == \"/m\" { print \$6 }" /proc/self/mountinfo
cat /etc/passwd | head -1
touch /ro/x 2>/dev/null || echo ro-ok
stat -c "%t:%T %a" /dev/full; stat -c %F /dev/pipe0
ls -A /secret | wc -l; touch /rodir/x 2>/dev/null || echo rodir-ro
cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni
ip -o -4 addr show eth0 | grep -o "10.203.0.2/24"; cat /sys/class/net/lo/flags
uname -m; ulimit -n; cat /proc/self/oom_score_adj; ionice -p $$
grep Cpus_allowed_list /proc/self/status | cut -f2
grep NoNewPrivs /proc/self/status | cut -f2
mkdir /tmp/d 2>/dev/null || echo seccomp-ok
pwd; umask; cut -d. -f1 /proc/uptime'

sink_assert() { # expected uptime minimum
	local l=( )
	mapfile -t l <<<"$output"
	assert_eq "${l[0]}" sink
	assert_eq "${l[1]}" sink.example
	for o in nosuid nodev noexec nosymfollow relatime; do assert_contains ",${l[2]}," ",$o,"; done
	assert_eq "${l[3]}" "root:x:0:0:root:/root:/bin/sh"
	assert_eq "${l[4]}" ro-ok
	assert_eq "${l[5]}" "1:7 666"
	assert_eq "${l[6]}" fifo
	assert_eq "${l[7]}" 0
	assert_eq "${l[8]}" rodir-ro
	assert_eq "${l[9]}" 1
	assert_eq "${l[10]}" 2048
	assert_eq "${l[11]}" 10.203.0.2/24
	assert_eq "${l[12]}" 0x9
	assert_eq "${l[13]}" x86_64
	assert_eq "${l[14]}" 512
	assert_eq "${l[15]}" 100
	assert_eq "${l[16]}" "best-effort: prio 5"
	assert_eq "${l[17]}" 0
	assert_eq "${l[18]}" 1
	assert_eq "${l[19]}" seccomp-ok
	assert_eq "${l[20]}" /tmp
	assert_eq "${l[21]}" 0022
	[ "${l[22]}" -ge 1000000 ]
	for p in prestart createRuntime createContainer startContainer poststart poststop; do
		[ -s "$LOG/$p.json" ] || { echo "hook $p did not run" >&2; false; }
		assert_eq "$(jq -r '.annotations["org.example.sink"]' "$LOG/$p.json")" yes
	done
}

@test "fields: kitchen sink (no user namespace): every supported field at once" {
	sink_common
	d="$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)cpu(,|$)/ { print $1; exit }')"
	if [ -n "$d" ] && [ -e "$d/cpu.rt_runtime_us" ]; then
		update_config '.linux.resources.cpu.realtimeRuntime = 20000 | .linux.resources.cpu.realtimePeriod = 1000000'
	fi
	update_config '.process.scheduler = {"policy": "SCHED_RR", "priority": 3}
		| .linux.resources.pids = {"limit": 200}
		| .mounts += [{"destination": "/id", "type": "bind", "source": $src, "options": ["rbind","idmap"],
			"uidMappings": [{"containerID": 1000, "hostID": 2000, "size": 1}], "gidMappings": [{"containerID": 1000, "hostID": 2000, "size": 1}]}]' \
		--arg src "$TESTDIR/src"
	set_args sh -c "$SINK_CHECK"'
cut -d" " -f40,41 /proc/$$/stat
stat -c "%u:%g" /id/owned'
	run -0 rt run --bundle "$BUNDLE" "$CID" </dev/null
	sink_assert
	# rt_priority 3, policy 2 (SCHED_RR)
	assert_eq "$(sed -n 24p <<<"$output")" "3 2"
	assert_eq "$(sed -n 25p <<<"$output")" 2000:2000
}

@test "fields: kitchen sink with a user namespace and an id-mapped mount" {
	sink_common
	userns_config '[{"containerID":0,"hostID":100000,"size":65536}]'
	mkdir -p "$ROOTFS/id" "$ROOTFS/ro" "$ROOTFS/m" "$ROOTFS/log"
	chmod o+x "$TESTDIR"
	update_config '.linux.namespaces += [{"type":"user"}] | .linux.namespaces |= unique_by(.type)
		| .process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}
		| .mounts += [{"destination": "/id", "type": "bind", "source": $src, "options": ["rbind","idmap"],
			"uidMappings": [{"containerID": 1000, "hostID": 101000, "size": 1}], "gidMappings": [{"containerID": 1000, "hostID": 101000, "size": 1}]}]' \
		--arg src "$TESTDIR/src"
	set_args sh -c "$SINK_CHECK"'
cat /proc/self/uid_map | tr -s " " | sed "s/^ //"
stat -c "%u:%g" /id/owned'
	run -0 rt run --bundle "$BUNDLE" "$CID" </dev/null
	sink_assert
	assert_eq "$(sed -n 24p <<<"$output")" "0 100000 65536"
	assert_eq "$(sed -n 25p <<<"$output")" 1000:1000
}
