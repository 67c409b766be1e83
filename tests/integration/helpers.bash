# Common helpers for skiff's integration tests (bats).
#
# Every test gets a fresh bundle (busybox rootfs + config from `$SKIFF spec`),
# its own --root state directory and a unique container id ($CID).  teardown
# checks for leftovers (state dirs, mounts, cgroups, processes), cleans them up
# and fails the test if it found any.
#
# Env:
#   SKIFF          runtime binary under test (default: <repo>/skiff); SKIFF=$(which runc)
#                  validates the suite against runc.
#   SKIFF_TIMEOUT  seconds any single runtime command may take (default 20).
#   OCI_SPEC_DIR   an OCI runtime-spec checkout, optional: a few tests compare with it
#                  when there (default: <repo>/../shared/oci-runtime-spec).
#
# Assertions that hold only for skiff (exact error wording, exit codes that runc
# does differently) are guarded with `if is_skiff; then ...` and commented
# "skiff-specific".

bats_require_minimum_version 1.5.0

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
SKIFF="${SKIFF:-$REPO_ROOT/skiff}"
case "$SKIFF" in
/*) ;;
*/*) SKIFF="$(cd "$(dirname "$SKIFF")" && pwd)/$(basename "$SKIFF")" ;;
*) SKIFF="$(command -v "$SKIFF" || echo "$SKIFF")" ;;
esac
RUNTIME_NAME="$(basename "$SKIFF")"
SKIFF_TIMEOUT="${SKIFF_TIMEOUT:-20}"
if [ -z "${OCI_SPEC_DIR:-}" ]; then
	for d in "$REPO_ROOT/../shared/oci-runtime-spec" /work/shared/oci-runtime-spec; do
		[ -d "$d" ] && { OCI_SPEC_DIR="$(cd "$d" && pwd)"; break; }
	done
fi

is_runc() { [[ $RUNTIME_NAME == runc* ]]; }
is_skiff() { [[ $RUNTIME_NAME == skiff* ]]; }

# ---------------------------------------------------------------- setup

# A busybox rootfs template, built once per run (tests/run.sh builds it and
# exports SKIFF_TEST_ROOTFS; bats run by hand builds it here under a lock).
_rootfs_template() {
	if [ -n "${SKIFF_TEST_ROOTFS:-}" ] && [ -x "$SKIFF_TEST_ROOTFS/bin/busybox" ]; then
		echo "$SKIFF_TEST_ROOTFS"
		return
	fi
	local t="$BATS_RUN_TMPDIR/rootfs-template"
	(
		flock 9
		[ -x "$t/bin/busybox" ] || bash "$REPO_ROOT/tools/mkrootfs.sh" "$t" >&2
	) 9>"$BATS_RUN_TMPDIR/rootfs.lock"
	echo "$t"
}

# The config template: `$SKIFF spec` once per run (falls back to `runc spec`
# with a warning, so one broken `spec` does not fail every test; cli.bats tests
# `spec` itself).
_config_template() {
	local t="$BATS_RUN_TMPDIR/config.template.json"
	(
		flock 9
		if [ ! -s "$t" ]; then
			local d
			d="$(mktemp -d "$BATS_RUN_TMPDIR/spec.XXXX")"
			if ! (cd "$d" && timeout 10 "$SKIFF" spec >/dev/null 2>&1 && jq -e . config.json >/dev/null 2>&1); then
				echo "WARNING: '$SKIFF spec' failed; using 'runc spec' for test configs" >&2
				rm -f "$d/config.json"
				(cd "$d" && runc spec)
			fi
			mv "$d/config.json" "$t"
			rm -rf "$d"
		fi
	) 9>"$BATS_RUN_TMPDIR/config.lock"
	echo "$t"
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# The VM tier's second boot after a stopped guest (tests/vm/run.sh) runs
# only the tests the first did not report.
skip_if_reported() {
	if [ -n "${SKIFF_VM_DONE:-}" ] && grep -qxF "${BATS_TEST_FILENAME##*/}:$BATS_TEST_NUMBER" "$SKIFF_VM_DONE"; then
		skip "reported before the guest stopped"
	fi
}

common_setup() {
	skip_if_reported
	# Host safety: cgroups the runtime creates must sit below the run's own
	# cgroup, which tests/run.sh arranges with a private cgroup namespace.
	if [ -z "${SKIFF_TEST_ALLOW_HOST_CGROUPNS:-}" ] &&
		[ "$(readlink /proc/self/ns/cgroup)" = "$(readlink /proc/1/ns/cgroup)" ]; then
		echo "refusing to run outside a private cgroup namespace: use tests/run.sh" >&2
		return 1
	fi
	[ -x "$SKIFF" ] || { echo "runtime binary '$SKIFF' not found or not executable" >&2; return 1; }
	TESTDIR="$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/skiff-test.XXXX")"
	BUNDLE="$TESTDIR/bundle"
	ROOTFS="$BUNDLE/rootfs"
	ROOT="$TESTDIR/state"
	CID="skt$$x$RANDOM"
	mkdir -p "$BUNDLE" "$ROOT"
	cp -a "$(_rootfs_template)" "$ROOTFS"
	cp "$(_config_template)" "$BUNDLE/config.json"
	# Defaults for tests: no terminal, a harmless command, writable root
	# (tests that want a read-only root say so).
	update_config '.process.terminal = false | .process.args = ["true"] | .root.path = "rootfs" | .root.readonly = false'
}

