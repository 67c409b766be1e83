#!/usr/bin/env bats
# skiff check: what the host can and cannot do for skiff, each fact with
# its blocker and fix.  Failures are faked where a test can fake them
# without touching the host: a tmpfs over /sys/fs/cgroup and an empty
# /etc/subuid in a private mount namespace, user.max_user_namespaces in a
# user namespace of the test's own.  Not fakeable here (non-namespaced
# sysctls this kernel does not even have): kernel.unprivileged_userns_clone
# (Debian) and kernel.apparmor_restrict_unprivileged_userns (Ubuntu).

load helpers
load check_helpers

CHECK_FACTS="kernel cgroup cgroup.controllers cgroup.delegation systemd namespaces userns
userns.unprivileged newuidmap newgidmap subuid subgid openat2 mount_setattr clone3 pidfd clone_into_cgroup
idmapped_mounts seccomp seccomp.notify timens criu"

@test "check: --json has every fact once, each with a status, a value and a fix when not ok" {
	is_skiff || skip "skiff-specific command"
	run -0 "$SKIFF" check --json
	jq -e '(.ok | type) == "boolean" and (.rootless | type) == "boolean" and (.user | type) == "string"' <<<"$output"
	assert_eq "$(jq -r .ok <<<"$output")" true
	assert_eq "$(jq -r .rootless <<<"$output")" false
	for f in $CHECK_FACTS; do
		assert_eq "$(jq --arg n "$f" '[.checks[] | select(.name == $n)] | length' <<<"$output")" 1
	done
	assert_eq "$(jq '.checks | length' <<<"$output")" "$(wc -w <<<"$CHECK_FACTS")"
	# every status is one of three; a fix exactly when not ok; no empty value
	jq -e 'all(.checks[]; (.status | IN("ok", "missing", "blocked"))
		and ((.status == "ok") == (.fix == null)) and (.value | length > 0))' <<<"$output"
	# facts this host has (the harness runs as root on Linux >= 5.7)
	for f in kernel cgroup namespaces userns clone3 pidfd openat2 seccomp; do
		assert_eq "$(fact $f)" ok
	done
	assert_contains "$(fact kernel value)" "$(uname -r)"
}

@test "check: the text form, one line per fact, exit 0 when a default container can run" {
	is_skiff || skip "skiff-specific command"
	run -0 "$SKIFF" check
	for f in $CHECK_FACTS; do
		grep -qE "^(ok|missing|blocked) +$f " <<<"$output"
	done
	assert_eq "${lines[-1]}" "skiff can run a default container here"
	# a fact that is not ok is followed by its fix
	if grep -q '^missing' <<<"$output"; then
		grep -A1 '^missing' <<<"$output" | grep -qE '^ +fix: '
	fi
	# the cgroup mode matches the host's
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		assert_contains "$output" "unified: cgroup2 at /sys/fs/cgroup"
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		assert_contains "$output" "hybrid: cgroup2 at /sys/fs/cgroup/unified"
	fi
}

@test "check: no cgroup hierarchy (a tmpfs over /sys/fs/cgroup) is a blocker with the mount to make, exit 1" {
	is_skiff || skip "skiff-specific command"
	run -1 unshare --mount --propagation private sh -c \
		'mount -t tmpfs none /sys/fs/cgroup && exec "$0" check --json' "$SKIFF"
	assert_eq "$(jq -r .ok <<<"$output")" false
	assert_eq "$(fact cgroup)" blocked
	assert_contains "$(fact cgroup value)" "no cgroup hierarchy mounted at /sys/fs/cgroup"
	assert_contains "$(fact cgroup fix)" "mount -t cgroup2 none /sys/fs/cgroup"
	# the other facts are still there
	assert_eq "$(fact clone3)" ok
	run -1 unshare --mount --propagation private sh -c \
		'mount -t tmpfs none /sys/fs/cgroup && exec "$0" check' "$SKIFF"
	assert_eq "${lines[-1]}" 'skiff cannot run a default container here: see "blocked" above'
	grep -qE '^blocked +cgroup +no cgroup hierarchy' <<<"$output"
}

@test "check: rootless without /etc/subuid ranges: missing with the usermod to run; with one: the range" {
	is_skiff || skip "skiff-specific command"
	nobody_skiff
	: >"$TESTDIR/empty"
	run -0 unshare --mount --propagation private sh -c \
		'mount --bind "$1/empty" /etc/subuid && mount --bind "$1/empty" /etc/subgid &&
		 exec setpriv --reuid nobody --regid nogroup --clear-groups "$1/skiff-nobody" check --json' \
		sh "$TESTDIR"
	assert_eq "$(jq -r .rootless <<<"$output")" true
	assert_eq "$(jq -r .user <<<"$output")" nobody
	assert_eq "$(fact subuid)" missing
	assert_contains "$(fact subuid value)" "/etc/subuid has no range for nobody"
	assert_eq "$(fact subuid fix)" "usermod --add-subuids 100000-165535 nobody"
	assert_eq "$(fact subgid fix)" "usermod --add-subgids 100000-165535 nobody"
	# rootless facts: the caller's own namespaces, no id-mapped mount probe
	assert_eq "$(fact userns)" ok
	assert_eq "$(fact idmapped_mounts)" missing
	echo "nobody:300000:65536" >"$TESTDIR/subuid"
	run -0 unshare --mount --propagation private sh -c \
		'mount --bind "$1/subuid" /etc/subuid &&
		 exec setpriv --reuid nobody --regid nogroup --clear-groups "$1/skiff-nobody" check --json' \
		sh "$TESTDIR"
	assert_eq "$(fact subuid)" ok
	assert_contains "$(fact subuid value)" "300000:65536"
}

