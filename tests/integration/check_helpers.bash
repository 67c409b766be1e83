# Helpers of check.bats and check_vm.bats.

# a copy of skiff `nobody` can execute (the build may sit below /root)
nobody_skiff() {
	install -m 755 "$SKIFF" "$TESTDIR/skiff-nobody"
	local d="$TESTDIR"
	while [ "$d" != / ]; do chmod o+x "$d"; d="$(dirname "$d")"; done
}

# fact NAME [FIELD]: the field (default status) of one fact of $output
fact() {
	jq -r --arg n "$1" ".checks[] | select(.name == \$n) | .${2:-status}" <<<"$output"
}
