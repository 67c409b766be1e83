#!/usr/bin/env bats
# The OCI state JSON, checked against the required fields, types and status
# enum of the state schema (tests/integration/data/state-schema.json, the
# spec's schema/state-schema.json when a copy is there) through its transitions.

load helpers

@test "state: the tests' state schema (tests/integration/data) is the spec's, and refuses a bad state" {
	local own="$REPO_ROOT/tests/integration/data/state-schema.json"
	jq -e '.required == ["ociVersion","id","status","bundle"] and .properties.status.enum == ["creating","created","running","stopped"]' "$own"
	run ! validate_state_json <<<'{"ociVersion": "1.3.0", "id": "x", "status": "paused", "bundle": "/b"}'
	run ! validate_state_json <<<'{"ociVersion": "1.3.0", "id": "x", "status": "stopped", "bundle": "/b", "pid": "7"}'
	run -0 validate_state_json <<<'{"ociVersion": "1.3.0", "id": "x", "status": "stopped", "bundle": "/b", "pid": 0}'
	# with a copy of the spec: the same required fields, status values and types
	local spec="${OCI_SPEC_DIR:-}/schema/state-schema.json"
	[ -f "$spec" ] || { echo "# no spec copy at ${OCI_SPEC_DIR:-<unset>}: not compared" >&3; return 0; }
	assert_eq "$(jq -c '.required, .properties.status.enum' "$own")" \
		"$(jq -c '.required, .properties.status.enum' "$spec")"
	# each type the spec's schema gives (others are $refs to defs.json)
	jq -e --slurpfile own "$own" 'all(.properties | to_entries[] | select(.value.type);
		.value.type == $own[0].properties[.key].type)' "$spec"
}

@test "state: created -> running -> stopped, valid at every step" {
	set_args sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done'
	run -0 create_ctr "$CID"
	run -0 rt state "$CID"
	validate_state_json <<<"$output"
	assert_eq "$(jq -r .status <<<"$output")" created
	assert_eq "$(jq -r .id <<<"$output")" "$CID"
	[ "$(jq -r .pid <<<"$output")" -gt 0 ]

	run -0 rt start "$CID"
	wait_for_status "$CID" running
	run -0 rt state "$CID"
	validate_state_json <<<"$output"
	[ "$(jq -r .pid <<<"$output")" -gt 0 ]

	touch "$ROOTFS/tmp/go"
	wait_for_status "$CID" stopped
	run -0 rt state "$CID"
	validate_state_json <<<"$output"

	run -0 rt delete "$CID"
	run ! rt state "$CID"
}

@test "state: bundle is the absolute bundle path, also for a relative --bundle" {
	set_args sleep 300
	cd "$TESTDIR"
	run -0 detached rt create --bundle bundle "$CID"
	run -0 rt state "$CID"
	assert_eq "$(jq -r .bundle <<<"$output")" "$BUNDLE"
	run -0 rt delete --force "$CID"
}

@test "state: bundle defaults to the current directory" {
	set_args sleep 300
	cd "$BUNDLE"
	run -0 detached rt create "$CID"
	run -0 rt state "$CID"
	assert_eq "$(jq -r .bundle <<<"$output")" "$BUNDLE"
	run -0 rt delete --force "$CID"
}

@test "state: annotations from the config appear in the state" {
	set_args sleep 300
	update_config '.annotations = {"org.example.key": "value one", "skiff.test": "2"}'
	run -0 create_ctr "$CID"
	run -0 rt state "$CID"
	validate_state_json <<<"$output"
	assert_eq "$(jq -r '.annotations["org.example.key"]' <<<"$output")" "value one"
	assert_eq "$(jq -r '.annotations["skiff.test"]' <<<"$output")" 2
	run -0 rt delete --force "$CID"
}

@test "state: ociVersion is a version string" {
	set_args sleep 300
	run -0 create_ctr "$CID"
	run -0 rt state "$CID"
	jq -r .ociVersion <<<"$output" | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+'
	run -0 rt delete --force "$CID"
}

@test "state: a container whose process died is stopped" {
	set_args sleep 300
	run -0 run_detached "$CID"
	wait_for_status "$CID" running
	kill -9 "$(pid_of "$CID")"
	wait_for_status "$CID" stopped
	run -0 rt state "$CID"
	validate_state_json <<<"$output"
	run -0 rt delete "$CID"
}

@test "state: the state dir exists while the container exists, and goes with delete" {
	set_args sleep 300
	run -0 create_ctr "$CID"
	[ -d "$ROOT/$CID" ]
	run -0 rt delete --force "$CID"
	[ ! -e "$ROOT/$CID" ]
}
