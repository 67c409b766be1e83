#!/bin/bash
# tests/vm/run.sh: the VM test tier.  Boots Debian's kernel under qemu
# (TCG: KVM guests hang on this kind of machine) with the host's / shared
# read-only over 9p and a tmpfs overlay on top, sets up the cgroup
# hierarchies of one mode, and runs bats files there (tests/vm/guest.sh).
# Nothing is built inside: the host's build is used.
#
#   tests/vm/run.sh [BATS_FILE...]
#
# Modes (VM_CGROUP):
#   v2      (default) cgroup2 at /sys/fs/cgroup with every controller: a
#           unified host.  Default files: tests/integration/cgroups_v2.bats.
#   legacy  no cgroup2 mounted at all (never, during the whole boot): a tmpfs
#           at /sys/fs/cgroup with one v1 hierarchy per controller the kernel
#           offers (cpu,cpuacct and net_cls,net_prio co-mounted, as systemd
#           does): a v1-only host.  Default files: tests/integration/cgroups_v1.bats.
#   systemd systemd as PID 1 (the host's /lib/systemd/systemd, after the
#           initramfs switched root) on a pure cgroup v2 hierarchy
#           (cgroup_no_v1=all); the bats files run in a service it starts
#           (skiff-vm.service, the boot's only target: no getty), outside
#           any private cgroup namespace, with the system bus and
#           systemd's private socket there.  Default files:
#           tests/integration/systemd.bats and systemd_driver.bats.
#   criu    as v2, with criu installed (the guest's 6.1 kernel runs it, its
#           modules are modprobed from the host's /lib/modules): checkpoint
#           and restore.  Default files: tests/integration/checkpoint.bats.
# Output: the TAP stream of the guest's bats run on stdout; exit 0 when every
# test passed.  Logs (kept after the run): tests/logs/vm-console.log (serial
# console) and tests/logs/vm-bats.log (the TAP) for v2,
# tests/logs/vm-{console,bats}-{legacy,systemd}.log for legacy and systemd;
# vm-stall[-legacy|-systemd].log when the guest's watchdog found a stuck test (tests/vm/watchdog.sh).
# Env: VM_CGROUP (v2, legacy or systemd), VM_TIMEOUT (seconds a boot may take, default
#      600), VM_STALL (seconds without test output after which the guest is
#      taken for stopped, 600), VM_RETRIES (boots after a stopped guest, 1),
#      VM_MEM (1536M), VM_SMP (2), VM_TCG_THREAD (single), VM_CMD (a shell
#      command to run in the guest instead of bats, for debugging),
#      VM_TEST_STOP_AFTER (N: the first boot's bats stops after N tests, to
#      test the second boot), VM_SKIFF (the runtime the guest's bats test,
#      default the worktree's skiff: e.g. /usr/sbin/runc as the control).
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOGS="$REPO_ROOT/tests/logs"
mkdir -p "$LOGS"
VM_CGROUP="${VM_CGROUP:-v2}"
case "$VM_CGROUP" in
v2) sfx= ;;
legacy) sfx=-legacy ;;
systemd) sfx=-systemd ;;
criu) sfx=-criu ;;	# v2, with criu: tests/integration/checkpoint.bats
*) echo "not ok - vm: VM_CGROUP=$VM_CGROUP: v2, legacy, systemd or criu"; exit 1 ;;
esac
CONSOLE="$LOGS/vm-console$sfx.log"
TAP="$LOGS/vm-bats$sfx.log"
STALL="$LOGS/vm-stall$sfx.log"
: >"$TAP"
rm -f "$STALL"

