#!/bin/bash
# tests/vm/tap.sh: the TAP of a VM pass that needed a second boot (a guest
# stopped for good; tests/vm/run.sh).  The guest runs one bats per file, so
# the TAP is a plan ("1..N") and its tests per file, in the order of FILES.
#
#   tap.sh index TAP FILE...      "FILE:N" for every test TAP reports (N its
#                                 number in FILE; FILE without its directory)
#   tap.sh merge OLD NEW FILE...  NEW, with each test NEW skipped as
#                                 "reported before the guest stopped" taken
#                                 from OLD (its diagnostics too)
set -euo pipefail
cmd="$1"
shift
case "$cmd" in
index)
	tap="$1"
	shift
	awk -v files="$(printf '%s\n' "${@##*/}")" '
		BEGIN { split(files, f, "\n") }
		/^1\.\.[0-9]+$/ { i++; next }
		/^(not )?ok [0-9]+ / { print f[i] ":" (($1 == "not") ? $3 : $2) }' "$tap"
	;;
merge)
	old="$1" new="$2"
	shift 2
	awk -v files="$(printf '%s\n' "${@##*/}")" '
		BEGIN { split(files, f, "\n") }
		FNR == 1 { i = 0; key = "" }
		{ pass = (FILENAME == ARGV[1]) ? 1 : 2 }
		/^1\.\.[0-9]+$/ { i++; if (pass == 2) print; next }
		/^(not )?ok [0-9]+ / {
			k = f[i] ":" (($1 == "not") ? $3 : $2)
			if (pass == 1) { key = k; prev[k] = $0; next }
			if ($0 ~ /# skip reported before the guest stopped/ && k in prev) { print prev[k]; next }
		}
		pass == 1 && /^#/ && key != "" { prev[key] = prev[key] "\n" $0; next }
		pass == 2 { print }' "$old" "$new"
	;;
*)
	echo "tap.sh: index or merge" >&2
	exit 2
	;;
esac
