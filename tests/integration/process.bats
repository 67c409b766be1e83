#!/usr/bin/env bats
# The container process: args, env, cwd, user, umask, capabilities, rlimits,
# no_new_privs, oom_score_adj, file descriptors.

load helpers

# cap_mask NAME...: the hex mask (16 digits, as in /proc/PID/status)
cap_mask() {
	local -A num=(
		[CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3
		[CAP_FSETID]=4 [CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8
		[CAP_LINUX_IMMUTABLE]=9 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_BROADCAST]=11
		[CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13 [CAP_IPC_LOCK]=14 [CAP_IPC_OWNER]=15
		[CAP_SYS_MODULE]=16 [CAP_SYS_RAWIO]=17 [CAP_SYS_CHROOT]=18 [CAP_SYS_PTRACE]=19
		[CAP_SYS_PACCT]=20 [CAP_SYS_ADMIN]=21 [CAP_SYS_BOOT]=22 [CAP_SYS_NICE]=23
		[CAP_SYS_RESOURCE]=24 [CAP_SYS_TIME]=25 [CAP_SYS_TTY_CONFIG]=26 [CAP_MKNOD]=27
		[CAP_LEASE]=28 [CAP_AUDIT_WRITE]=29 [CAP_AUDIT_CONTROL]=30 [CAP_SETFCAP]=31
		[CAP_MAC_OVERRIDE]=32 [CAP_MAC_ADMIN]=33 [CAP_SYSLOG]=34 [CAP_WAKE_ALARM]=35
		[CAP_BLOCK_SUSPEND]=36 [CAP_AUDIT_READ]=37 [CAP_PERFMON]=38 [CAP_BPF]=39
		[CAP_CHECKPOINT_RESTORE]=40
	)
	local m=0 c
	for c in "$@"; do
		[ -n "${num[$c]:-}" ] || { echo "unknown capability $c" >&2; return 1; }
		m=$((m | (1 << ${num[$c]})))
	done
	printf '%016x\n' "$m"
}

# config_caps SET: the names in .process.capabilities.SET
config_caps() {
	jq -r --arg s "$1" '.process.capabilities[$s] // [] | .[]' "$BUNDLE/config.json"
}

status_field() {
	awk -v f="$1:" '$1 == f { print $2 }' <<<"$output"
}

@test "process: args are passed as given" {
	run -0 run_ctr sh -c 'for a in "$@"; do echo "[$a]"; done' sh one "two words" '$three' ''
	assert_eq "$output" '[one]
[two words]
[$three]
[]'
}

@test "process: env has exactly process.env" {
	update_config '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "HOME=/root", "EMPTY="]'
	run -0 run_ctr env
	assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "EMPTY=" "FOO=bar baz" "HOME=/root" "PATH=/bin:/usr/bin" | sort)"
}

@test "process: the caller's environment does not leak in" {
	update_config '.process.env = ["PATH=/bin"]'
	SKIFF_LEAK_TEST=leaked run -0 run_ctr env
	assert_not_contains "$output" SKIFF_LEAK_TEST
	assert_not_contains "$output" BATS_
}

@test "process: args[0] found through process.env PATH" {
	update_config '.process.env = ["PATH=/bin"]'
	run -0 run_ctr busybox echo via-path
	assert_eq "$output" via-path
}

@test "process: cwd" {
	update_config '.process.cwd = "/etc"'
	run -0 run_ctr pwd
	assert_eq "$output" /etc
}

@test "process: a missing cwd is created (as runc does)" {
	update_config '.process.cwd = "/no/such/dir"'
	run -0 run_ctr pwd
	assert_eq "$output" /no/such/dir
	[ -d "$ROOTFS/no/such/dir" ]
}

@test "process: user uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20]}'
	run -0 run_ctr id
	assert_eq "$output" "uid=1000 gid=1001 groups=10,20"
	run -0 run_ctr sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/self/status | tr -s "\t " " "'
	assert_eq "$output" "Uid: 1000 1000 1000 1000
Gid: 1001 1001 1001 1001
Groups: 10 20 "
}

@test "process: user from /etc/passwd names (root)" {
	update_config '.process.user = {"uid": 0, "gid": 0}'
	run -0 run_ctr id
	assert_eq "$output" "uid=0(root) gid=0(root)"
}

@test "process: umask" {
	update_config '.process.user.umask = 63' # 0077
	run -0 run_ctr sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
	assert_eq "$output" "0077
600"
}

@test "process: default umask is 0022" {
	update_config 'del(.process.user.umask)'
	run -0 run_ctr sh -c 'umask'
	assert_eq "$output" 0022
}

@test "process: capabilities of the default config (bounding, effective, permitted)" {
	run -0 run_ctr cat /proc/self/status
	assert_eq "$(status_field CapBnd)" "$(cap_mask $(config_caps bounding))"
	assert_eq "$(status_field CapEff)" "$(cap_mask $(config_caps effective))"
	assert_eq "$(status_field CapPrm)" "$(cap_mask $(config_caps permitted))"
	assert_eq "$(status_field CapInh)" "$(cap_mask $(config_caps inheritable))"
}