fail() {
	echo "not ok - vm: $*"
	echo "not ok - vm: $*" >>"$TAP"
	exit 1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root"

# ---- packages: qemu and a Debian kernel (installed here when missing)
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
ls /boot/vmlinuz-* >/dev/null 2>&1 || need+=(linux-image-amd64)
command -v cpio >/dev/null || need+=(cpio)
[ "$VM_CGROUP" = criu ] && ! command -v criu >/dev/null && need+=(criu)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
	# the VM passes of tests/run.sh start together: one apt-get at a time
	exec 9>"$LOGS/.vm-deps.lock"
	flock 9
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >"$LOGS/vm-deps.log" 2>&1; then
		apt-get update -qq >>"$LOGS/vm-deps.log" 2>&1
		apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$LOGS/vm-deps.log" 2>&1 ||
			fail "apt-get install ${need[*]} failed (see tests/logs/vm-deps.log)"
	fi
	exec 9>&-
fi
KERNEL="$(ls -v /boot/vmlinuz-* 2>/dev/null | tail -1)"
[ -n "$KERNEL" ] || fail "no kernel in /boot"
KVER="${KERNEL#/boot/vmlinuz-}"
MODDIR="/lib/modules/$KVER"
[ -d "$MODDIR" ] || fail "no modules for $KVER"

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	if [ "$VM_CGROUP" = criu ]; then
		files=(tests/integration/checkpoint.bats)
	elif [ "$VM_CGROUP" = legacy ]; then
		files=(tests/integration/cgroups_v1.bats)
	elif [ "$VM_CGROUP" = systemd ]; then
		files=(tests/integration/systemd.bats tests/integration/systemd_driver.bats)
	else
		files=(tests/integration/cgroups_v2.bats)
	fi
fi

WORK="$(mktemp -d /tmp/skiff-vm.XXXX)"
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/out"
mkdir -p "$OUT" "$WORK/initrd"/{bin,mod,proc,sys,dev,lower,rw,root}

# ---- initramfs: busybox, the 9p/overlay modules in dependency order, /init
cp /bin/busybox "$WORK/initrd/bin/busybox" || fail "busybox-static is missing"
mods=()
add_mod() {
	local rel dep
	rel="$(grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep" | cut -d: -f1)"
	[ -n "$rel" ] || return 0        # built in
	for dep in $(grep -E "^$rel:" "$MODDIR/modules.dep" | cut -d: -f2-); do
		add_mod "$(basename "$dep" | sed -E 's/\.ko(\.[a-z]+)?$//')"
	done
	for m in "${mods[@]}"; do [ "$m" = "$rel" ] && return 0; done
	mods+=("$rel")
}
for m in virtio virtio_ring virtio_pci virtio_blk 9pnet_virtio 9p overlay; do add_mod "$m"; done
for rel in "${mods[@]}"; do
	case "$rel" in *.ko) ;; *) fail "compressed module $rel: not supported" ;; esac
	cp "$MODDIR/$rel" "$WORK/initrd/mod/"
	echo "$(basename "$rel")" >>"$WORK/initrd/mod/order"
done
cat >"$WORK/initrd/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
for m in $(/bin/busybox cat /mod/order); do /bin/busybox insmod /mod/$m || echo "insmod $m failed"; done
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 root /lower || echo "mount 9p root failed"
/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /rw
/bin/busybox mkdir -p /rw/upper /rw/work
/bin/busybox mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /root ||
	echo "mount overlay failed"
