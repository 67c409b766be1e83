#!/bin/sh
# The dependency rule of docs/architecture.md, checked on the include lines:
# base/ includes only its own headers and include/skiff/; oci/, cgroups/ and
# rootfs/ include base/, include/skiff/ and their own folder's headers, never
# a header of src/ (they are linked without src/: the unit tests do).
# Prints each include that breaks the rule, then "ok"/"not ok" and the unit
# tests' summary line; exit 1 when there is one.
cd "${srcdir:-.}" || exit 1
[ -d src ] && [ -d base ] || { echo "layers.sh: run from the source tree" >&2; exit 1; }

# "name.h" of every header of src/ and of each lower folder
names() { find "$@" -name '*.h' -exec basename {} \; | sort -u; }
bad=0
check() {   # check DIR FORBIDDEN-HEADER-NAMES...
	dir="$1"
	shift
	for h in "$@"; do
		hits="$(grep -rn --include='*.[ch]' -E "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]*/)?$h\"" "$dir")"
		[ -n "$hits" ] || continue
		printf '%s\n' "$hits" | sed "s|\$|   <- $h is not for $dir/|"
		bad=1
	done
	hits="$(grep -rn --include='*.[ch]' -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*src/' "$dir")"
	if [ -n "$hits" ]; then
		printf '%s\n' "$hits" | sed "s|\$|   <- src/ is not for $dir/|"
		bad=1
	fi
}
src_h="$(names src)"
lower_h="$(names oci cgroups rootfs)"
for d in oci cgroups rootfs include; do
	# shellcheck disable=SC2086
	check "$d" $src_h
done
# shellcheck disable=SC2086
check base $src_h $lower_h
# the unit tests' output (tests/run.sh counts the summary line)
if [ "$bad" = 0 ]; then
	echo "ok - layers: base/, oci/, cgroups/, rootfs/ and include/ include no header of src/"
	echo "1 passed, 0 failed"
else
	echo "not ok - layers: an include above breaks the rule of docs/architecture.md"
	echo "0 passed, 1 failed"
fi
exit "$bad"
