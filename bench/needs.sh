#!/usr/bin/env bash
# Jobs with needs against the same jobs without: JOBS jobs (default
# 100000) of `true`, -j4; in the second input every job after the first
# 100 needs one of the first 100 (job i needs job (i-1) % 100 + 1), so that
# most of them wait while the first run. CYCLES cycles of A B B A (A:
# without needs, B: with), so that neither side always runs first; wall
# time, CPU time (user + system, the jobs' included) and drover's peak RSS
# per run; medians and ratios at the end. The targets: peak RSS with needs
# within 1.5 x, and the wall time per job (the dispatch cost) within
# 1.1 x, of the run without.
#
#   bench/needs.sh [CYCLES]     (default 3)
#   JOBS=2000 bench/needs.sh 1  a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-3}
jobs=${JOBS:-100000}
out=bench/out
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (Debian package time) at /usr/bin/time" >&2; exit 2; }
go build -o "$out/drover" .
drover=$out/drover

awk -v n="$jobs" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"job-%d\",\"cmd\":[\"true\"]}\n", i }' >"$out/needs-a.ndjson"
awk -v n="$jobs" 'BEGIN {
  for (i = 1; i <= n; i++) {
    if (i <= 100) printf "{\"id\":\"job-%d\",\"cmd\":[\"true\"]}\n", i
    else printf "{\"id\":\"job-%d\",\"cmd\":[\"true\"],\"needs\":[\"job-%d\"]}\n", i, (i - 1) % 100 + 1
  }
}' >"$out/needs-b.ndjson"

declare -A wall cpu rss
# measure NAME FILE: runs drover over FILE once, adds its wall and CPU
# time and its peak RSS (MB).
measure() {
  local w u s m
  /usr/bin/time -o "$out/time" -f '%e %U %S %M' "$drover" run -q -j4 "$2" >/dev/null 2>&1
  read -r w u s m <"$out/time"
  wall[$1]+="$w "
  cpu[$1]+="$(awk "BEGIN { print $u + $s }") "
  rss[$1]+="$(awk "BEGIN { printf \"%.1f\", $m / 1024 }") "
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }

for ((c = 1; c <= cycles; c++)); do
  echo "cycle $c of $cycles" >&2
  for side in a b b a; do
    if [ $side = a ]; then measure without "$out/needs-a.ndjson"; else measure with "$out/needs-b.ndjson"; fi
  done
done

ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
echo
echo "needs: $jobs x true, -j4, $cycles cycles of A B B A, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
printf "%-16s %8s %8s %8s %10s\n" "" "wall s" "CPU s" "peak MB" "us per job"
for side in without with; do
  w=$(echo "${wall[$side]}" | median)
  printf "%-16s %8s %8s %8s %10s\n" "$side needs" "$w" "$(echo "${cpu[$side]}" | median)" "$(echo "${rss[$side]}" | median)" "$(awk "BEGIN { printf \"%.0f\", $w / $jobs * 1e6 }")"
done
rr=$(ratio "$(echo "${rss[with]}" | median)" "$(echo "${rss[without]}" | median)")
wr=$(ratio "$(echo "${wall[with]}" | median)" "$(echo "${wall[without]}" | median)")
target() { printf "  %-44s %6s  %s\n" "$1" "$2" "$(awk "BEGIN { print ($2 <= $3) ? \"met\" : \"MISSED\" }")"; }
echo "targets:"
target "peak RSS with needs <= 1.5 x without" "$rr" 1.5
target "wall time per job with needs <= 1.1 x without" "$wr" 1.1