for d in proc sys dev; do /bin/busybox mount --move /$d /root/$d; done
guest="$(/bin/busybox sed -n 's/.*skiff.guest=\([^ ]*\).*/\1/p' /root/proc/cmdline)"
if /bin/busybox grep -q 'skiff.cgroup=systemd' /root/proc/cmdline; then
	# systemd as PID 1 (--unit: guest.sh runs as the one unit the boot
	# starts, after basic.target: the bus socket is there, dbus.service
	# starts on the first connection)
	/bin/busybox mkdir -p /root/etc/systemd/system
	# the host's /tmp, /var/tmp are not the guest's (systemd-tmpfiles would
	# walk and empty them over 9p at boot, minutes under TCG); a repository
	# there (a clone in /tmp) is kept aside and moved back to its path
	# (tmpfiles' clean-up stops at mount points)
	repo="${guest%/tests/vm/guest.sh}" kept=
	case "$repo/" in
	/tmp/* | /var/tmp/*)
		/bin/busybox mkdir -p /root/.skiff-repo
		/bin/busybox mount --bind "/root$repo" /root/.skiff-repo && kept=1 || echo "cannot keep $repo"
		;;
	esac
	/bin/busybox mount -t tmpfs -o mode=1777 tmpfs /root/tmp
	/bin/busybox mount -t tmpfs -o mode=1777 tmpfs /root/var/tmp
	if [ -n "$kept" ]; then
		/bin/busybox mkdir -p "/root$repo"
		/bin/busybox mount --move /root/.skiff-repo "/root$repo" || echo "cannot move $repo back"
	fi
	# the host may be a container: its marker files would make systemd
	# think it runs in one (no kernel command line read, no cgroup setup)
	/bin/busybox rm -f /root/.dockerenv /root/run/.containerenv
	/bin/busybox cat >/root/etc/systemd/system/skiff-vm.service <<UNIT
[Unit]
Description=skiff VM tests
Wants=dbus.socket
After=basic.target dbus.socket
[Service]
Type=oneshot
TimeoutStartSec=infinity
ExecStart=/bin/bash $guest
StandardOutput=journal+console
StandardError=journal+console
UNIT
	exec /bin/busybox switch_root /root /lib/systemd/systemd --unit=skiff-vm.service
fi
exec /bin/busybox switch_root /root /bin/bash "$guest"
INIT
chmod +x "$WORK/initrd/init"
(cd "$WORK/initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/initrd.gz" || fail "cannot build the initramfs"

# ---- what the guest runs
# systemd.bats talks to systemd through tests/tools/dbus_probe (make check builds it)
if [ "$VM_CGROUP" = systemd ] && ! make -C "$REPO_ROOT" -s tests/tools/dbus_probe >>"$LOGS/vm-deps.log" 2>&1; then
	fail "cannot build tests/tools/dbus_probe (see tests/logs/vm-deps.log)"
fi
printf '%s\n' "${files[@]}" >"$OUT/files"
# VM_SKIFF: another runtime for the guest's bats ($SKIFF there; e.g. runc, the control)
[ -n "${VM_SKIFF:-}" ] && printf '%s\n' "$VM_SKIFF" >"$OUT/skiff"
[ -n "${VM_CMD:-}" ] && printf '%s\n' "$VM_CMD" >"$OUT/cmd"

# a small scratch disk: /dev/vda, for the io and devices tests
truncate -s 16M "$WORK/disk.img"

timeout_s="${VM_TIMEOUT:-600}"
stall_s="${VM_STALL:-600}"

# boot: one run of the guest, appending to the console log; the TAP comes
# to $OUT/bats.tap, and $OUT/rc once the guest finished.  A guest whose TAP
# has not grown for $stall_s seconds is stopped for good (the guest's own
# watchdog kills a stuck test after 300 s) and is killed without waiting
# for the $timeout_s bound.
# One host thread runs both vCPUs (VM_TCG_THREAD=multi: one each).  The two
# passes of tests/run.sh boot at once on a 2-core machine: multi-threaded,
# four vCPU threads fought for two cores, and once in CI a guest stopped for
# good (cause not found; starved vCPUs under multi-threaded TCG are a known
# source of guest stalls).  Single-threaded, each pass has a core of its own.
boot() {
	local q size last=-1 since=$SECONDS append=
	[ "$VM_CGROUP" = systemd ] &&
		append="systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all systemd.show_status=error"
	rm -f "$OUT/rc" "$OUT/bats.tap"
	timeout -k 10 "$timeout_s" qemu-system-x86_64 \
		-accel tcg,thread="${VM_TCG_THREAD:-single}" -cpu max -smp "${VM_SMP:-2}" -m "${VM_MEM:-1536M}" \
		-kernel "$KERNEL" -initrd "$WORK/initrd.gz" \
		-append "console=ttyS0 panic=-1 psi=1 swapaccount=1 rdinit=/init skiff.guest=$REPO_ROOT/tests/vm/guest.sh skiff.cgroup=$VM_CGROUP${append:+ $append}" \
		-virtfs "local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$OUT,mount_tag=out,security_model=none" \
		-drive "file=$WORK/disk.img,if=virtio,format=raw" \
		-nic none -display none -monitor none -serial stdio -no-reboot \
		</dev/null >>"$CONSOLE" 2>&1 &
	q=$!
	while kill -0 "$q" 2>/dev/null; do
		sleep 5
		size="$(stat -c %s "$OUT/bats.tap" 2>/dev/null || echo 0)"
		if [ "$size" != "$last" ]; then
			last="$size"
			since=$SECONDS
		elif [ $((SECONDS - since)) -ge "$stall_s" ] && [ ! -f "$OUT/rc" ]; then
			echo "vm: no test output for $((SECONDS - since))s: the guest is stopped, killed" >>"$CONSOLE"
			kill "$q" 2>/dev/null
			since=$SECONDS
		fi
	done
	wait "$q"
	qrc=$?
	[ $qrc -eq 124 ] && echo "vm: timed out after ${timeout_s}s" >>"$CONSOLE"
}

: >"$CONSOLE"
[ -n "${VM_TEST_STOP_AFTER:-}" ] && echo "$VM_TEST_STOP_AFTER" >"$OUT/stop-after"
boot
rm -f "$OUT/stop-after"
tries=1
# A guest that stopped for good: once (VM_RETRIES), a second boot runs the
# tests it did not report (the others skip themselves: helpers.bash reads
# $SKIFF_VM_DONE), and the TAP of both is merged.  A test that stops the
# guest again fails the pass.
while [ ! -f "$OUT/rc" ] && [ "$tries" -le "${VM_RETRIES:-1}" ]; do
	tries=$((tries + 1))
	cp "$OUT/bats.tap" "$WORK/tap.$tries" 2>/dev/null || : >"$WORK/tap.$tries"
	bash "$REPO_ROOT/tests/vm/tap.sh" index "$WORK/tap.$tries" "${files[@]}" >"$OUT/done"
	echo "# vm: the guest stopped after $(wc -l <"$OUT/done") tests (see tests/logs/${CONSOLE##*/}); booting again for the rest"
	echo "=== vm: boot $tries, for the tests not reported ===" >>"$CONSOLE"
	boot
	[ -s "$OUT/bats.tap" ] || { cp "$WORK/tap.$tries" "$OUT/bats.tap"; break; }
	# the rest from this boot, the reported ones from the earlier one
	bash "$REPO_ROOT/tests/vm/tap.sh" merge "$WORK/tap.$tries" "$OUT/bats.tap" "${files[@]}" >"$WORK/merged"
	cp "$WORK/merged" "$OUT/bats.tap"
	rm -f "$OUT/done"
done

if [ -s "$OUT/bats.tap" ]; then
	cp "$OUT/bats.tap" "$TAP"
	cat "$TAP"
fi
# what the guest's watchdog saw of a stuck test (tests/vm/watchdog.sh)
if [ -s "$OUT/stall.log" ]; then
	cp "$OUT/stall.log" "$STALL"
	sed 's/^/# /' "$STALL"
fi
if [ ! -f "$OUT/rc" ]; then
	echo "# the guest's console, last lines (all of it: tests/logs/${CONSOLE##*/}):"
	tail -n 30 "$CONSOLE" | sed 's/^/#   /'
fi
[ -f "$OUT/rc" ] || fail "the guest did not finish (qemu status $qrc; see tests/logs/${CONSOLE##*/})"
rc="$(cat "$OUT/rc")"
[ "$rc" = 0 ] || { echo "# vm: bats exited with status $rc (see tests/logs/${TAP##*/}, ${CONSOLE##*/})"; exit 1; }
exit 0