@test "check: rootless where the cgroup is not delegated: missing, with the delegation to ask for" {
	is_skiff || skip "skiff-specific command"
	[ -d /sys/fs/cgroup/unified ] || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || skip "no cgroup2"
	nobody_skiff
	run -0 setpriv --reuid nobody --regid nogroup --clear-groups "$TESTDIR/skiff-nobody" check --json
	assert_eq "$(fact cgroup.delegation)" missing
	assert_contains "$(fact cgroup.delegation value)" "is not writable by uid $(id -u nobody)"
	assert_contains "$(fact cgroup.delegation fix)" "Delegate=yes"
}

@test "check: rootless in a writable cgroup of a hybrid host: missing, the limits go to v1" {
	is_skiff || skip "skiff-specific command"
	[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] || skip "not a hybrid host"
	[ "$(stat -f -c %T /sys/fs/cgroup/memory 2>/dev/null)" = cgroupfs ] || skip "no v1 memory hierarchy"
	nobody_skiff
	dir="/sys/fs/cgroup/unified/skt-deleg-$$"
	mkdir "$dir"
	chown nobody: "$dir" "$dir/cgroup.procs" "$dir/cgroup.subtree_control" "$dir/cgroup.threads"
	run -0 sh -c 'echo $$ >"$1/cgroup.procs" &&
		exec setpriv --reuid nobody --regid nogroup --clear-groups "$2" check --json' sh "$dir" "$TESTDIR/skiff-nobody"
	rmdir "$dir"
	assert_eq "$(fact cgroup.delegation)" missing
	assert_contains "$(fact cgroup.delegation value)" "$dir is writable by uid $(id -u nobody), but the limits go to the v1 hierarchies"
	assert_contains "$(fact cgroup.delegation fix)" "systemd.unified_cgroup_hierarchy=1"
}

@test "check: user.max_user_namespaces reached (faked in a user namespace of the test): the sysctl to raise" {
	is_skiff || skip "skiff-specific command"
	# as root of a user namespace whose limit is 0
	run -0 unshare --user --map-root-user sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces && exec "$0" check --json' "$SKIFF"
	assert_eq "$(fact userns)" missing
	assert_contains "$(fact userns value)" "user.max_user_namespaces is 0"
	assert_contains "$(fact userns fix)" "sysctl -w user.max_user_namespaces="
	# rootless below a namespace whose limit is used up: the caller's
	# user namespace is a blocker, exit 1
	nobody_skiff
	run -1 unshare --user --map-root-user sh -c \
		'echo 1 >/proc/sys/user/max_user_namespaces &&
		 exec unshare --user --map-user=65534 --map-group=65534 "$0" check --json' "$TESTDIR/skiff-nobody"
	assert_eq "$(jq -r .rootless <<<"$output")" true
	assert_eq "$(fact userns)" blocked
	assert_contains "$(fact userns value)" "user namespace limit is reached"
	assert_eq "$(fact namespaces)" blocked
}

@test "check: probes leave nothing behind (no mkdir, no mount, no file removed, every process gone)" {
	is_skiff || skip "skiff-specific command"
	command -v strace >/dev/null || skip "no strace"
	before="$(wc -l </proc/self/mountinfo)"
	# criu check (criu's own doings) hidden: only skiff's probes are traced
	run -0 unshare --mount --propagation private sh -c \
		'[ ! -e /usr/sbin/criu ] || mount --bind /dev/null /usr/sbin/criu
		 exec strace -f -qq -o "$1" -e trace=mkdir,mkdirat,rmdir,mount,move_mount,umount2,unlink,unlinkat,rename,renameat2,fsmount,symlink,symlinkat,clone,clone3,fork,vfork \
			"$2" check' sh "$TESTDIR/st" "$SKIFF"
	assert_eq "$(wc -l </proc/self/mountinfo)" "$before"
	# no such call succeeded (but the probes' clones)
	run -1 grep -vE ' = -1 |--- SIG|clone3?\(|clone3? resumed|fork\(|fork resumed|unfinished' "$TESTDIR/st"
	# every process it made was reaped
	children="$(grep -E 'clone3?\(|clone3? resumed|fork\(|fork resumed' "$TESTDIR/st" | grep -oE '= [0-9]+$' | awk '{print $2}' | sort -u)"
	reaped="$(grep -oE 'CLD_(EXITED|KILLED|DUMPED), si_pid=[0-9]+' "$TESTDIR/st" | sed 's/.*=//' | sort -u)"
	[ -n "$children" ]
	assert_eq "$reaped" "$children"
}

@test "check: arguments it does not take are one-line errors" {
	is_skiff || skip "skiff-specific command"
	run --separate-stderr "$SKIFF" check extra
	assert_one_line_error
	run --separate-stderr "$SKIFF" check --jsn
	assert_one_line_error
	assert_contains "$stderr" "jsn"
}
