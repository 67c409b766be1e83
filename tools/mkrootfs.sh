#!/bin/bash
# tools/mkrootfs.sh DIR: make a minimal busybox root filesystem in DIR.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
bb=$(command -v busybox || true)
[ -n "$bb" ] || { echo "mkrootfs: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
# Must be a static busybox: the rootfs has no libc.
if ldd "$bb" >/dev/null 2>&1; then
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 && bb=/bin/busybox ||
		{ echo "mkrootfs: $bb is not static (apt-get install busybox-static)" >&2; exit 1; }
fi
mkdir -p "$dir"
chmod 755 "$dir"
cd "$dir"
mkdir -p bin proc sys dev tmp etc root
chmod 1777 tmp
chmod 700 root
cp "$bb" bin/busybox
chmod 755 bin/busybox
( cd bin && for a in $(./busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$a"; done )
cat > etc/passwd <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > etc/group <<'G'
root:x:0:
nobody:x:65534:
G
