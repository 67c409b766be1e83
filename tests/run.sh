#!/bin/bash
# tests/run.sh: the whole test suite (run as root).
#
#   1. tools/deps.sh (installs what is missing)
#   2. build: autoreconf/configure when needed, make, make check (C unit tests)
#   3. inside a private cgroup+mount namespace (cgroup hierarchies remounted so
#      that every cgroup a test creates sits below the run's own cgroup), bats
#      on tests/integration/*.bats (TAP);
#      then the runc-parity files (compat_*.bats, when selected) once more
#      against runc as a control, their test lines prefixed "runc-control:"
#   4. a sanitizer build (tests/sanitizers.sh): unit tests and lifecycle/errors/process
#      bats files against skiff built with -fsanitize=address,undefined
#   5. fuzzing: tests/fuzz/run.sh runs each libFuzzer target (make fuzz)
#      for FUZZ_SECONDS (default 60) from its seed corpus
#   6. the VM tier: tests/vm/run.sh boots Debian's kernel under qemu three
#      times: with every cgroup v2 controller (a unified host: cgroups_v2,
#      features, checkpoint with criu, sandbox limits...), at the same time
#      with v1 hierarchies only and no cgroup2 at all (a legacy host:
#      cgroups_v1, features), then, once the legacy pass is done, with
#      systemd as PID 1 on cgroup v2 (the systemd cgroup driver, and podman,
#      containerd and Docker in their systemd configuration)
#   7. one last line: `N passed, N failed[, N skipped]`; exit 1 if anything failed.
#
# Env:
#   SKIFF=/path/to/runtime   runtime under test (default: the freshly built ./skiff)
#   TESTS="lifecycle errors" or "tests/integration/cli.bats ..."   run a subset of bats files
#   SKIP_BUILD=1             do not build or run unit tests (e.g. SKIFF=$(which runc))
#   SKIP_UNIT=1              build, but skip `make check`
#   SKIP_FUZZ=1              skip the fuzzing stage (FUZZ_SECONDS: time per target)
#   SKIP_VM=1                skip the VM tier (tests/vm/run.sh, both passes)
#   VM_ONLY=1                only the VM tier (after the build and unit tests, which
#                            SKIP_BUILD/SKIP_UNIT skip): no host bats, no sanitizer stage
#   BATS_FILTER=REGEX        run only the bats tests whose name matches (bats --filter)
#   RUNC_CONTROL=0           do not run the compat_*.bats files against runc as well
#   VM_TESTS="cgroups_v2 ..." bats files for the VM tier's v2 pass (default: cgroups_v2
#                            features checkpoint checkpoint_podman sandbox_limits check_vm)
#   VM_LEGACY_TESTS="cgroups_v1 ..." bats files for its legacy (v1-only) pass
#                            (default: cgroups_v1 features); "none" skips that pass (VM_TESTS=none too)
#   VM_PARALLEL=0            boot the two VM passes one after the other (default: at once)
#   VM_SYSTEMD_TESTS="systemd ..." bats files for the third pass: systemd as PID 1 on
#                            cgroup v2, booted once the legacy pass is done (default
#                            "all": systemd, systemd_driver and the engines in their
#                            systemd configuration: systemd_podman systemd_containerd
#                            systemd_docker); "none" skips it.  With TESTS, the pass
#                            runs only when VM_SYSTEMD=1 (or VM_ONLY=1)
#   VM_TIMEOUT=SECONDS       bound of each VM boot (default here: 1500)
#   VM_STALL, VM_RETRIES, VM_TCG_THREAD, VM_TEST_STOP_AFTER: see tests/vm/run.sh
#                            (a stopped guest is booted once more for the rest)
# Logs: tests/logs/{deps,build,unit,bats,bats-runc-control}.log, tests/logs/vm-{bats,console}[-legacy].log
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 1
LOGS="$REPO_ROOT/tests/logs"

