#!/bin/bash
# report.sh RESULTS.tsv SIZES.tsv OUTDIR PAR "MACHINE LINE"
# Turns the runner's lines into OUTDIR/results.md and OUTDIR/chart.png.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
tsv=$1 sizes=$2 outdir=$3 par=$4 machine=$5
order="floor floor-cfg floor-dyn crun runc skiff"
scen="run seccomp-first seccomp-cached create-start-delete exec parallel-$par mounts-40"

md=$outdir/results.md
{
	echo "## skiff benchmark"
	echo
	echo "$machine. Runtimes alternate run by run; medians after warm-up; \"× floor\" is the"
	echo "median divided by the static floor program's median in the same alternation (the floor"
	echo "does namespaces + bind + pivot_root + exec of /bin/true, so for exec, create+start+delete"
	echo "and the parallel start it is still one plain run; \"floor\" is built static, musl-gcc"
	echo "else gcc -static, \"floor-dyn\" is the same program dynamic on glibc, the floor of the"
	echo "earlier reports, which pays the dynamic loader's start; \"floor-cfg\" is the static floor doing"
	echo "also, with the fewest system calls and no checks, the kernel work the default config asks"
	echo "for: cgroup, cgroup namespace, 7 mounts, 6 devices, masked and read-only paths, read-only"
	echo "root, hostname, capabilities; a runtime's time over it is what the runtime itself adds). Peak RSS: largest ru_maxrss of the"
	echo "runtime's processes (wait4, reaped children included; the runner is a static program, so"
	echo "its own pages, which a spawned command carries until exec, count ~0.1 MB), median over runs. The container's"
	echo "/bin/true is bench/true.c, a 9 KB static exit(0), so it adds next to nothing to either."
	echo
	echo "| scenario | runtime | median ms | p90 ms | × floor | peak RSS MB | runs ok/failed |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
	awk -F'\t' -v order="$order" -v scen="$scen" -v par="$par" '
	{ key = $1 SUBSEP $2; line[key] = $0; if ($2 == "floor" && $3 == "ok") floor[$1] = $6 }
	END {
		ns = split(scen, S, " "); nr = split(order, R, " ")
		for (i = 1; i <= ns; i++) for (j = 1; j <= nr; j++) {
			key = S[i] SUBSEP R[j]; if (!(key in line)) continue
			split(line[key], f, "\t")
			if (f[3] != "ok") {
				printf "| %s | %s | n/a (%s) | | | | %s/%s |\n", S[i], R[j], f[11], f[4], f[5]
				continue
			}
			ratio = (S[i] in floor && floor[S[i]] > 0) ? sprintf("%.2f", f[6] / floor[S[i]]) : "-"
			med = sprintf("%.2f", f[6])
			if (S[i] ~ /^parallel-/) med = sprintf("%.1f (%.0f/s)", f[6], par * 1000 / f[6])
			printf "| %s | %s | %s | %.2f | %s | %.2f | %s/%s |\n", S[i], R[j], med, f[7], ratio, f[9] / 1024, f[4], f[5]
		}
	}' "$tsv"
	echo
	echo "Parallel: $par containers started at once (\`run -d\` of sleep; the floors: $par floor runs"
	echo "of /bin/true), time until every runtime command has returned, i.e. all run; in brackets the"
	echo "throughput in containers per second."
	echo
	echo "| runtime | peak RSS of \`run\`, MB (median / max) | binary | size KB | stripped KB |"
	echo "| --- | ---: | --- | ---: | ---: |"
	awk -F'\t' -v order="$order" '
	FNR == NR { if ($1 == "run" && $3 == "ok") rss[$2] = sprintf("%.2f / %.2f", $9 / 1024, $10 / 1024); next }
	{ bin[$1] = $2; size[$1] = $3; strip[$1] = $4 }
	END {
		n = split(order, R, " ")
		for (j = 1; j <= n; j++) {
			r = R[j]; if (r ~ /^floor/ || (!(r in bin) && !(r in rss))) continue
			printf "| %s | %s | `%s` | %s | %s |\n", r, (r in rss) ? rss[r] : "n/a",
				(r in bin) ? bin[r] : "-", (r in size) ? int(size[r] / 1024) : "-",
				(r in strip) ? int(strip[r] / 1024) : "-"
		}
	}' "$tsv" "$sizes"
	echo
	echo "First vs cached seccomp: \"first\" runs each container with an empty state root, \"cached\""
	echo "with the state root kept across runs (crun 1.8.1 and runc 1.1.5 compile the filter anew"
	echo "every time either way)."
	echo
	# skiff's targets (from the benchmark issue), when skiff was measured
	awk -F'\t' -v scen="$scen" '
	FNR == NR {
		if ($3 == "ok") { med[$1, $2] = $6; if ($1 == "run") rss[$2] = $9 }
		else if ($2 == "skiff") na[$1] = $11
		if ($2 == "skiff" && $3 == "ok") any = 1
		next
	}
	{ strip[$1] = $4 }
	function target(scen, base, limit, text,   r) {
		if (!((scen, "skiff") in med) || !((scen, base) in med))
			return
		r = med[scen, "skiff"] / med[scen, base]
		printf "| %s | %.2fx | %s |\n", text, r, r <= limit ? "yes" : "no"
	}
	END {
		if (!any) exit
		print "| skiff target | measured | met |"
		print "| --- | --- | :---: |"
		target("run", "floor", 1.5, "`run` within 1.5x of the static floor")
		target("create-start-delete", "floor", 2, "create+start+delete within 2x of the static floor")
		target("run", "floor-cfg", 1.5, "`run` within 1.5x of floor-cfg (the config\x27s kernel work)")
		target("create-start-delete", "floor-cfg", 2, "create+start+delete within 2x of floor-cfg")
		if ("skiff" in rss)
			printf "| peak RSS under 2 MB | %.2f MB | %s |\n", rss["skiff"] / 1024, rss["skiff"] < 2048 ? "yes" : "no"
		if (("skiff" in strip) && ("crun" in strip))
			printf "| stripped binary no larger than crun (%d KB) | %d KB | %s |\n", strip["crun"] / 1024,
				strip["skiff"] / 1024, strip["skiff"] <= strip["crun"] ? "yes" : "no"
		ns = split(scen, S, " ")
		for (i = 1; i <= ns; i++) {
			if ((S[i], "skiff") in med && (S[i], "crun") in med)
				printf "| ahead of crun: %s | %.2f vs %.2f ms | %s |\n", S[i], med[S[i], "skiff"],
					med[S[i], "crun"], med[S[i], "skiff"] < med[S[i], "crun"] ? "yes" : "no"
			else if (S[i] in na)
				printf "| ahead of crun: %s | n/a (%s) | no |\n", S[i], na[S[i]]
		}
		print ""
	}' "$tsv" "$sizes"
	echo "![median time per scenario](chart.png)"
} >"$md"

# chart: one group of bars per scenario, one bar per runtime (log scale)
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
present=$(awk -F'\t' '$3 == "ok" { seen[$2] = 1 } END { for (r in seen) print r }' "$tsv")
cols=
for r in $order; do echo "$present" | grep -qx "$r" && cols="$cols $r"; done
awk -F'\t' -v scen="$scen" -v cols="$cols" '
	{ v[$1 SUBSEP $2] = ($3 == "ok") ? $6 : "NaN" }
	END {
		ns = split(scen, S, " "); nc = split(cols, C, " ")
		printf "scenario"; for (j = 1; j <= nc; j++) printf "\t%s", C[j]; print ""
		for (i = 1; i <= ns; i++) {
			printf "%s", S[i]
			for (j = 1; j <= nc; j++) { k = S[i] SUBSEP C[j]; printf "\t%s", (k in v) ? v[k] : "NaN" }
			print ""
		}
	}' "$tsv" >"$dat"
ncol=$(echo $cols | wc -w)
bench_chart "$outdir/chart.png" 1100,520 \
	"OCI runtimes: median wall time per scenario (log scale, lower is better)" "$dat" "$ncol" \
	"set logscale y" 'set ylabel "ms"' "set key top left" "set xtics rotate by -20"
