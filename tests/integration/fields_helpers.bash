# Helpers shared by the fields_*.bats files (config fields, one area per file).

load helpers

# expect_config_error WORD...: `create` fails with one line on stderr that
# names each WORD (the field and the reason), and leaves no container.
expect_config_error() {
	run --separate-stderr create_ctr "$CID"
	assert_one_line_error
	local w
	# skiff-specific: the message names the field and the reason
	if is_skiff; then
		for w in "$@"; do
			assert_contains "$stderr" "$w"
		done
	fi
	run ! rt state "$CID"
}

# userns_config [UIDMAPS_JSON GIDMAPS_JSON]: a new user namespace with
# the given mappings (default: container 0..65535 -> host 100000..).
userns_config() {
	# the container's root (an unprivileged host uid) must reach the rootfs
	local d="$ROOTFS"
	while [ "$d" != / ]; do chmod o+x "$d"; d="$(dirname "$d")"; done
	local def='[{"containerID":0,"hostID":100000,"size":65536}]'
	local u="${1:-$def}"
	local g="${2:-$u}"
	update_config '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = $u | .linux.gidMappings = $g' \
		--argjson u "$u" --argjson g "$g"
}

# A host process holding new namespaces (unshare ARGS... sleep); sets $holder
# to the pid of the process inside them.
start_holder() {
	unshare "$@" sleep 300 &
	holder=$!
	local i
	for i in $(seq 100); do
		# with --fork the sleep is unshare's child
		local c
		c="$(cat /proc/$holder/task/$holder/children 2>/dev/null)"
		[ -n "$c" ] && holder_inner="${c%% *}" || holder_inner=$holder
		[ "$(cat /proc/$holder_inner/comm 2>/dev/null)" = sleep ] && return 0
		sleep 0.02
	done
	echo "holder did not start" >&2
	return 1
}

stop_holder() {
	[ -n "${holder:-}" ] || return 0
	# (a pid namespace's init ignores SIGTERM from outside)
	[ -n "${holder_inner:-}" ] && kill -9 "$holder_inner" 2>/dev/null || true
	kill -9 "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	holder=
}