# ------------------------------------------------------------------ inner part
# Runs inside `unshare --cgroup --mount --propagation private`.
remount_cgroups() {
	# Remount every cgroup hierarchy so that its root is this namespace's
	# cgroup (the run's own cgroup): what the tests create lands below it.
	local target opts fstype o
	while read -r target opts fstype; do
		o="$(tr ',' '\n' <<<"$opts" | grep -vxE 'rw|ro' | paste -sd, -)"
		umount -l "$target" || { echo "run.sh: umount $target failed" >&2; return 1; }
		if [ "$fstype" = cgroup2 ]; then
			mount -t cgroup2 ${o:+-o "$o"} cgroup2 "$target"
		else
			mount -t cgroup ${o:+-o "$o"} cgroup "$target"
		fi || { echo "run.sh: remount of $target ($fstype $o) failed" >&2; return 1; }
	done < <(findmnt -rn -t cgroup,cgroup2 -o TARGET,FS-OPTIONS,FSTYPE)
}

# cgroup_dirs: every cgroup below the roots of the hierarchies mounted here
# (after remount_cgroups: the run's own cgroup and below).
cgroup_dirs() {
	local m
	for m in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		find "$m" -mindepth 1 -type d 2>/dev/null
	done | sort
}

# left_behind BEFORE WHAT: the cgroups made since the listing BEFORE and
# still there, as one "not ok" line (status 1); a test's teardown checks
# its own container's, this catches the rest (unit tests, other names).
left_behind() {
	local new n
	new="$(cgroup_dirs | comm -13 "$1" -)"
	[ -z "$new" ] && return 0
	n=$(wc -l <<<"$new")
	echo "not ok - $n cgroup(s) left behind by $2: $(head -3 <<<"$new" | paste -sd' ' -)$([ "$n" -gt 3 ] && echo ' ...')"
	return 1
}

# --ns FILE CMD...: run CMD with the cgroup hierarchies remounted (unit
# tests); what it leaves behind goes to FILE.
if [ "${1:-}" = --ns ]; then
	report="$2"
	shift 2
	remount_cgroups || exit 1
	before="$(mktemp)"
	cgroup_dirs >"$before"
	"$@"
	rc=$?
	left_behind "$before" "the unit tests" >"$report" || rc=1
	rm -f "$before"
	exit $rc
fi

if [ "${1:-}" = --inside ]; then
	shift
	remount_cgroups || exit 1
	export SKIFF_TEST_ROOTFS
	SKIFF_TEST_ROOTFS="$(mktemp -d /tmp/skiff-rootfs.XXXX)"
	bash "$REPO_ROOT/tools/mkrootfs.sh" "$SKIFF_TEST_ROOTFS" || exit 1
	export BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-90}"
	before="$(mktemp)"
	cgroup_dirs >"$before"
	# One bats per file, each bounded: a test that hangs (e.g. on a pipe a
	# stray container process holds) costs that file, not the whole run.
	rc=0
	for f in "$@"; do
		timeout -k 10 "${SKIFF_FILE_TIMEOUT:-900}" bats --tap --timing --print-output-on-failure \
			${BATS_FILTER:+--filter "$BATS_FILTER"} "$f" </dev/null
		frc=$?
		[ $frc -eq 124 ] || [ $frc -eq 137 ] && echo "# $f: timed out after ${SKIFF_FILE_TIMEOUT:-900}s"
		[ $frc -eq 0 ] || rc=1
	done
	rm -rf "$SKIFF_TEST_ROOTFS"
	left_behind "$before" "the bats run" || rc=1
	rm -f "$before"
	exit $rc
fi

