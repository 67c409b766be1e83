#!/usr/bin/env bats
# The OCI state JSON, checked against the spec's state-schema.json (required
# fields, the status enum) through its transitions.

load helpers

@test "state: the schema is found" {
	[ -f "$OCI_SPEC_DIR/schema/state-schema.json" ] ||
		skip "no OCI spec at ${OCI_SPEC_DIR:-<unset>} (expected ../shared/oci-runtime-spec)"
	jq -e '.required | index("status") != null' "$OCI_SPEC_DIR/schema/state-schema.json"
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
