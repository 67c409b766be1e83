#!/usr/bin/env bats
# Regression guard that is not a timed test: the number of syscalls of one
# `skiff run` of /bin/true must stay within the committed budget
# (bench/syscall-budget.txt; bench/syscall-budget --update resets it).
# Self-contained: uses SKIFF (default: the repo's ./skiff) and bench/syscall-budget.

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export SKIFF=${SKIFF:-$REPO/skiff}
}

@test "syscall budget: one skiff run of /bin/true stays within bench/syscall-budget.txt" {
	command -v strace >/dev/null || skip "strace is not installed"
	run "$REPO/bench/syscall-budget"
	echo "$output"
	[ "$status" -eq 0 ]
}
