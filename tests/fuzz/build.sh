#!/bin/bash
# Build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang and
# -fsanitize=fuzzer,address,undefined against skiff's sources compiled the
# same way (glibc, not musl): tests/fuzz/<target>.  `make fuzz` runs this;
# tests/fuzz/run.sh runs them.  Env: CC (default clang), FUZZ_CFLAGS.
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${FUZZ_OUT:-$SRC/tests/fuzz}"
OBJ="$OUT/obj"
CC="${CC:-clang}"
command -v "$CC" >/dev/null || { echo "fuzz: $CC not found (tools/deps.sh installs clang)" >&2; exit 1; }
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wno-unused-parameter $SAN ${FUZZ_CFLAGS:-}"
LIBS="$(pkg-config --libs libseccomp libcap yajl 2>/dev/null || echo -lseccomp -lcap -lyajl)"
mkdir -p "$OBJ"
# a config.h of its own: what the sources take from configure's
cat >"$OBJ/config.h.new" <<H
#define _GNU_SOURCE 1
#define HAVE_OPEN_TREE 1
#define HAVE_STATX 1
#define PACKAGE_VERSION "$(sed -n 's/^AC_INIT(\[skiff\], *\[\([^]]*\)\].*/\1/p' "$SRC/configure.ac")"
H
cmp -s "$OBJ/config.h.new" "$OBJ/config.h" && rm "$OBJ/config.h.new" || mv "$OBJ/config.h.new" "$OBJ/config.h"
# the include directories of Makefile.am's AM_CPPFLAGS (include/ and the rooms)
mapfile -t incdirs < <(sed -n '/^AM_CPPFLAGS/,/config\.h/p' "$SRC/Makefile.am" |
	grep -o '(top_srcdir)/[^ ]*' | sed 's|^(top_srcdir)/||')
INC=()
for d in "${incdirs[@]}"; do INC+=(-I"$SRC/$d"); done
INC+=(-include "$OBJ/config.h")
# libskiff's sources (Makefile.am), main() aside
mapfile -t srcs < <(sed -n '/^libskiff_a_SOURCES/,/^$/p' "$SRC/Makefile.am" | tr ' \t\\' '\n\n\n' |
	grep '\.c$')
objs=()
for s in "${srcs[@]}"; do
	o="$OBJ/$(tr / _ <<<"${s%.c}").o"
	objs+=("$o")
	if [ ! -e "$o" ] || [ "$SRC/$s" -nt "$o" ] || [ "$OBJ/config.h" -nt "$o" ] ||
		[ -n "$(find "$SRC/include" "$SRC/base" "$SRC/src" "$SRC/oci" "$SRC/rootfs" "$SRC/cgroups" -name '*.h' -newer "$o" -print -quit)" ]; then
		echo "  CC(fuzz) $s"
		$CC $CFLAGS -fsanitize=fuzzer-no-link "${INC[@]}" -c "$SRC/$s" -o "$o"
	fi
done
rm -f "$OBJ/libskiff-fuzz.a"
ar rcs "$OBJ/libskiff-fuzz.a" "${objs[@]}"
for t in "$SRC"/tests/fuzz/fuzz_*.c; do
	name="$(basename "${t%.c}")"
	echo "  CCLD(fuzz) tests/fuzz/$name"
	$CC $CFLAGS -fsanitize=fuzzer "${INC[@]}" "$t" "$SRC/tests/fuzz/common.c" "$OBJ/libskiff-fuzz.a" $LIBS -o "$OUT/$name"
done
