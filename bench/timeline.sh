#!/bin/bash
# Where a `skiff run` spends its time, next to floor-cfg doing the same config's work.
#
#   sudo bench/timeline.sh     (root; ~1 minute; needs perf, from linux-perf)
#
# `perf trace` follows N runs (default 100) of skiff and of floor-cfg (bench/floor.c
# named so) on the default `runc spec` bundle of bench/run.sh, in the same private mount
# + cgroup namespace, tracing a dozen system calls only (each traced call costs ~10 us,
# the others nothing), and prints when each step happens, median ms after the runtime's
# execve: the network namespace made by skiff's thread, the init's clone3 and its first
# call, pivot_root, READY, the container's execve and exit, and the runtime's exit.
#
# Environment: N, SKIFF, NO_APT, NO_BUILD, RESULTS (default bench/results): writes
# RESULTS/timeline.md.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
SKIFF=${SKIFF:-$REPO/skiff}
RUNTIMES="floor-cfg skiff"
RESULTS=${RESULTS:-$BENCH/results}
N=${N:-100}
PKGS_EXTRA="linux-perf python3"
. "$BENCH/common.sh"

[ -n "${SKIFF_BENCH_INNER:-}" ] || bench_outside "$@"
bench_inside
bench_cc "$W/floor-cfg" "$BENCH/floor.c" || die "cannot build floor"
BIN[floor-cfg]=$W/floor-cfg
bench_drop_pages
bench_rootfs
bench_spec
bundle b-true '.'
bench_active

EVENTS=execve,clone,clone3,unshare,setns,pivot_root,sendmsg,recvmsg,wait4,exit,exit_group
for rt in "${ACTIVE[@]}"; do
	case $rt in
	floor-cfg) cmd="${BIN[$rt]} $ROOTFS" ;;
	*) cmd="${BIN[$rt]} --root $W/run/tl-$rt run --bundle $W/b-true ${PFX}tl\$i" ;;
	esac
	for i in 1 2 3; do eval "$cmd" >/dev/null 2>&1 || true; done # warm
	perf trace -e "$EVENTS" -o "$W/trace.$rt" -- sh -c "i=0; while [ \$i -lt $N ]; do i=\$((i+1)); $cmd || exit 1; done" ||
		die "$rt failed under perf trace"
done

mkdir -p "$RESULTS"
python3 - "$W" "$N" "${ACTIVE[@]}" >"$RESULTS/timeline.md" <<'EOF'
import re, statistics, sys
w, n, rts = sys.argv[1], sys.argv[2], sys.argv[3:]
line = re.compile(r'\s*([\d.]+) \(\s*([\d.]*)\s*(?:ms)?\): (\S+)/(\d+) (.*)')
# the steps, in order; each is (key, text)
steps = [("exec", "runtime's execve done"), ("thread", "network namespace: thread starts making it"),
         ("netns", "network namespace made (unshare returns)"), ("clone3", "init: clone3 called"),
         ("init", "init: its first traced call (cgroup namespace)"), ("setns", "init joins the network namespace"),
         ("pivot", "init: pivot_root"), ("ready", "init: READY sent"), ("cexec", "container's execve"),
         ("cexit", "container's exit"), ("reaped", "runtime has reaped it (wait4 returns)"),
         ("end", "runtime's exit_group")]
def parse(path, rt):
    runs, cur, runtime_pid = [], None, None
    for l in open(path):
        m = line.match(l)
        if not m:
            continue
        t, d, comm, pid, rest = float(m[1]), float(m[2] or 0), m[3], m[4], m[5].strip()
        cont = rest.startswith("...")
        def put(k, v):
            if cur is not None and k not in cur:
                cur[k] = v
        if rest.startswith("execve(") and comm != "true":   # the loop starts the runtime
            cur = {"t0": t}; runs.append(cur); runtime_pid = pid
            continue
        if cur is None:
            continue
        if cont and "execve" in rest and pid == runtime_pid and comm != "true":
            put("exec", t + d)
        elif rest.startswith("unshare(unshare_flags: 1073741824"):
            put("thread", t); put("netns", t + d)
        elif rest.startswith("clone3(") and pid == runtime_pid:
            put("clone3", t)
        elif rest.startswith("unshare(unshare_flags: 33554432") and pid != runtime_pid:
            put("init", t)
        elif rest.startswith("setns") and pid != runtime_pid:
            put("setns", t)
        elif rest.startswith("pivot_root"):
            put("pivot", t)
        elif rest.startswith("sendmsg") and pid != runtime_pid and "pivot" in cur:
            put("ready", t)
        elif comm == "true" and "execve" in rest:
            put("cexec", t)
        elif comm == "true" and rest.startswith("exit("):
            put("cexit", t)
        elif "wait4" in rest and pid == runtime_pid and not rest.endswith("..."):
            put("reaped", t + d)
        elif rest.startswith("exit_group") and pid == runtime_pid:
            put("end", t)
    return runs
res = {rt: parse(f"{w}/trace.{rt}", rt) for rt in rts}
print("## Where a `run` spends its time\n")
print(f"`bench/timeline.sh`: `perf trace` of {n} runs each of the default `runc spec` bundle; median ms")
print("after the runtime's execve (each traced call adds ~10 us; only these are traced).\n")
print("| step | " + " | ".join(rts) + " |")
print("| --- |" + " ---: |" * len(rts))
for k, text in steps:
    cells = []
    for rt in rts:
        v = [r[k] - r["t0"] for r in res[rt][1:] if k in r]
        cells.append(f"{statistics.median(v):.3f}" if len(v) >= len(res[rt]) // 2 else "")
    if any(cells):
        print(f"| {text} | " + " | ".join(cells) + " |")
EOF
cat "$RESULTS/timeline.md"
