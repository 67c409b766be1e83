#!/bin/bash
# scale-report.sh SCALE.tsv OUTDIR "MACHINE LINE"
# Turns bench/scale.sh's lines into OUTDIR/scale.md and OUTDIR/scale.png.
# Lines: N RT PHASE WALL_MS OK FAIL P50_MS P99_MS CPU_MS, and per N and runtime
#        N RT summary MEMAVAIL_DROP_KB CGROUP_PEAK_KB LEFT_STATE LEFT_CGROUPS - -
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
tsv=$1 outdir=$2 machine=$3
order="crun runc skiff"
md=$outdir/scale.md
agg='
	$3 == "summary" { mem[$1, $2] = $4; cg[$1, $2] = $5; left[$1, $2] = $6 "/" $7; next }
	{ wall[$1, $2, $3] = $4; ok[$1, $2, $3] = $5; fail[$1, $2, $3] = $6; p50[$1, $2, $3] = $7; p99[$1, $2, $3] = $8
	  cpu[$1, $2, $3] = $9
	  nf[$1, $2] += $6; if (!($1 in seen)) { seen[$1] = 1; ns[++nn] = $1 } }
	function tput(n, r) { t = wall[n, r, "create"] + wall[n, r, "start"]; return t > 0 ? n * 1000 / t : 0 }'
{
	echo "## skiff at scale"
	echo
	echo "$machine. N containers (/bin/sleep) are created, all at once (at most PAR"
	echo "commands at a time), then started, then an \`exec /bin/true\` goes into each, then"
	echo "all are deleted (\`delete --force\`); bench/pool.c times every command. Throughput: N"
	echo "divided by the wall time of create + start. CPU: user + system time of the runtime's"
	echo "commands per container, create + start (getrusage of the reaped commands; a runtime"
	echo "whose container init is not its child, as a \`create\` that returns, leaves the init's"
	echo "own setup out of it). Memory: the largest drop of the host's"
	echo "MemAvailable below its value before create, and the peak of the session's memory"
	echo "cgroup above it (the containers stay in it). Clean-up: the wall time of the delete"
	echo "phase; left: state directories / cgroups still there after it. MemAvailable is the"
	echo "whole host's: anything else running moves it; the cgroup peak is the session's."
	echo
	echo "| N | runtime | containers/s | CPU ms/container | create p50/p99 ms | start p50/p99 ms | exec p50/p99 ms | delete p50/p99 ms | failed | MemAvailable drop MB | cgroup peak MB | clean-up s | left |"
	echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk -F'\t' -v order="$order" "$agg"'
	END {
		nr = split(order, R, " ")
		for (i = 1; i <= nn; i++) for (j = 1; j <= nr; j++) {
			n = ns[i]; r = R[j]; if (!((n, r, "create") in wall)) continue
			printf "| %s | %s | %.1f | %.2f", n, r, tput(n, r), (cpu[n, r, "create"] + cpu[n, r, "start"]) / n
			split("create start exec delete", P, " ")
			for (k = 1; k <= 4; k++) printf " | %s / %s", p50[n, r, P[k]], p99[n, r, P[k]]
			printf " | %d | %.1f | %s | %.2f | %s |\n", nf[n, r], mem[n, r] / 1024,
				cg[n, r] < 0 ? "n/a" : sprintf("%.1f", cg[n, r] / 1024), wall[n, r, "delete"] / 1000, left[n, r]
		}
	}' "$tsv"
	echo
	# skiff's targets (issue 19), per N
	awk -F'\t' "$agg"'
	END {
		for (i = 1; i <= nn; i++) {
			n = ns[i]; if (!((n, "skiff", "create") in wall)) continue
			if (!head++) { print "| skiff target | N | measured | met |"; print "| --- | ---: | --- | :---: |" }
			printf "| no failure | %s | %d failed | %s |\n", n, nf[n, "skiff"], nf[n, "skiff"] ? "no" : "yes"
			split("create start exec delete", P, " ")
			worst = 0
			for (k = 1; k <= 4; k++) if (p50[n, "skiff", P[k]] > 0) {
				x = p99[n, "skiff", P[k]] / p50[n, "skiff", P[k]]; if (x > worst) { worst = x; wp = P[k] } }
			printf "| p99 <= 3x p50 (worst command) | %s | %.1fx (%s) | %s |\n", n, worst, wp, (worst <= 3) ? "yes" : "no"
			if ((n, "crun", "create") in wall && tput(n, "crun") > 0)
				printf "| throughput >= 3x crun | %s | %.1f vs %.1f/s (%.1fx) | %s |\n", n, tput(n, "skiff"),
					tput(n, "crun"), tput(n, "skiff") / tput(n, "crun"), (tput(n, "skiff") >= 3 * tput(n, "crun")) ? "yes" : "no"
		}
		if (head) print ""
	}' "$tsv"
	echo "![containers per second by N](scale.png)"
} >"$md"

dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
awk -F'\t' -v order="$order" "$agg"'
	END {
		nr = split(order, R, " ")
		printf "N"; for (j = 1; j <= nr; j++) printf "\t%s", R[j]; print ""
		for (i = 1; i <= nn; i++) {
			printf "%s", ns[i]
			for (j = 1; j <= nr; j++) printf "\t%s", ((ns[i], R[j], "create") in wall) ? sprintf("%.2f", tput(ns[i], R[j])) : "NaN"
			print ""
		}
	}' "$tsv" >"$dat"
bench_chart "$outdir/scale.png" 900,480 \
	"N containers at once: create + start throughput (higher is better)" "$dat" 3 \
	"set yrange [0:*]" 'set ylabel "containers/s"' 'set xlabel "N"' "set key top right"
