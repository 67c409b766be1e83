#!/bin/bash
# tests/tools/mkimage.sh ROOTFS NAME:TAG OUT.tar [CMD...]: an image of the
# directory ROOTFS (one uncompressed layer) as a tarball that both
# `ctr images import` (OCI layout: oci-layout, index.json, blobs/) and
# `docker load` (its manifest.json, naming the same blobs) read, and
# buildah/podman as oci-archive: or docker-archive:.  CMD (default sh)
# is the image's Cmd (none when ENTRYPOINT is set); with ENTRYPOINT=path in the environment, its
# Entrypoint.  Nothing is pulled: the engine tests build their images here.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 ROOTFS NAME:TAG OUT.tar [CMD...]" >&2; exit 2; }
rootfs=$1 ref=$2 out=$3
shift 3
[ $# -gt 0 ] || [ -n "${ENTRYPOINT:-}" ] || set -- sh
name=${ref%:*} tag=${ref##*:}
[ "$name" != "$ref" ] || tag=latest
case "$name" in */*) full=$name ;; *) full=docker.io/library/$name ;; esac
case "$full" in *.*/*|localhost/*) ;; *) full=docker.io/$full ;; esac

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir -p "$w/blobs/sha256"
# blob FILE MEDIATYPE: moves FILE into blobs/, prints its descriptor
blob() {
	local d s
	d=$(sha256sum "$1" | cut -d' ' -f1)
	s=$(stat -c %s "$1")
	mv "$1" "$w/blobs/sha256/$d"
	jq -cn --arg m "$2" --arg d "sha256:$d" --argjson s "$s" '{mediaType: $m, digest: $d, size: $s}'
}
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$w/layer" .
layer=$(blob "$w/layer" application/vnd.oci.image.layer.v1.tar)
jq -cn --argjson l "$layer" --arg e "${ENTRYPOINT:-}" '$ARGS.positional as $cmd | {
	architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
	config: ({Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: $cmd}
		+ (if $e == "" then {} else {Entrypoint: [$e]} end)),
	rootfs: {type: "layers", diff_ids: [$l.digest]},
	history: [{created: "1970-01-01T00:00:00Z", created_by: "tests/tools/mkimage.sh"}]}' \
	--args "$@" >"$w/config"
config=$(blob "$w/config" application/vnd.oci.image.config.v1+json)
jq -cn --argjson c "$config" --argjson l "$layer" '{schemaVersion: 2,
	mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: [$l]}' >"$w/manifest"
manifest=$(blob "$w/manifest" application/vnd.oci.image.manifest.v1+json)
jq -cn --argjson m "$manifest" --arg full "$full:$tag" --arg tag "$tag" '{schemaVersion: 2,
	manifests: [$m + {annotations: {"io.containerd.image.name": $full,
		"org.opencontainers.image.ref.name": $tag}}]}' >"$w/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
jq -cn --arg c "blobs/sha256/$(jq -r '.digest[7:]' <<<"$config")" \
	--arg l "blobs/sha256/$(jq -r '.digest[7:]' <<<"$layer")" --arg t "$name:$tag" \
	'[{Config: $c, RepoTags: [$t], Layers: [$l]}]' >"$w/manifest.json"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$w" -cf "$out" \
	oci-layout index.json manifest.json blobs
