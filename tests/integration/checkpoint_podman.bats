#!/usr/bin/env bats
# podman `container checkpoint` / `container restore` with skiff as its
# runtime, end to end (conmon's pipes as the container's stdio, the host's
# /dev/null as its stdin).  Needs a kernel where criu works: the VM tier
# (VM_CGROUP=criu tests/vm/run.sh tests/integration/checkpoint_podman.bats);
# elsewhere skipped.  podman's state lives under this file's temporary
# directory, as in engines_podman.bats (whose setup this one condenses).

load helpers

# why the tests skip (set by setup_file: a skip there would fail the file
# in this bats's teardown_file)
ckp_unusable() {
	command -v podman >/dev/null && command -v conmon >/dev/null || { echo "needs podman and conmon"; return; }
	command -v criu >/dev/null || { echo "no criu"; return; }
	[ -n "${SKIFF_VM:-}" ] && ip link set lo up
	criu check >/dev/null 2>&1 || echo "criu does not work on this kernel (run in the VM tier)"
}

setup() {
	[ -z "${CKP_SKIP:-}" ] || skip "$CKP_SKIP"
	common_setup
}

setup_file() {
	CKP_SKIP="$(ckp_unusable)"
	export CKP_SKIP
	[ -z "$CKP_SKIP" ] || return 0
	export P="$BATS_FILE_TMPDIR/podman"
	mkdir -p "$P/root" "$P/runroot" "$P/tmp" "$P/net" "$P/skiff-state"
	[ -e /var/lib/containers ] || touch "$P/made-var-lib-containers"
	printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$SKIFF" "$P/skiff-state" >"$P/skiff"
	chmod +x "$P/skiff"
	printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\nnetns = "none"\nlog_driver = "k8s-file"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "%s/events.log"\ntmp_dir = "%s/tmp"\nvolume_path = "%s/root/volumes"\n[network]\nnetwork_config_dir = "%s/net"\n' \
		"$P" "$P" "$P" "$P" >"$P/containers.conf"
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s/runroot"\ngraphroot = "%s/root"\n' "$P" "$P" >"$P/storage.conf"
	tar -C "$(_rootfs_template)" -cf "$P/rootfs.tar" .
	pmc import --change CMD=/bin/sh "$P/rootfs.tar" localhost/skiff-busybox:latest >/dev/null
}

teardown_file() {
	if [ -z "${P:-}" ] || [ ! -d "$P" ]; then
		return 0
	fi
	pmc rm -af -t 0 >/dev/null 2>&1 || true
	pmc rmi -af >/dev/null 2>&1 || true
	local pid h
	for pid in $(pgrep -f "conmon .*$P" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
	for h in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do
		[ -d "$h/libpod_parent" ] && find "$h/libpod_parent" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	grep -F "$P" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	[ -e "$P/made-var-lib-containers" ] && rm -rf /var/lib/containers
	rm -rf "$P"
}

pmc() {
	CONTAINERS_CONF="$P/containers.conf" CONTAINERS_STORAGE_CONF="$P/storage.conf" \
		timeout -k 5 180 podman --root "$P/root" --runroot "$P/runroot" --tmpdir "$P/tmp" \
		--runtime "$P/skiff" --cgroup-manager cgroupfs --events-backend file \
		--storage-driver vfs --network-config-dir "$P/net" "$@"
}

# the last number the container printed
last_line() { pmc logs ckp 2>/dev/null | tail -n 1; }

wait_last_above() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(last_line)" -gt "$1" ] 2>/dev/null && return 0
		sleep 0.2
	done
	echo "log stuck at $(last_line)" >&2
	return 1
}

@test "podman container checkpoint / restore --runtime skiff: the counter goes on in podman's log" {
	run -0 pmc run -d --network none --name ckp localhost/skiff-busybox \
		sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.2; done'
	cid="$output"
	wait_last_above 2
	run -0 pmc container checkpoint ckp
	run -0 pmc inspect --format '{{.State.Status}}' ckp
	assert_eq "$output" exited
	run ! "$P/skiff" state "$cid"
	n="$(last_line)"
	run -0 pmc container restore ckp
	run -0 pmc inspect --format '{{.State.Status}} {{.State.Pid}}' ckp
	read -r st pid <<<"$output"
	assert_eq "$st" running
	run -0 "$P/skiff" state "$cid"
	assert_eq "$(jq -r .status <<<"$output")" running
	assert_eq "$(jq -r .pid <<<"$output")" "$pid"
	wait_last_above "$n"
	# counted on from n (the log holds n+1, not a restart from 1)
	run -0 pmc logs ckp
	grep -qx "$((n + 1))" <<<"$output"
	[ "$(grep -cx 1 <<<"$output")" -eq 1 ]
	run -0 pmc rm -f -t 0 ckp
}
