#!/bin/bash
# Install what building and testing skiff need (Debian 12). Idempotent and quiet
# when everything is already there. Must run as root (or with sudo available).
set -euo pipefail

PKGS=(build-essential autoconf automake libtool pkg-config
      libseccomp-dev libcap-dev libyajl-dev musl-tools
      busybox-static bats jq strace runc util-linux iproute2 uidmap
      # engines driven end to end (tests/integration/engines_*.bats), the
      # console-socket receiver (python3) and interactive terminals (tmux)
      podman conmon containerd python3 tmux
      # checkpoint/restore (tests/integration/checkpoint*.bats)
      criu
      # the fuzzing stage (make fuzz: libFuzzer and its sanitizer runtimes)
      clang libclang-rt-14-dev
      # the CRI path (engines_cri.bats: CNI plugins, a gRPC client in
      # python3), Docker (engines_docker.bats; tini is its docker-init) and
      # buildah (engines_buildah.bats)
      containernetworking-plugins python3-grpcio python3-grpc-tools
      docker.io tini buildah
      # bench/sandbox.sh only: the bubblewrap anchor of skiff sandbox
      bubblewrap)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when the package lists are missing or cannot find a package.
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/skiff-deps.log 2>&1; then
	$SUDO apt-get update -qq >>/tmp/skiff-deps.log 2>&1
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/skiff-deps.log 2>&1 || {
		echo "deps: apt-get install failed, see /tmp/skiff-deps.log" >&2
		tail -20 /tmp/skiff-deps.log >&2
		exit 1
	}
fi
