#!/bin/bash
# Run each libFuzzer target (built by `make fuzz` into tests/fuzz/) for a
# bounded time from its seed corpus (tests/fuzz/corpus/<target>/, read
# only: new inputs go to a scratch directory), with the dictionary.  A
# crash, a leak or undefined behaviour (halt_on_error) fails the target;
# its input is kept as tests/fuzz/found-<target>-crash-* (add it to the
# corpus once fixed).  Prints one TAP line per target with its stats (execs,
# coverage, time) and a last line `N passed, N failed`.
#
#   FUZZ_SECONDS=60        time per target (default 60)
#   FUZZ_TARGETS="config state"   a subset (default: every fuzz_* built)
#   FUZZ_JOBS=1            libFuzzer -jobs/-workers per target
set -uo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-$(cd "$DIR" && ls fuzz_* 2>/dev/null | grep -v '\.c$' | sed 's/^fuzz_//')}"
[ -n "$targets" ] || { echo "not ok - fuzz: no targets built (make fuzz)"; echo "0 passed, 1 failed"; exit 1; }
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
# leaks inside libseccomp itself are not skiff's (lsan.supp says which)
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$DIR/lsan.supp}"
passed=0 failed=0
for t in $targets; do
	bin="$DIR/fuzz_$t"
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz: $t: $bin not built (make fuzz)"
		failed=$((failed + 1))
		continue
	fi
	scratch="$(mktemp -d /tmp/skiff-fuzz-$t.XXXX)"
	log="$scratch/log"
	mkdir "$scratch/corpus"
	start=$SECONDS
	# -timeout: one input may take at most 10 s (a hang is a failure);
	# -rss_limit_mb: 2 GB; -max_len: config.json sized
	jobs=()
	[ "${FUZZ_JOBS:-1}" -gt 1 ] && jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
	dict=(-dict="$DIR/oci.dict")
	case "$t" in netlink | dbus) dict=() ;; esac
	(cd "$scratch" && "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 "${dict[@]}" -artifact_prefix="$DIR/found-$t-" -print_final_stats=1 \
		"${jobs[@]}" "$scratch/corpus" "$DIR/corpus/$t" >"$log" 2>&1 </dev/null)
	rc=$?
	[ "${FUZZ_JOBS:-1}" -gt 1 ] && cat "$scratch"/fuzz-*.log >>"$log" 2>/dev/null
	execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{ n += $NF } END { if (NR) print n }')"
	cov="$(grep -oE '(DONE|#[0-9]+).* cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
	corp="$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)"
	stats="${execs:-?} execs, ${cov:-cov ?}, ${corp:-corp ?}, $((SECONDS - start)) s"
	if [ $rc -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
		echo "ok - fuzz: $t ($stats)"
		passed=$((passed + 1))
	else
		echo "not ok - fuzz: $t (exit $rc; $stats)"
		grep -E 'ERROR:|runtime error:|SUMMARY:|^    #[0-9] ' "$log" | head -15 | sed 's/^/# /'
		mkdir -p "$DIR/../logs" && cp "$log" "$DIR/../logs/fuzz-$t.log"
		failed=$((failed + 1))
	fi
	rm -rf "$scratch"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