@test "process: capabilities, all five sets" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE", "CAP_SETUID", "CAP_SYS_CHROOT"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
		"inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run -0 run_ctr cat /proc/self/status
	assert_eq "$(status_field CapBnd)" "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE CAP_SETUID CAP_SYS_CHROOT)"
	# (uid 0 execs with effective = permitted: keep the two equal)
	assert_eq "$(status_field CapEff)" "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE)"
	assert_eq "$(status_field CapPrm)" "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE)"
	assert_eq "$(status_field CapInh)" "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)"
	assert_eq "$(status_field CapAmb)" "$(cap_mask CAP_NET_BIND_SERVICE)"
}

@test "process: capabilities of a non-root user come from ambient" {
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run -0 run_ctr cat /proc/self/status
	want="$(cap_mask CAP_NET_BIND_SERVICE)"
	assert_eq "$(status_field CapAmb)" "$want"
	assert_eq "$(status_field CapEff)" "$want"
	assert_eq "$(status_field CapPrm)" "$want"
	assert_eq "$(status_field CapBnd)" "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)"
}

@test "process: no capabilities at all" {
	update_config '.process.capabilities = {}'
	run -0 run_ctr cat /proc/self/status
	for f in CapBnd CapEff CapPrm CapInh CapAmb; do
		assert_eq "$(status_field $f)" 0000000000000000
	done
}

@test "process: rlimits (RLIMIT_NOFILE soft and hard)" {
	hard="$(ulimit -Hn)"
	h=$((hard < 4096 ? hard : 4096))
	s=$((h / 2))
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $s, "hard": $h}]' --argjson s "$s" --argjson h "$h"
	run -0 run_ctr sh -c 'ulimit -n; ulimit -Hn'
	assert_eq "$output" "$s
$h"
}

@test "process: rlimits (RLIMIT_CORE and RLIMIT_NPROC)" {
	update_config '.process.rlimits = [{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NPROC", "soft": 500, "hard": 1000}]'
	run -0 run_ctr cat /proc/self/limits
	grep -qE '^Max core file size +0 +0 ' <<<"$output"
	grep -qE '^Max processes +500 +1000 ' <<<"$output"
}

@test "process: noNewPrivileges" {
	update_config '.process.noNewPrivileges = true'
	run -0 run_ctr cat /proc/self/status
	assert_eq "$(status_field NoNewPrivs)" 1
	update_config '.process.noNewPrivileges = false'
	run -0 run_ctr cat /proc/self/status
	assert_eq "$(status_field NoNewPrivs)" 0
}

@test "process: oomScoreAdj" {
	update_config '.process.oomScoreAdj = 123'
	run -0 run_ctr cat /proc/self/oom_score_adj
	assert_eq "$output" 123
}

@test "process: no file descriptor leaks in (only 0 1 2 and ls's own)" {
	# bats itself keeps fd 3 and others open: the runtime must not pass them on
	run -0 run_ctr ls /proc/self/fd
	assert_eq "$(tr '\n' ' ' <<<"$output")" "0 1 2 3 "
	exec 7</dev/null
	run -0 run_ctr ls /proc/self/fd
	exec 7<&-
	assert_eq "$(tr '\n' ' ' <<<"$output")" "0 1 2 3 "
}

@test "process: --preserve-fds passes fd 3 on" {
	echo preserved-content >"$TESTDIR/fd3"
	set_args sh -c 'cat <&3'
	run -0 rt run --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3<"$TESTDIR/fd3"
	assert_eq "$output" preserved-content
	set_args ls /proc/self/fd
	run -0 rt run --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3<"$TESTDIR/fd3"
	assert_eq "$(tr '\n' ' ' <<<"$output")" "0 1 2 3 4 "
	# without the option fd 3 is not passed
	run -0 rt run --bundle "$BUNDLE" "$CID" 3<"$TESTDIR/fd3"
	assert_eq "$(tr '\n' ' ' <<<"$output")" "0 1 2 3 "
}

@test "process: stdin is passed through (terminal false)" {
	set_args cat
	run -0 rt run --bundle "$BUNDLE" "$CID" <<<"from-stdin"
	assert_eq "$output" from-stdin
}

@test "process: the container process's parent is not visible and it runs as pid 1 with the config's args" {
	run -0 run_ctr sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; grep PPid /proc/self/status'
	assert_eq "$(sed -n 1p <<<"$output")" "sh -c cat /proc/1/cmdline | tr \"\\0\" \" \"; echo; grep PPid /proc/self/status "
	assert_eq "$(sed -n 2p <<<"$output" | tr -s '\t ' ' ')" "PPid: 0"
}
