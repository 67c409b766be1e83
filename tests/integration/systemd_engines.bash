# tests/integration/systemd_engines.bash (loaded by systemd_{podman,
# containerd,docker}.bats): the engines in their default configuration on a
# systemd host (podman's cgroup_manager "systemd", containerd's
# SystemdCgroup = true, dockerd's native.cgroupdriver=systemd), with $SKIFF
# as their runtime (SKIFF=$(command -v runc): the control): each container
# must be a transient scope that systemd made, delegated, in the slice the
# engine asked for, with the limits as the unit's properties and in its
# cgroup, and nothing left (no unit, no cgroup) once it is removed.
# Needs systemd as PID 1 on cgroup v2: the VM tier runs them
# (VM_CGROUP=systemd tests/vm/run.sh FILE; VM_SKIFF=/usr/sbin/runc for the
# control); elsewhere every test is skipped.  The engines' daemons are
# private to the file (tests/tools/engines.sh).

load helpers
source "$REPO_ROOT/tests/tools/engines.sh"
export ENG_CGROUP_DRIVER=systemd

SD_CG=/sys/fs/cgroup
HOLD='mkfifo /hold; exec cat /hold'
# (in a container) 40 background tasks, as many as the pids limit lets
# the subshell make, then the number of the container's processes (a glob:
# no task more is needed to count them)
FORK40='(i=0; while [ $i -lt 40 ]; do sleep 60 & i=$((i + 1)); done) 2>/dev/null
	n=0; for p in /proc/[0-9]*; do n=$((n + 1)); done; echo tasks=$n'