common_teardown() {
	local -a found=()
	local d p m c

	# 1. state dirs under the test's --root
	if [ -d "${ROOT:-/nonexistent}" ]; then
		for d in "$ROOT"/*; do
			[ -e "$d" ] || continue
			found+=("state dir $d")
			timeout 10 "$SKIFF" --root "$ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1 || true
		done
	fi
	# 2. processes running from the test's rootfs
	for p in $(_ctr_pids); do
		found+=("process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))")
		kill -9 "$p" 2>/dev/null || true
	done
	# 3. mounts under the test dir
	for m in $(_test_mounts | sort -r); do
		found+=("mount $m")
		umount -l "$m" 2>/dev/null || true
	done
	# 4. cgroups named after the container
	for c in $(_ctr_cgroups); do
		found+=("cgroup $c")
	done
	_cleanup_cgroups
	# 5. state dirs again (delete may have failed)
	[ -n "${ROOT:-}" ] && [ -d "$ROOT" ] && find "$ROOT" -mindepth 1 -delete 2>/dev/null || true

	if [ ${#found[@]} -gt 0 ]; then
		printf 'LEFTOVER after test: %s\n' "${found[@]}" >&2
		return 1
	fi
}

# pids whose root directory is this test's rootfs (the busybox binary there is
# a private copy, so its inode identifies the rootfs through any bind/pivot),
# or that sit in a cgroup named after the container.
_ctr_pids() {
	[ -n "${ROOTFS:-}" ] || return 0
	local p st cg
	for p in /proc/[0-9]*; do
		cg=
		read -r -d "" cg 2>/dev/null <"$p/cgroup" # (a builtin: no fork per process)
		if [[ $cg == *"$CID"* ]] || [ "$p/root/bin/busybox" -ef "$ROOTFS/bin/busybox" ] 2>/dev/null; then
			# a zombie waiting for its reaper is not running
			st="$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1)"
			[ "$st" = Z ] || [ -z "$st" ] || echo "${p#/proc/}"
		fi
	done
	return 0
}

_test_mounts() {
	[ -n "${TESTDIR:-}" ] || return 0
	awk -v d="$TESTDIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo
}

_cgroup_mounts() {
	findmnt -rn -t cgroup,cgroup2 -o TARGET 2>/dev/null
}

_ctr_cgroups() {
	[ -n "${CID:-}" ] || return 0
	local -a mnts
	mapfile -t mnts < <(_cgroup_mounts)
	[ ${#mnts[@]} -gt 0 ] || return 0
	find "${mnts[@]}" -maxdepth 4 -type d -name "*$CID*" 2>/dev/null
	return 0
}

_cleanup_cgroups() {
	local c i
	for i in 1 2 3; do
		c="$(_ctr_cgroups)"
		[ -n "$c" ] || return 0
		for c in $(_ctr_cgroups | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-); do
			[ -e "$c/cgroup.kill" ] && echo 1 >"$c/cgroup.kill" 2>/dev/null
			# v1 hierarchies: no cgroup.kill; thaw, then kill pid by pid
			[ -e "$c/freezer.state" ] && echo THAWED >"$c/freezer.state" 2>/dev/null
			[ -e "$c/cgroup.kill" ] || xargs -r kill -9 <"$c/cgroup.procs" 2>/dev/null
			rmdir "$c" 2>/dev/null || true
		done
		sleep 0.1
	done
}

# ---------------------------------------------------------------- config

# update_config JQ_FILTER [jq args...]: edit the bundle's config.json in place.
update_config() {
	local f="${CONFIG:-$BUNDLE/config.json}"
	jq "$@" "$f" >"$f.tmp" && mv "$f.tmp" "$f"
}

# set_args ARG...: process.args = the arguments.
set_args() {
	local f="${CONFIG:-$BUNDLE/config.json}" x i=0
	local -a ja=()
	# (not jq --args: jq would take a "-c" among them for one of its options)
	for x in "$@"; do
		ja+=(--arg "$(printf 'a%04d' $i)" "$x")
		i=$((i + 1))
	done
	jq "${ja[@]}" '.process.args = [$ARGS.named | to_entries | sort_by(.key)[] | .value]' "$f" >"$f.tmp" &&
		mv "$f.tmp" "$f"
}

# ---------------------------------------------------------------- running

# rt ARGS...: the runtime with this test's --root, bounded in time.
rt() {
	timeout -k 5 "$SKIFF_TIMEOUT" "$SKIFF" --root "$ROOT" "$@"
}

# create_ctr [OPTIONS] ID / run_detached [OPTIONS] ID: `create` and `run -d`
# with the container's stdio sent to files ($TESTDIR/ID.stdout, .stderr), so a
# container that outlives the command never holds bats' output pipe open.  The
# runtime's stderr is copied to stderr afterwards (for `run --separate-stderr`).
_rt_detached() {
	local id="${!#}" rc=0
	rt "$@" </dev/null >"$TESTDIR/$id.stdout" 2>"$TESTDIR/$id.stderr" || rc=$?
	cat "$TESTDIR/$id.stdout"
	cat "$TESTDIR/$id.stderr" >&2
	return $rc
}
# detached CMD...: run CMD with stdio on files (for a create/run -d spelled out).
detached() {
	local rc=0
	"$@" </dev/null >"$TESTDIR/detached.stdout" 2>"$TESTDIR/detached.stderr" || rc=$?
	cat "$TESTDIR/detached.stderr" >&2
	return $rc
}
create_ctr() { _rt_detached create --bundle "$BUNDLE" "$@"; }
run_detached() { _rt_detached run -d --bundle "$BUNDLE" "$@"; }

# run_ctr ARG...: set process.args and run the container in the foreground
# (`run` deletes it afterwards); use with bats `run`: `run run_ctr sh -c ...`.
run_ctr() {
	set_args "$@"
	rt run --bundle "$BUNDLE" "$CID" </dev/null
}

# in_ctr SHELL_SNIPPET: run `sh -c SNIPPET` in the container, expect exit 0,
# output in $output.
in_ctr() {
	run -0 run_ctr sh -c "$1"
}

# status_of ID: the container's status from `state`, or empty when state fails.
status_of() {
	rt state "$1" 2>/dev/null | jq -r .status 2>/dev/null
}

pid_of() {
	rt state "$1" 2>/dev/null | jq -r .pid 2>/dev/null
}

# wait_for_status ID STATUS [TRIES (x0.05s, default 200)]
wait_for_status() {
	local i n="${3:-200}" s=
	for ((i = 0; i < n; i++)); do
		s="$(status_of "$1")"
		[ "$s" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1: status '$s', wanted '$2'" >&2
	return 1
}

# wait_for_file PATH [TRIES (x0.05s, default 200)]: until PATH is non-empty.
wait_for_file() {
	local i n="${2:-200}"
	for ((i = 0; i < n; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# wait_pid_gone PID [TRIES]
wait_pid_gone() {
	local i n="${2:-200}"
	for ((i = 0; i < n; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "pid $1 still alive" >&2
	return 1
}

# Stop and delete a container, whatever its state (for the end of a test).
cleanup_ctr() {
	rt delete --force "$1" >/dev/null 2>&1 || true
}

# bind-mount a host dir of the test into the container (rw unless "ro" given).
add_bind_mount() {
	local src="$1" dst="$2" opts='["rbind","rw"]'
	[ "${3:-}" = ro ] && opts='["rbind","ro"]'
	update_config '.mounts += [{"destination": $d, "type": "bind", "source": $s, "options": $o}]' \
		--arg d "$dst" --arg s "$src" --argjson o "$opts"
}

# ---------------------------------------------------------------- asserts

# _rt_command: the runtime's command (run, exec...) in the last bats `run`:
# the first word after `rt` or the runtime binary that is no global option.
_rt_command() {
	local -a w
	local i=0
	read -ra w <<<"${BATS_RUN_COMMAND:-}"
	while [ $i -lt ${#w[@]} ] && [[ ${w[i]} != rt && ${w[i]} != "$SKIFF" ]]; do i=$((i + 1)); done
	for ((i++; i < ${#w[@]}; i++)); do
		case "${w[i]}" in
		--root | --log | --log-format | --cgroup-manager | --rootless | --criu) i=$((i + 1)) ;;
		-*) ;;
		*) echo "${w[i]}" && return 0 ;;
		esac
	done
}

# assert_one_line_error [STATUS]: after `run --separate-stderr`: non-zero
# status and exactly one non-empty line on stderr.  skiff's status is 1,
# 255 for `exec` (runc's), or STATUS.
assert_one_line_error() {
	if [ "$status" -eq 0 ]; then
		echo "expected failure, got status 0; stdout: $output; stderr: $stderr" >&2
		return 1
	fi
	local n
	n="$(printf '%s\n' "$stderr" | grep -c .)"
	if [ "$n" -ne 1 ]; then
		echo "expected one error line on stderr, got $n:" >&2
		printf '%s\n' "$stderr" >&2
		return 1
	fi
	# skiff-specific: errors are `skiff: <message>`, exit status 1 (exec: 255).
	if is_skiff; then
		local want="${1:-1}"
		[ -z "${1:-}" ] && [ "$(_rt_command)" = exec ] && want=255
		[[ $stderr == skiff:* ]] || { echo "stderr does not start with 'skiff:': $stderr" >&2; return 1; }
		[ "$status" -eq "$want" ] || { echo "expected exit $want, got $status" >&2; return 1; }
	fi
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	if [[ $1 != *"$2"* ]]; then
		printf 'expected to find: %s\nin: %s\n' "$2" "$1" >&2
		return 1
	fi
}

assert_not_contains() {
	if [[ $1 == *"$2"* ]]; then
		printf 'did not expect: %s\nin: %s\n' "$2" "$1" >&2
		return 1
	fi
}

assert_eq() {
	if [ "$1" != "$2" ]; then
		printf 'expected: %s\n     got: %s\n' "$2" "$1" >&2
		return 1
	fi
}

# Validate a state JSON (stdin): the required fields, their types and the
# status enum of the repository's tests/integration/data/state-schema.json
# (state.bats compares it with the spec's schema when a copy is there).
validate_state_json() {
	local json schema="$REPO_ROOT/tests/integration/data/state-schema.json"
	json="$(cat)"
	jq -e . >/dev/null <<<"$json" || { echo "state is not JSON: $json" >&2; return 1; }
	jq -e '.required and .properties.status.enum' "$schema" >/dev/null || { echo "cannot read $schema" >&2; return 1; }
	# required fields; each field present has its type (and status one of
	# the enum); a created or running container has a pid
	jq -e --slurpfile sc "$schema" '
		$sc[0] as $sc | . as $s |
		all($sc.required[]; . as $k | $s | has($k)) and
		all($sc.properties | to_entries[]; .key as $k | .value as $p |
			($s | has($k) | not) or
			(($s[$k] | type) as $t | $t == $p.type or
				($p.type == "integer" and $t == "number" and ($s[$k] | . == floor and . >= ($p.minimum // -infinite))))) and
		(.status as $st | $sc.properties.status.enum | index($st) != null) and
		(if .status == "created" or .status == "running" then (.pid | type == "number" and . > 0) else true end)
	' >/dev/null <<<"$json" || { echo "state JSON invalid: $json" >&2; return 1; }
}

# a copy of skiff `nobody` can execute, $TESTDIR/skiff-nobody (the build may
# sit below /root)
nobody_skiff() {
	install -m 755 "$SKIFF" "$TESTDIR/skiff-nobody"
	local d="$TESTDIR"
	while [ "$d" != / ]; do chmod o+x "$d"; d="$(dirname "$d")"; done
}

# the files that need /sys/fs/cgroup a cgroup v2 with its controllers (the
# VM tier's v2 pass; the host's hybrid cgroup2 has none) skip elsewhere
skip_unless_cgroup2_controllers() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] ||
		! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		skip "needs a cgroup v2 host with controllers (run in the VM tier: tests/vm/run.sh)"
	fi
}

# use_userns HOSTID: a user namespace mapping 0..65535 to HOSTID.., the
# rootfs theirs and the path to it searchable.
use_userns() {
	local d="$ROOTFS"
	update_config '.linux.namespaces += [{"type":"user"}] | .linux.namespaces |= unique_by(.type)
		| .linux.uidMappings = [{"containerID": 0, "hostID": '"$1"', "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": '"$1"', "size": 65536}]'
	chown -R "$1:$1" "$ROOTFS"
	while [ "$d" != / ]; do chmod o+x "$d"; d="$(dirname "$d")"; done
}
