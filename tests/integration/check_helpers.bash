# Helpers of check.bats and check_vm.bats.

# fact NAME [FIELD]: the field (default status) of one fact of $output
fact() {
	jq -r --arg n "$1" ".checks[] | select(.name == \$n) | .${2:-status}" <<<"$output"
}