# ------------------------------------------------------------------ outer part
mkdir -p "$LOGS"
[ "$(id -u)" -eq 0 ] || { echo "tests/run.sh: must run as root" >&2; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0

if ! bash tools/deps.sh >"$LOGS/deps.log" 2>&1; then
	cat "$LOGS/deps.log"
	echo "not ok - tools/deps.sh (see tests/logs/deps.log)"
	failed=$((failed + 1))
fi

# ---- build + unit tests
if [ -z "${SKIP_BUILD:-}" ]; then
	build_ok=1
	{
		if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
			autoreconf -fi || build_ok=0
		fi
		if [ $build_ok = 1 ] && { [ ! -f Makefile ] || [ configure -nt Makefile ]; }; then
			./configure || build_ok=0
		fi
		[ $build_ok = 1 ] && { make -j2 || build_ok=0; }
	} >"$LOGS/build.log" 2>&1
	if [ $build_ok = 1 ]; then
		echo "# build ok"
	else
		tail -30 "$LOGS/build.log"
		echo "not ok - build (see tests/logs/build.log)"
		failed=$((failed + 1))
	fi

	if [ $build_ok = 1 ] && [ -z "${SKIP_UNIT:-}" ]; then
		# Each unit test binary prints `ok - ...`/`not ok - ...` and `N passed, N failed`;
		# automake's harness keeps its output in tests/unit/<name>.log.
		# The test programs, as the generated Makefile expands $(TESTS):
		progs="$(make --no-print-directory -s -f Makefile -f <(printf 'skiff-print-tests:\n\t@echo $(TESTS)\n') skiff-print-tests 2>/dev/null)"
		progs="${progs//\$(EXEEXT)/}"
		for p in $progs; do rm -f "$p.log" "$p.trs"; done # no stale results
		# (inside the private cgroup namespace too: unit tests may create cgroups)
		unshare --cgroup --mount --propagation private -- bash "$REPO_ROOT/tests/run.sh" --ns \
			"$LOGS/unit-leftovers.log" make -j2 check >"$LOGS/unit.log" 2>&1 </dev/null
		check_rc=$?
		if [ -s "$LOGS/unit-leftovers.log" ]; then
			cat "$LOGS/unit-leftovers.log"
			failed=$((failed + 1))
		fi
		unit_counted=0
		for p in $progs; do
			log="$p.log"
			if [ -f "$log" ]; then
				grep -E '^(not )?ok ' "$log" | sed "s|^|$(basename "$p"): |"
				cat "$log" >>"$LOGS/unit.log"
				line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)"
				if [ -n "$line" ]; then
					np="$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")"
					nf="$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")"
					passed=$((passed + np))
					failed=$((failed + nf))
					# a crash after the summary line, or a non-zero exit with no failure counted
					if [ "$nf" -eq 0 ] && grep -qE '^:test-result: (FAIL|ERROR)' "$p.trs" 2>/dev/null; then
						echo "not ok - $(basename "$p"): exited non-zero"
						failed=$((failed + 1))
					fi
				else
					echo "not ok - $(basename "$p"): no summary line (crashed?)"
					failed=$((failed + 1))
				fi
				unit_counted=1
			else
				echo "not ok - $(basename "$p"): did not run (see tests/logs/unit.log)"
				failed=$((failed + 1))
			fi
		done
		if [ $check_rc -ne 0 ] && [ $unit_counted = 0 ]; then
			tail -30 "$LOGS/unit.log"
			echo "not ok - make check (see tests/logs/unit.log)"
			failed=$((failed + 1))
		fi
	fi
fi

# ---- integration tests (bats)
files=()
if [ -n "${VM_ONLY:-}" ]; then
	:
elif [ -n "${TESTS:-}" ]; then
	for t in $TESTS; do
		found=
		for f in "$t" "tests/integration/$t" "tests/integration/$t.bats"; do
			if [ -f "$f" ]; then found="$f"; break; fi
		done
		if [ -n "$found" ]; then
			files+=("$found")
		else
			echo "not ok - no such test file: $t"
			failed=$((failed + 1))
		fi
	done
