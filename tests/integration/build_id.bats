#!/usr/bin/env bats
# skiff's build identity: the GNU build-id note (configure.ac) keys the
# seccomp filter cache, so that another build of skiff (e.g. one that
# compiles a field differently) never serves this one's cached filters.

load helpers

# build_id FILE: the hex build id readelf finds in FILE
build_id() {
	readelf -n "$1" | sed -n 's/^ *Build ID: *//p'
}

@test "build id: skiff is linked with a build-id note" {
	is_skiff || skip "skiff's build"
	command -v readelf >/dev/null || skip "no readelf (binutils)"
	id="$(build_id "$SKIFF")"
	echo "build id: $id"
	[[ $id =~ ^[0-9a-f]{40}$ ]]
}

@test "seccomp cache: another build of skiff (another build id) misses this one's entries" {
	is_skiff || skip "skiff's cache"
	command -v readelf >/dev/null && command -v python3 >/dev/null || skip "no readelf or python3"
	id="$(build_id "$SKIFF")"
	[ -n "$id" ]
	# the same program with one byte of its build id changed: "another build"
	other="$TESTDIR/skiff-other"
	python3 - "$SKIFF" "$other" "$id" <<'PY'
import sys
src, dst, hexid = sys.argv[1:]
data, note = open(src, 'rb').read(), bytes.fromhex(hexid)
assert data.count(note) == 1, "the build id is not found once in the file"
i = data.index(note)
open(dst, 'wb').write(data[:i] + bytes([note[0] ^ 0xff]) + data[i + 1:])
PY
	chmod 755 "$other"
	oid="$(build_id "$other")"
	[ -n "$oid" ] && [ "$oid" != "$id" ]
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
	c="$ROOT/.seccomp-cache"
	# this build: a miss writes one entry
	run -0 run_ctr sh -c 'mkdir /tmp/x 2>&1; echo done'
	assert_contains "$output" "ross-device"
	run -0 find "$c" -name '*.bpf' -type f
	assert_eq "${#lines[@]}" 1
	mine="${lines[0]}"
	ino="$(stat -c %i "$mine")"
	# the other build: misses it, compiles and writes an entry of its own
	SKIFF="$other" run -0 run_ctr sh -c 'mkdir /tmp/x 2>&1; echo done'
	assert_contains "$output" "ross-device"
	run -0 find "$c" -name '*.bpf' -type f
	assert_eq "${#lines[@]}" 2
	# this build again: a hit on its own entry (not rewritten: same inode)
	run -0 run_ctr sh -c 'mkdir /tmp/x 2>&1; echo done'
	assert_contains "$output" "ross-device"
	run -0 find "$c" -name '*.bpf' -type f
	assert_eq "${#lines[@]}" 2
	assert_eq "$(stat -c %i "$mine")" "$ino"
}
