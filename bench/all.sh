#!/bin/bash
# Every benchmark family in one command, each writing its results and chart:
#
#   sudo bench/all.sh
#
#   bench/run.sh      -> bench/results/results.md, results.tsv, chart.png
#   bench/scale.sh    -> bench/results/scale.md, scale.tsv, scale.png
#   bench/syscost.sh  -> bench/results/syscost.md, syscost.tsv, syscost.png
#   bench/timeline.sh -> bench/results/timeline.md
#
# Run it on a quiet machine: the families time wall clock, and anything else
# running moves them.  The environment of each script passes through (RUNS, PAR,
# SCALE_N, CALLS, RESULTS, ...); FAMILIES selects (default "run scale syscost timeline").
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	printf 'bench: load average %s on %s cores: the numbers will be noisy\n' "$load" "$(nproc)" >&2
fi
for f in ${FAMILIES:-run scale syscost timeline}; do
	"$BENCH/$f.sh"
done
