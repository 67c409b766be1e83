#!/usr/bin/env bats
# completions/skiff.bash: it loads in bash and completes commands, options,
# values and container ids.

load helpers

# complete WORD...: COMPREPLY for the command line "WORD..." (the last
# word is the one being completed), one per line, sorted.
complete_words() {
	bash -c 'source "$1/completions/skiff.bash"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_skiff; printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$REPO_ROOT" "$@"
}

@test "completion: loads and registers _skiff for skiff" {
	run -0 bash -c 'source "$1/completions/skiff.bash" && complete -p skiff' sh "$REPO_ROOT"
	assert_eq "$output" "complete -F _skiff skiff"
}

@test "completion: every command of skiff --help is completed" {
	is_skiff || skip "skiff's completion"
	run -0 complete_words skiff ""
	words="$output"
	for c in $("$SKIFF" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
		grep -qx "$c" <<<"$words" || { echo "command $c not completed" >&2; return 1; }
	done
	run -0 complete_words skiff sa
	assert_eq "$output" sandbox
	run -0 complete_words skiff --root /x chec
	assert_eq "$(echo $output)" "check checkpoint"
}

@test "completion: options of a command, their values, ids from list" {
	is_skiff || skip "skiff's completion"
	run -0 complete_words skiff sandbox --ti
	assert_eq "$output" --timeout
	run -0 complete_words skiff sandbox --net ""
	assert_eq "$(echo $output)" "host none"
	run -0 complete_words skiff check --
	assert_contains "$output" --json
	run -0 complete_words skiff run --de
	assert_eq "$output" --detach
	run -0 complete_words skiff --log-format ""
	assert_eq "$(echo $output)" "json text"
	# every sandbox option skiff takes is completed
	run -0 complete_words skiff sandbox --
	for o in rootfs bind env workdir net memory cpus pids timeout io-weight no-limits read-only report summary; do
		grep -qx -- "--$o" <<<"$output"
	done
	# container ids from `skiff --root R list -q`
	set_args sleep 1000
	run -0 run_detached "$CID"
	run -0 complete_words "$SKIFF" --root "$ROOT" kill ""
	assert_eq "$output" "$CID"
	run -0 complete_words "$SKIFF" --root "$ROOT" kill "$CID" K
	assert_eq "$output" KILL
	cleanup_ctr "$CID"
}
