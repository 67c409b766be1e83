#!/usr/bin/env bats
# `skiff features` stays truthful: for each claim it makes, a container
# whose config uses it runs.  Grouped by family (one container each, a few
# where the kernel allows one value per process), so a new name in one of
# the config's tables (oci/enums.c), which `features` lists, is run here
# without a new test.  cgroup v1/v2/rdma: features.bats; netDevices and
# idmap mounts: fields_network.bats and fields_mounts.bats.

load fields_helpers

setup() {
	common_setup
	is_skiff || skip "skiff's claims"
	FEATURES="$(rt features)"
}

# claims JQ_PATH: the claimed names, one a line.
claims() { jq -r "$1 // [] | .[]" <<<"$FEATURES"; }

# run_ok: the container runs `true` and exits 0.
run_ok() {
	set_args true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -eq 0 ] || { echo "$*: status $status: $stderr" >&2; return 1; }
}

@test "claims: every namespace, all in one container" {
	local n
	[ "$(claims .linux.namespaces | wc -l)" -ge 8 ]
	update_config '.linux.namespaces = []'
	for n in $(claims .linux.namespaces); do
		if [ "$n" = user ]; then userns_config; else
			update_config '.linux.namespaces += [{"type": $t}]' --arg t "$n"
		fi
	done
	run_ok namespaces
}

@test "claims: every seccomp action, operator, architecture and supported flag, in one filter" {
	local rules='[]' a i=0 names=(acct kexec_load init_module delete_module swapon swapoff pivot_root reboot)
	[ "$(claims .linux.seccomp.actions | wc -l)" -ge 9 ]
	for a in $(claims .linux.seccomp.actions); do
		[ "$a" = SCMP_ACT_NOTIFY ] && continue      # its own container below (needs an agent)
		rules="$(jq -c --arg a "$a" --arg n "${names[$i]}" '. + [{"names": [$n], "action": $a}]' <<<"$rules")"
		i=$((i + 1))
	done
	# each operator on personality's argument (several on one index: one rule each)
	rules="$(jq -c --argjson ops "$(claims .linux.seccomp.operators | jq -R . | jq -sc .)" \
		'. + [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		       "args": [$ops[] | {"index": 0, "value": 4294967295, "valueTwo": 12345, "op": .}]}]' <<<"$rules")"
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": $ar,
			"flags": $fl, "syscalls": $r}' \
		--argjson ar "$(claims .linux.seccomp.archs | jq -R . | jq -sc .)" \
		--argjson fl "$(claims .linux.seccomp.supportedFlags | jq -R . | jq -sc .)" \
		--argjson r "$rules"
	run_ok seccomp
	# knownFlags are supportedFlags here (no flag is known and refused)
	assert_eq "$(claims .linux.seccomp.knownFlags)" "$(claims .linux.seccomp.supportedFlags)"
}

