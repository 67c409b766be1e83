#!/bin/bash
# syscost-report.sh SYSCOST.tsv OUTDIR "MACHINE LINE"
# Turns bench/syscost.sh's lines (RT PROFILE ok|na GETPID_NS READ_NS PERSONALITY_NS
# REASON) into OUTDIR/syscost.md and OUTDIR/syscost.png: medians per runtime and profile.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
tsv=$1 outdir=$2 machine=$3
order="host crun runc skiff"
md=$outdir/syscost.md
# one line per runtime and profile: RT PROFILE N_OK GETPID READ PERSONALITY REASON
med=$(awk -F'\t' -v order="$order" '
	function median(s,   v, n, i, j, t) {
		n = split(s, v, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{ k = $1 SUBSEP $2; seen[k] = 1 }
	$3 == "ok" { ok[k]++; g[k] = g[k] " " $4; r[k] = r[k] " " $5; p[k] = p[k] " " $6; next }
	{ why[k] = $7 }
	END {
		nr = split(order, R, " ")
		for (j = 1; j <= nr; j++) for (q = 1; q <= 2; q++) {
			prof = q == 1 ? "none" : "default"; k = R[j] SUBSEP prof
			if (!(k in seen)) continue
			if (k in ok) printf "%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t-\n", R[j], prof, ok[k], median(g[k]), median(r[k]), median(p[k])
			else printf "%s\t%s\t0\tNaN\tNaN\tNaN\t%s\n", R[j], prof, why[k]
		}
	}' "$tsv")
{
	echo "## The cost of a system call inside the container"
	echo
	echo "$machine. bench/syscost.c (static) in a container: ns per call of getpid(),"
	echo "read(0, buf, 0) and personality(0xffffffff), median of the reps. \"none\": no"
	echo "linux.seccomp; \"default\": skiff's default profile (\`skiff spec\`), the same"
	echo "config.json for every runtime; \"host\": the program outside any container."
	echo "getpid and read are allowed whatever their arguments, which Linux >= 5.11 decides once"
	echo "per syscall number (the seccomp action cache), so the filter is skipped for them;"
	echo "personality is allowed for some argument values only, so the filter runs at every"
	echo "call, and its cost above \"none\" is the filter's: a binary tree (libseccomp's"
	echo "SCMP_FLTATR_CTL_OPTIMIZE 2, which skiff asks for) or a linear list."
	echo
	echo "| runtime | profile | getpid ns | read ns | personality ns | personality above none, ns | reps ok |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
	awk -F'\t' '
	{ if ($2 == "none" && $3 > 0) base[$1] = $6 }
	{ line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			split(line[i], f, "\t")
			if (f[3] == 0) { printf "| %s | %s | n/a (%s) | | | | 0 |\n", f[1], f[2], f[7]; continue }
			d = (f[2] != "none" && (f[1] in base)) ? sprintf("%+.1f", f[6] - base[f[1]]) : "-"
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[4], f[5], f[6], d, f[3]
		}
	}' <<<"$med"
	echo
	echo "![ns per system call](syscost.png)"
} >"$md"

dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
{
	printf 'case\tgetpid\tread\tpersonality\n'
	awk -F'\t' '{ printf "%s %s\t%s\t%s\t%s\n", $1, $2, $4, $5, $6 }' <<<"$med"
} >"$dat"
bench_chart "$outdir/syscost.png" 1000,480 \
	"ns per system call inside the container, no filter vs the default profile (lower is better)" \
	"$dat" 3 "set yrange [0:*]" 'set ylabel "ns per call"' "set key top left" "set xtics rotate by -20"
