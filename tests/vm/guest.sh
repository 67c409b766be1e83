#!/bin/bash
# The guest side of tests/vm/run.sh: PID 1 of the VM, on an overlay over the
# host's read-only /.  Mounts what a system needs, then the cgroup
# hierarchies of the mode on the kernel command line (skiff.cgroup=):
#   v2:     cgroup2 with every controller enabled at the root;
#   legacy: a tmpfs at /sys/fs/cgroup and one v1 hierarchy per controller
#           the kernel offers (cgroup2 is never mounted: the controllers stay
#           free for v1, and /proc/*/cgroup has no "0::" line, as on a host
#           that never mounted cgroup2);
#   systemd: systemd is PID 1 and this runs as its service skiff-vm.service
#           (tests/vm/run.sh): systemd mounted everything (cgroup2 only);
#           the bats files run right here, in the service's cgroup, without
#           a private cgroup namespace (they look at systemd's hierarchy);
# runs the bats files listed in the `out`
# share under a private cgroup+mount namespace (as tests/run.sh does), writes
# the TAP and the status back to the share and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# the repository: this file's (the host's path, seen through the overlay)
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mode="$(sed -n 's/.*skiff\.cgroup=\([^ ]*\).*/\1/p' /proc/cmdline)"
if [ "$mode" = systemd ]; then
	# systemd mounted everything: only the share is ours
	mkdir -p /out
	mount -t 9p -o trans=virtio,version=9p2000.L out /out
	echo "guest: kernel $(uname -r), systemd $(systemctl --version | sed -n '1s/systemd //p')," \
		"booted in $(cut -d' ' -f1 /proc/uptime) s, controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
else
	# a repository under /tmp or /run (a clone in /tmp) would be hidden by
	# the tmpfs mounted there: it is kept aside and moved back to the same path
	case "$REPO/" in
	/tmp/* | /run/*) mkdir -p /.skiff-repo && mount --bind "$REPO" /.skiff-repo ;;
	esac
	mount -t tmpfs tmpfs /tmp
	mount -t tmpfs tmpfs /run
	if mountpoint -q /.skiff-repo 2>/dev/null; then
		mkdir -p "$REPO" && mount --move /.skiff-repo "$REPO" || echo "guest: cannot keep $REPO"
	fi
	mkdir -p /dev/pts /dev/shm /dev/mqueue /out
	ln -sf /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	mount -t 9p -o trans=virtio,version=9p2000.L out /out
	umount -l /sys/fs/cgroup 2>/dev/null
	hostname skiff-vm
	if [ "$mode" = legacy ]; then
		mount -t tmpfs -o mode=0755,size=64k cgroup /sys/fs/cgroup
		# enabled controllers (column 4 of /proc/cgroups), co-mounted as systemd does
		hiers=()
		for c in $(awk '!/^#/ && $4 == 1 { print $1 }' /proc/cgroups); do
			case "$c" in
			cpuacct | net_prio) ;;	# with cpu, net_cls
			cpu) hiers+=(cpu,cpuacct) ;;
			net_cls) hiers+=(net_cls,net_prio) ;;
			*) hiers+=("$c") ;;
			esac
		done
		for h in "${hiers[@]}"; do
			mkdir -p "/sys/fs/cgroup/$h"
			mount -t cgroup -o "$h" cgroup "/sys/fs/cgroup/$h" || echo "guest: cannot mount the $h hierarchy"
			case "$h" in
			*,*) for c in ${h//,/ }; do ln -s "$h" "/sys/fs/cgroup/$c"; done ;;
			esac
		done
		echo "guest: kernel $(uname -r), legacy v1 hierarchies: ${hiers[*]}"
	else
		mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
		for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
			echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || echo "guest: cannot enable $c"
		done
		echo "guest: kernel $(uname -r), controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
	fi
fi

cd "$REPO" || { echo 1 >/out/rc; poweroff -f; }
mapfile -t files </out/files
SKIFF="$REPO/skiff"
[ -s /out/skiff ] && SKIFF="$(cat /out/skiff)"	# VM_SKIFF (tests/vm/run.sh)
export SKIFF SKIFF_VM=1 BATS_TEST_TIMEOUT=240 SKIFF_TIMEOUT=60
# Processes stay in the root cgroup, which may hold processes and enable
# controllers at once (v2), and is the root of every v1 hierarchy (legacy):
# the containers' cgroups go right below it.
# A task blocked in the kernel for a minute is reported on the console; a
# test that gives no output for 5 minutes is reported and killed (watchdog.sh).
echo 60 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
bash tests/vm/watchdog.sh /out/bats.tap 300 &
# a second boot after a stopped guest: the tests reported before skip
# themselves (helpers.bash)
[ -s /out/done ] && export SKIFF_VM_DONE=/out/done
# VM_TEST_STOP_AFTER (tests/vm/run.sh): bats stops after N tests, as a
# stopped guest would
if [ -s /out/stop-after ]; then
	(
		n="$(cat /out/stop-after)"
		until [ "$(cat /out/bats.tap 2>/dev/null | grep -cE '^(not )?ok ')" -ge "$n" ]; do sleep 2; done
		pkill -STOP -f bats-exec
	) &
fi
if [ -s /out/cmd ]; then
	# VM_CMD: a command to debug with instead of the bats run
	bash /out/cmd </dev/null >/out/bats.tap 2>&1
elif [ "$mode" = systemd ]; then
	# one bats per file, each bounded, as tests/run.sh --inside does (a
	# plan per file: tests/vm/tap.sh); the busybox rootfs made once
	export SKIFF_TEST_ROOTFS
	SKIFF_TEST_ROOTFS="$(mktemp -d /tmp/skiff-rootfs.XXXX)"
	bash tools/mkrootfs.sh "$SKIFF_TEST_ROOTFS"
	rc=0
	for f in "${files[@]}"; do
		timeout -k 10 900 bats --tap --timing --print-output-on-failure "$f" </dev/null || rc=1
	done >/out/bats.tap 2>&1
	(exit $rc)
else
	unshare --cgroup --mount --propagation private -- bash tests/run.sh --inside "${files[@]}" \
		</dev/null >/out/bats.tap 2>&1
fi
echo $? >/out/rc
sync
cat /out/bats.tap
echo o >/proc/sysrq-trigger
sleep 10