@test "claims: SCMP_ACT_NOTIFY, with an agent" {
	claims .linux.seccomp.actions | grep -qx SCMP_ACT_NOTIFY
	local d="$BATS_RUN_TMPDIR/sk-claims-agent" sock="$TESTDIR/agent.sock"
	[ -x "$d/seccomp_agent" ] || { mkdir -p "$d" && cc -O1 -o "$d/seccomp_agent" "$REPO_ROOT/tests/seccomp_agent.c"; }
	mkdir -p "$TESTDIR/agent"
	"$d/seccomp_agent" "$sock" "$TESTDIR/agent" &
	AGENT_PID=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $s,
			"syscalls": [{"names": ["mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}' --arg s "$sock"
	run_ok notify
	wait "$AGENT_PID"
	AGENT_PID=
}

teardown() {
	[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
	common_teardown
}

@test "claims: every mount option (one mount each, one container; idmap ones with a user namespace)" {
	local o mounts='[]' n=0
	mkdir -p "$TESTDIR/src"
	[ "$(claims .mountOptions | wc -l)" -ge 60 ]
	for o in $(claims .mountOptions); do
		case "$o" in
		idmap|ridmap) continue ;;
		# remount changes a mount already there: the first one
		remount) mounts="$(jq -c --arg s "$TESTDIR/src" '. + [{"destination": "/mnt/o0", "type": "bind", "source": $s, "options": ["rbind", "remount"]}]' <<<"$mounts")" ;;
		tmpcopyup) mounts="$(jq -c --arg d "/mnt/o$n" '. + [{"destination": $d, "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}]' <<<"$mounts")" ;;
		bind|rbind) mounts="$(jq -c --arg d "/mnt/o$n" --arg s "$TESTDIR/src" --arg o "$o" '. + [{"destination": $d, "type": "bind", "source": $s, "options": [$o]}]' <<<"$mounts")" ;;
		*) mounts="$(jq -c --arg d "/mnt/o$n" --arg s "$TESTDIR/src" --arg o "$o" '. + [{"destination": $d, "type": "bind", "source": $s, "options": ["rbind", $o]}]' <<<"$mounts")" ;;
		esac
		n=$((n + 1))
	done
	update_config '.mounts += $m' --argjson m "$mounts"
	run_ok mountOptions
	rm -rf "$TESTDIR/src" && mkdir -p "$TESTDIR/src"
	update_config '.mounts |= map(select(.destination | startswith("/mnt/o") | not))'
	mkdir -p "$ROOTFS/idm" "$ROOTFS/ridm"
	userns_config
	chmod o+x "$TESTDIR"
	update_config '.mounts += [{"destination": "/idm", "type": "bind", "source": $s, "options": ["rbind", "idmap"]},
		{"destination": "/ridm", "type": "bind", "source": $s, "options": ["rbind", "ridmap"]}]' --arg s "$TESTDIR/src"
	run_ok idmap
}

@test "claims: every hook phase, in one container" {
	local h f
	# startContainer runs after pivot_root: it writes through a bind mount
	mkdir -p "$TESTDIR/hk"
	update_config '.hooks = {} | .mounts += [{"destination": "/hk", "type": "bind", "source": $s, "options": ["rbind"]}]' \
		--arg s "$TESTDIR/hk"
	for h in $(claims .hooks); do
		f="$TESTDIR/hk/hooks"
		[ "$h" = startContainer ] && f=/hk/hooks
		update_config '.hooks[$h] = [{"path": "/bin/sh", "args": ["sh", "-c", "echo " + $h + " >>" + $f]}]' \
			--arg h "$h" --arg f "$f"
	done
	run_ok hooks
	assert_eq "$(sort "$TESTDIR/hk/hooks")" "$(claims .hooks | sort)"
}

@test "claims: every capability skiff itself holds, in every set of one container" {
	command -v capsh >/dev/null || skip "no capsh (libcap2-bin) to read skiff's own set"
	# a runtime cannot give what it lacks (a host may withhold some)
	local own
	own="$(capsh --decode="$(awk '/^CapBnd/ { print $2 }' /proc/self/status)" | sed 's/.*=//' | tr a-z, A-Z'\n')"
	[ "$(claims .linux.capabilities | wc -l)" -ge 38 ]
	update_config '.process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c, "inheritable": $c, "ambient": $c}' \
		--argjson c "$(claims .linux.capabilities | grep -xF "$own" | jq -R . | jq -sc .)"
	run_ok capabilities
}

@test "claims: every memoryPolicy mode and flag (one container each: one policy per process)" {
	local m f
	[ "$(jq -r .linux.memoryPolicy.enabled <<<"$FEATURES")" = true ]
	for m in $(claims .linux.memoryPolicy.modes); do
		case "$m" in
		MPOL_DEFAULT|MPOL_LOCAL) update_config '.linux.memoryPolicy = {"mode": $m}' --arg m "$m" ;;
		*) update_config '.linux.memoryPolicy = {"mode": $m, "nodes": "0"}' --arg m "$m" ;;
		esac
		run_ok "$m"
	done
	for f in $(claims .linux.memoryPolicy.flags); do
		update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": [$f]}' --arg f "$f"
		run_ok "$f"
	done
}