# sd_assert_tasks MIN MAX: after FORK40, $output says MIN..MAX tasks
sd_assert_tasks() {
	[[ $output =~ tasks=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$1" ] && [ "${BASH_REMATCH[1]}" -le "$2" ] ||
		{ echo "wanted $1..$2 tasks: $output" >&2; return 1; }
}

# sd_why_not CMD...: why this file cannot run here (nothing when it can)
sd_why_not() {
	local c
	if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || [ "$(stat -f -c %T $SD_CG)" != cgroup2fs ]; then
		echo "needs systemd as PID 1 on cgroup v2 (the VM tier: VM_CGROUP=systemd tests/vm/run.sh)"
		return
	fi
	[ -x "$SKIFF" ] || { echo "runtime binary '$SKIFF' not found"; return; }
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "needs $c (tools/deps.sh installs it)"; return; }
	done
}

# sd_setup_file DIR CMD... [-- WRAPPER_ARG...] (in setup_file): fails when
# the file cannot run here (SD_SKIP says why: setup skips each test), else
# makes DIR and the runtime wrapper $RT in it (sd_wrapper)
sd_setup_file() {
	local d="$1" cmds=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cmds+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	export SD_SKIP
	SD_SKIP="$(sd_why_not "${cmds[@]}")"
	[ -z "$SD_SKIP" ] || return 1
	mkdir -p "$d"
	sd_wrapper "$d" "$@"
}

setup() {
	skip_if_reported
	[ -z "${SD_SKIP:-}" ] || skip "$SD_SKIP"
}

teardown() { :; }

# sd_wrapper DIR [ARG...]: $RT, the runtime under test called with ARG...
# first; the arguments of each call are appended to $RT_CALLS
sd_wrapper() {
	local d="$1" pre=
	shift
	[ $# -gt 0 ] && pre="$(printf ' %q' "$@")"
	export RT="$d/rt-$RUNTIME_NAME" RT_CALLS="$d/calls"
	printf '#!/bin/sh\necho "$*" >>%q\nexec %q%s "$@"\n' "$RT_CALLS" "$SKIFF" "$pre" >"$RT"
	chmod +x "$RT"
}

# sd_assert_systemd_create ID: the engine created ID with --systemd-cgroup
sd_assert_systemd_create() {
	grep -qE -- "--systemd-cgroup .*create .*$1\$" "$RT_CALLS" ||
		{ echo "no create of $1 with --systemd-cgroup in:" >&2; cat "$RT_CALLS" >&2; return 1; }
}

# sd_slice_dir SLICE: the slice's cgroup (a-b.slice: /a.slice/a-b.slice)
sd_slice_dir() {
	local acc= p= x
	[ "$1" = -.slice ] && return 0
	for x in ${1//-/ }; do
		acc="${acc:+$acc-}${x%.slice}"
		p="$p/$acc.slice"
	done
	echo "$p"
}

sd_cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

# sd_assert_scope SLICE UNIT PID...: each PID is in UNIT, an active
# transient scope of SLICE, delegated, its cgroup the slice's /UNIT
sd_assert_scope() {
	local slice="$1" unit="$2" cg p
	shift 2
	cg="$(sd_slice_dir "$slice")/$unit"
	for p in "$@"; do assert_eq "$(sd_cgroup_of "$p")" "$cg"; done
	assert_eq "$(systemctl show -P ActiveState "$unit")" active
	assert_eq "$(systemctl show -P Transient "$unit")" yes
	assert_eq "$(systemctl show -P Slice "$unit")" "$slice"
	assert_eq "$(systemctl show -P ControlGroup "$unit")" "$cg"
	assert_eq "$(systemctl show -P Delegate "$unit")" yes
}

# sd_assert_limits SLICE UNIT MEMORY [PIDS]: the limits as the unit's
# properties and in its cgroup
sd_assert_limits() {
	local cg
	cg="$SD_CG$(sd_slice_dir "$1")/$2"
	assert_eq "$(systemctl show -P MemoryMax "$2")" "$3"
	assert_eq "$(cat "$cg/memory.max")" "$3"
	[ -n "${4:-}" ] || return 0
	assert_eq "$(systemctl show -P TasksMax "$2")" "$4"
	assert_eq "$(cat "$cg/pids.max")" "$4"
}

# sd_assert_frozen SLICE UNIT 0|1: the scope's cgroup is (not) frozen
sd_assert_frozen() {
	local ev i
	ev="$SD_CG$(sd_slice_dir "$1")/$2/cgroup.events"
	# (the kernel reports the state once every task is frozen)
	for i in $(seq 100); do
		grep -qx "frozen $3" "$ev" && return 0
		sleep 0.1
	done
	echo "$ev:" >&2
	cat "$ev" >&2
	return 1
}

# sd_assert_gone SLICE UNIT: (within 10 s) no such unit, no such cgroup
sd_assert_gone() {
	local cg i
	cg="$SD_CG$(sd_slice_dir "$1")/$2"
	for i in $(seq 100); do
		[ "$(systemctl show -P LoadState "$2")" = not-found ] && [ ! -d "$cg" ] && return 0
		sleep 0.1
	done
	echo "left behind: unit $2 ($(systemctl show -P LoadState "$2") $(systemctl show -P ActiveState "$2")), cgroup $cg: $([ -d "$cg" ] && echo there || echo gone)" >&2
	return 1
}

# sd_leftovers: the units and cgroups of every container the runtime
# created (named after its id), stopped; fails when there were any
sd_leftovers() {
	local id u left=()
	[ -s "${RT_CALLS:-}" ] || return 0
	for id in $(sed -n 's/.* create .* \([^ ]*\)$/\1/p' "$RT_CALLS" | sort -u); do
		for u in $(systemctl list-units --all --plain --no-legend "*$id*" | awk '{ print $1 }'); do
			left+=("unit $u")
			timeout 30 systemctl stop "$u" 2>/dev/null
			systemctl reset-failed "$u" 2>/dev/null
		done
		for u in $(find "$SD_CG" -maxdepth 4 -type d -name "*$id*" 2>/dev/null); do left+=("cgroup $u"); done
	done
	[ ${#left[@]} -eq 0 ] || { printf 'left behind: %s\n' "${left[@]}" >&2; return 1; }
}