else
	files=(tests/integration/*.bats)
fi

# run_bats LABEL FILE...: the bats files against $SKIFF in the private
# namespaces (tests/run.sh --inside); their TAP is printed (test lines
# prefixed with LABEL when one is given) and counted.
run_bats() {
	local label="$1" blog inner bats_rc bats_out bp bs bf plan
	shift
	# The output goes to a file (a per-run name: several runs may share this
	# tree), not a pipe, which a stray container process could hold open.
	blog="$LOGS/bats.log.$$"
	: >"$blog"
	unshare --cgroup --mount --propagation private -- bash "$REPO_ROOT/tests/run.sh" --inside "$@" </dev/null >"$blog" 2>&1 &
	inner=$!
	if [ -n "$label" ]; then
		tail -n +1 -f --pid=$inner "$blog" | sed -u "s/^\(not \)\{0,1\}ok /&$label: /"
	else
		tail -n +1 -f --pid=$inner "$blog"
	fi
	wait $inner
	bats_rc=$?
	bats_out="$(cat "$blog")"
	mv -f "$blog" "$LOGS/bats${label:+-$label}.log"
	bp=$(grep -E '^ok ' <<<"$bats_out" | grep -vcE '^ok [0-9]+ .*# skip')
	bs=$(grep -cE '^ok [0-9]+ .*# skip' <<<"$bats_out")
	bf=$(grep -cE '^not ok ' <<<"$bats_out")
	plan=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' <<<"$bats_out" | awk '{ n += $1 } END { print n + 0 }')
	passed=$((passed + bp))
	skipped=$((skipped + bs))
	failed=$((failed + bf))
	if [ -n "$plan" ] && [ $((bp + bs + bf)) -lt "$plan" ]; then
		echo "not ok - ${label:-bats}: only $((bp + bs + bf)) of $plan tests reported"
		failed=$((failed + plan - bp - bs - bf))
	elif [ $bats_rc -ne 0 ] && [ "$bf" -eq 0 ]; then
		echo "not ok - ${label:-bats} exited with status $bats_rc"
		failed=$((failed + 1))
	fi
}

if [ ${#files[@]} -gt 0 ] && [ -f "${files[0]}" ]; then
	export SKIFF="${SKIFF:-$REPO_ROOT/skiff}"
	case "$SKIFF" in
	/*) ;;
	*/*) SKIFF="$(cd "$(dirname "$SKIFF")" && pwd)/$(basename "$SKIFF")" ;;
	*) SKIFF="$(command -v "$SKIFF" || echo "$SKIFF")" ;;
	esac
	echo "# integration tests against $SKIFF"
	run_bats "" "${files[@]}"

	# ---- runc as a control: the runc-parity files (compat_*.bats) once more
	# against runc, which must pass them too (skiff-only assertions are
	# guarded with is_skiff); not when the run is against runc already.
	# RUNC_CONTROL=0 skips it.
	compat=()
	for f in "${files[@]}"; do
		case "${f##*/}" in compat_*.bats) compat+=("$f") ;; esac
	done
	if [ ${#compat[@]} -gt 0 ] && [ "${RUNC_CONTROL:-1}" != 0 ] && [[ ${SKIFF##*/} != runc* ]]; then
		if runc_bin="$(command -v runc)"; then
			echo "# runc-control: ${compat[*]##*/} against $runc_bin"
			SKIFF="$runc_bin" run_bats runc-control "${compat[@]}"
		else
			echo "not ok - runc-control: no runc installed (tools/deps.sh installs it)"
			failed=$((failed + 1))
		fi
	fi
fi

# ---- the sanitizer build (-fsanitize=address,undefined): unit tests and
# the lifecycle/errors/process files again against it
if [ -z "${SKIP_BUILD:-}" ] && [ -z "${SKIFF_NO_SANITIZERS:-}" ] && [ -z "${TESTS:-}" ] && [ -z "${VM_ONLY:-}" ]; then
	echo "# sanitizer build"
	san_out="$(bash "$REPO_ROOT/tests/sanitizers.sh" 2>&1)"
	grep -E '^(not )?ok ' <<<"$san_out"
	san_line="$(tail -1 <<<"$san_out")"
	if [[ $san_line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
	else
		tail -20 <<<"$san_out"
		echo "not ok - sanitizer stage gave no summary"
		failed=$((failed + 1))
	fi
fi

# ---- fuzzing: the libFuzzer targets (make fuzz, clang) for FUZZ_SECONDS
# each (default 60: ~5 minutes for the five), one result per target
if [ -z "${SKIP_BUILD:-}" ] && [ -z "${SKIP_FUZZ:-}" ] && [ -z "${TESTS:-}" ] && [ -z "${VM_ONLY:-}" ]; then
	echo "# fuzzing (${FUZZ_SECONDS:-60} s per target)"
	if ! make -s fuzz >"$LOGS/fuzz-build.log" 2>&1; then
		tail -20 "$LOGS/fuzz-build.log"
		echo "not ok - fuzz: build (see tests/logs/fuzz-build.log)"
		failed=$((failed + 1))
	else
		fuzz_out="$(bash "$REPO_ROOT/tests/fuzz/run.sh" 2>&1)"
		grep -E '^(not )?ok |^# ' <<<"$fuzz_out"
		if [[ $(tail -1 <<<"$fuzz_out") =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
			passed=$((passed + BASH_REMATCH[1]))
			failed=$((failed + BASH_REMATCH[2]))
		else
			echo "not ok - fuzz stage gave no summary"
			failed=$((failed + 1))
		fi
	fi
fi

# ---- VM tier: bats files that need a kernel of their own (tests/vm/run.sh boots
# one under qemu; it installs qemu and a kernel when missing), in two passes:
# cgroup v2 (VM_TESTS) and legacy cgroup v1 with no cgroup2 (VM_LEGACY_TESTS),
# one boot each.  SKIP_VM=1 skips both; with TESTS set (and no VM_ONLY) a pass
# runs only when its variable names its files.
# The two passes boot in parallel (VM_PARALLEL=0: one after the other), each
# guest on one host thread: the tier takes about as long as the legacy pass
# (~5 and ~11 min on 2 CPUs), hence a 1500 s bound per boot (VM_TIMEOUT;
# room for a slower machine) instead of tests/vm/run.sh's 600.  A guest that
# stops for good is killed after 10 min without output and booted once more
# for the rest (tests/vm/run.sh).
# vm_start MODE FILE...: boot the pass in the background; its output goes
# to $LOGS/vm-out-MODE.$$ (vm_pid_MODE: the job).
vm_start() {
	local mode="$1" t f
	shift
	local -a vfiles=()
	for t in "$@"; do
		for f in "$t" "tests/integration/$t" "tests/integration/$t.bats"; do
			if [ -f "$f" ]; then vfiles+=("$f"); break; fi
		done
	done
	[ ${#vfiles[@]} -gt 0 ] || return 0
	echo "# VM tier, $mode pass (qemu): ${vfiles[*]}"
	(
		start=$SECONDS
		VM_CGROUP=$mode VM_TIMEOUT="${VM_TIMEOUT:-1500}" bash tests/vm/run.sh "${vfiles[@]}"
		rc=$?
		echo "# vm-rc $rc $((SECONDS - start))"
	) </dev/null >"$LOGS/vm-out-$mode.$$" 2>&1 &
	printf -v "vm_pid_$mode" %s $!
}

# vm_collect MODE LABEL: wait for the pass, print its TAP (test lines
# prefixed with LABEL) and add its results to the counts.
vm_collect() {
	local mode="$1" label="$2" pidvar="vm_pid_$1" out rc secs vp vs vf plan logsfx=
	[ -n "${!pidvar:-}" ] || return 0
	wait "${!pidvar}"
	out="$(cat "$LOGS/vm-out-$mode.$$")"
	rm -f "$LOGS/vm-out-$mode.$$"
	read -r rc secs < <(sed -n 's/^# vm-rc //p' <<<"$out")
	out="$(grep -v '^# vm-rc ' <<<"$out")"
	sed "s/^\(not \)\{0,1\}ok /&$label: /" <<<"$out"
	vp=$(grep -E '^ok ' <<<"$out" | grep -vcE '^ok [0-9]+ .*# skip')
	vs=$(grep -cE '^ok [0-9]+ .*# skip' <<<"$out")
	vf=$(grep -cE '^not ok ' <<<"$out")
	plan=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' <<<"$out" | awk '{ n += $1 } END { print n + 0 }')
	passed=$((passed + vp))
	skipped=$((skipped + vs))
	failed=$((failed + vf))
	[ "$mode" != v2 ] && logsfx=-$mode
	if [ "$plan" -gt 0 ] && [ $((vp + vs + vf)) -lt "$plan" ]; then
		echo "not ok - $label: only $((vp + vs + vf)) of $plan tests reported (see tests/logs/vm-console$logsfx.log)"
		failed=$((failed + plan - vp - vs - vf))
	elif [ "${rc:-1}" -ne 0 ] && [ "$vf" -eq 0 ]; then
		echo "not ok - $label: tests/vm/run.sh exited with status ${rc:-?} (see tests/logs/vm-console$logsfx.log)"
		failed=$((failed + 1))
	fi
	echo "# VM tier, $mode pass: $vp passed, $vf failed, $vs skipped in ${secs:-?}s"
	# a stuck test or guest (not a plain failing test: its output is above)
	if [ $((vp + vs + vf)) -lt "$plan" ] || [ -z "${rc:-}" ] || [ -s "$LOGS/vm-stall$logsfx.log" ]; then
		vm_failed+=("$mode")
	fi
	return 0
}

# vm_diagnose MODE: what a failed pass left to go on, kept short (it is
# printed last, where a CI log's tail shows it): the watchdog's report of a
# stuck test, else the end of the guest's console.
vm_diagnose() {
	local sfx= f
	[ "$1" != v2 ] && sfx=-$1
	f="$LOGS/vm-stall$sfx.log"
	if [ -s "$f" ]; then
		echo "# VM $1 pass, a stuck test (tests/logs/vm-stall$sfx.log):"
		head -n 40 "$f" | sed 's/^/#   /'
	else
		echo "# VM $1 pass, the console's last lines (tests/logs/vm-console$sfx.log):"
		grep -av '^\[ *[0-9.]*\] \(ACPI\|pci\|PCI\)' "$LOGS/vm-console$sfx.log" | tail -n 15 | sed 's/^/#   /'
	fi
}

if [ -z "${SKIP_VM:-}" ]; then
	if [ -z "${TESTS:-}" ] || [ -n "${VM_ONLY:-}" ]; then
		# features.bats: the rdma claim needs the rdma controller (the VM's
		# kernel has it), the v1 claim a legacy host; checkpoint*: criu works
		# on the guest's kernel, not on a 6.18 host
		vm_v2="${VM_TESTS:-cgroups_v2 features checkpoint checkpoint_podman sandbox_limits check_vm}"
		vm_legacy="${VM_LEGACY_TESTS:-cgroups_v1 features}"
		vm_systemd="${VM_SYSTEMD_TESTS:-all}"
	else
		vm_v2="${VM_TESTS:-}"
		vm_legacy="${VM_LEGACY_TESTS:-}"
		vm_systemd=
		[ -n "${VM_SYSTEMD:-}" ] && vm_systemd="${VM_SYSTEMD_TESTS:-all}"
	fi
	[ "$vm_v2" = none ] && vm_v2=
	[ "$vm_legacy" = none ] && vm_legacy=
	[ "$vm_systemd" = none ] && vm_systemd=
	[ "$vm_systemd" = all ] && vm_systemd="systemd systemd_driver systemd_podman systemd_containerd systemd_docker"
	vm_pid_v2= vm_pid_legacy= vm_pid_systemd=
	vm_failed=()
	vm_t0=$SECONDS
	# shellcheck disable=SC2086
	[ -n "$vm_v2" ] && vm_start v2 $vm_v2
	[ "${VM_PARALLEL:-1}" = 0 ] && vm_collect v2 vm && vm_pid_v2=
	# shellcheck disable=SC2086
	[ -n "$vm_legacy" ] && vm_start legacy $vm_legacy
	# the systemd pass takes the core of the legacy one, the shorter pass
	vm_collect legacy vm-legacy
	# shellcheck disable=SC2086
	[ -n "$vm_systemd" ] && vm_start systemd $vm_systemd
	[ "${VM_PARALLEL:-1}" = 0 ] && vm_collect systemd vm-systemd && vm_pid_systemd=
	vm_collect v2 vm
	vm_collect systemd vm-systemd
	[ -n "$vm_v2$vm_legacy$vm_systemd" ] && echo "# VM tier: $((SECONDS - vm_t0))s"
	for m in "${vm_failed[@]}"; do vm_diagnose "$m"; done
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
