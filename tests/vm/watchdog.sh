#!/bin/bash
# tests/vm/watchdog.sh TAP [STALL_SECONDS]: the guest's watchdog (started by
# tests/vm/guest.sh beside the bats run).  A test stuck beyond bats' own
# timeout (a process in the kernel that bats cannot interrupt) would hold the
# whole pass until qemu's bound kills the guest, with nothing said about why.
# When TAP has not grown for STALL_SECONDS (default 300), this writes what the
# guest is doing to /out/stall.log (tests/vm/run.sh prints it on the host):
# the newest processes with their state and wait channel, the kernel stacks of
# tasks in D state, and (sysrq w) the blocked tasks on the console; then it
# kills the leaf processes of the running test so that the test fails and the
# pass goes on.
tap="$1"
stall="${2:-300}"
log=/out/stall.log
last=-1
since=$SECONDS

# leaves: the processes below a bats-exec-test process that have no children
leaves() {
	ps -eo pid=,ppid=,args= | awk '
		{ pid[NR] = $1; ppid[NR] = $2; if ($0 ~ /bats-exec-test/) root[$1] = 1 }
		END {
			do {
				changed = 0
				for (i = 1; i <= NR; i++)
					if (!(pid[i] in root) && !(pid[i] in below) && (ppid[i] in root || ppid[i] in below)) {
						below[pid[i]] = 1; changed = 1
					}
			} while (changed)
			for (i = 1; i <= NR; i++) parent[ppid[i]] = 1
			for (p in below) if (!(p in parent)) print p
		}'
}

while sleep 15; do
	size="$(stat -c %s "$tap" 2>/dev/null || echo 0)"
	if [ "$size" != "$last" ]; then
		last="$size"
		since=$SECONDS
		continue
	fi
	[ $((SECONDS - since)) -ge "$stall" ] || continue
	{
		echo "vm watchdog: no test output for $((SECONDS - since))s; last line: $(tail -n 1 "$tap")"
		ps -N --ppid 2 -o pid,ppid,stat,wchan:28,etimes,args --sort=start_time | cut -c1-200 | tail -n 25
		for p in /proc/[0-9]*; do
			st="$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1)"
			[ "$st" = D ] || continue
			echo "kernel stack of ${p#/proc/} (D): $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
			cat "$p/stack" 2>/dev/null
		done
		victims="$(leaves | tr '\n' ' ')"
		echo "vm watchdog: killing the test's leaf processes: ${victims:-none}"
	} >>"$log" 2>&1
	echo w >/proc/sysrq-trigger 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "$victims" ] && kill -9 $victims 2>/dev/null
	since=$SECONDS
done
