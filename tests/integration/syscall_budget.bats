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

# The hot-first layout (tools/layout.sh): every function the list names still
# exists (a renamed one would silently fall back to the cold part), and the
# functions a start runs sit in .text.hot.
@test "layout: tools/hot-functions.txt names skiff's functions, laid out in .text.hot" {
	readelf -SW "$SKIFF" | grep -q ' \.text\.hot ' || skip "built without the layout (configure found no INSERT-capable linker)"
	local f missing=() syms
	syms="$(nm "$SKIFF" 2>/dev/null | awk 'NF == 3 && $2 ~ /[tT]/ { n = $3; sub(/\..*$/, "", n); print n }' | sort -u)"
	[ -n "$syms" ] || skip "$SKIFF has no symbol table (stripped)"
	while read -r f; do
		grep -qx -- "$f" <<<"$syms" || missing+=("$f")
	done < <(grep -v '^#' "$REPO/tools/hot-functions.txt")
	if [ ${#missing[@]} -gt 0 ]; then
		echo "not in $SKIFF (rerun tools/hot-functions.sh): ${missing[*]}" >&2
		return 1
	fi
	# main and the config parser are in .text.hot, `update` is not
	local addr size a
	read -r addr size < <(readelf -SW "$SKIFF" |
		sed -n 's/.* \.text\.hot  *PROGBITS  *\([0-9a-f]*\) [0-9a-f]* \([0-9a-f]*\) .*/\1 \2/p')
	in_hot() {
		a="$(nm "$SKIFF" | awk -v f="$1" '$3 == f { print $1 }')"
		[ -n "$a" ] && (( 0x$a >= 0x$addr && 0x$a < 0x$addr + 0x$size ))
	}
	in_hot main
	in_hot sk_config_parse
	! in_hot sk_cmd_update
}

# configure --with-musl (the default when musl is installed): one static-pie
# program, so no dynamic loader runs at a container start, and the kernel
# still loads it at a random address (ET_DYN).
@test "build: the musl build is static-pie: no interpreter, no shared library, position-independent" {
	[ "$SKIFF" = "$REPO/skiff" ] && [ -f "$REPO/Makefile" ] || skip "not the repo's build"
	grep -q '^#define SKIFF_MUSL 1' "$REPO/config.h" || skip "configured without musl"
	run readelf -hldW "$SKIFF"
	[ "$status" -eq 0 ]
	grep -Eq 'Type: +DYN ' <<<"$output"
	! grep -q 'INTERP' <<<"$output"
	! grep -q '(NEEDED)' <<<"$output"
	# and it runs: the libc is musl (its loader is not there to name one)
	"$SKIFF" --version >/dev/null
	run ldd "$SKIFF"
	grep -q "statically linked" <<<"$output"
}
