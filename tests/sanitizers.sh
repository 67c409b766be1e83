#!/bin/bash
# A test build with -fsanitize=address,undefined (configure --enable-sanitizers)
# in a copy of the tree, then its unit tests and the lifecycle, errors and
# process bats files against the sanitized binary.  Prints TAP-ish lines and
# a last line `N passed, N failed`.  Called by tests/run.sh.
set -uo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOGS="$REPO_ROOT/tests/logs"
dir="$(mktemp -d /tmp/skiff-asan.XXXX)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$LOGS"

cd "$REPO_ROOT" || exit 1
if git rev-parse --git-dir >/dev/null 2>&1; then
	{ git ls-files; git ls-files --others --exclude-standard; } | grep -v '^tests/logs/' |
		tar -cf - -T - 2>/dev/null | tar -xf - -C "$dir"
else
	tar -cf - --exclude=./tests/logs . | tar -xf - -C "$dir"
fi
cd "$dir" || exit 1
if ! { autoreconf -fi && ./configure --enable-sanitizers --without-musl && make -j2; } >"$LOGS/asan-build.log" 2>&1; then
	tail -20 "$LOGS/asan-build.log"
	echo "not ok - sanitizer build (see tests/logs/asan-build.log)"
	echo "0 passed, 1 failed"
	exit 1
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}"
# The unit tests under the sanitizers (test_config finds the spec's extra cases
# relative to the source dir: point it at the one beside the repository).
passed=0 failed=0
for t in test_config test_resolve test_seccomp test_seccomp_args test_seccomp_notify; do
	make -s "tests/unit/$t" >>"$LOGS/asan-build.log" 2>&1
	out="$(cd "$REPO_ROOT" && OCI_SPEC_DIR="${OCI_SPEC_DIR:-$REPO_ROOT/../shared/oci-runtime-spec}" \
		"$dir/tests/unit/$t" 2>&1)"
	rc=$?
	line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)"
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		grep -E '^not ok|ERROR|runtime error' <<<"$out" | head -20
		echo "not ok - asan: unit $t (exit $rc)"
		failed=$((failed + 1))
	else
		echo "ok - asan: unit $t ($line)"
		passed=$((passed + 1))
	fi
done
out="$(cd "$REPO_ROOT" && SKIFF_NO_SANITIZERS=1 SKIP_BUILD=1 SKIFF="$dir/skiff" \
	TESTS="lifecycle errors process" bash tests/run.sh 2>&1)"
grep -E '^(not )?ok ' <<<"$out" | sed 's/^\(not \)\?ok [0-9]* /&asan: /'
line="$(tail -1 <<<"$out")"
if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
	passed=$((passed + BASH_REMATCH[1]))
	failed=$((failed + BASH_REMATCH[2]))
else
	echo "not ok - asan: bats run gave no summary"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
