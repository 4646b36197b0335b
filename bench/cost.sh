#!/usr/bin/env bash
# What recorded durations buy, measured and printed side by side in one run:
#
#   k. a skewed list: 38 short jobs, then 2 long ones (10 x as long), -j 4.
#      The makespan (wall time of the run) in input order, with --order
#      longest and the history of an earlier run, and with GNU parallel,
#      against the lower bound max(longest job, total work / 4).
#   l. 4 shards of 200 jobs whose durations are drawn from a heavy-tailed
#      (Pareto, alpha 1.5) distribution: the slowest shard over the mean
#      shard, split by id hash and with --balance-by, as the history says
#      (planned) and as the 4 shards take when run side by side (measured).
#   m. reading a 100,000-record history: wall time and peak RSS of a dry
#      run whose plan reads it.
#
# The jobs are sleeps, so that the machine's load moves the figures little.
# `make bench` runs it at full size (about 3 minutes); a tiny run checks the
# script:
#
#   bench/cost.sh [ROUNDS]                       (default 3)
#   UNIT=0.02 SCALE=0.002 RECORDS=2000 bench/cost.sh 1
#
# UNIT is a short job of k in seconds (default 0.5), SCALE the smallest job
# of l (default 0.05), RECORDS the history's size in m (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
unit=${UNIT:-0.5}
scale=${SCALE:-0.05}
records=${RECORDS:-100000}
out=bench/out/cost
rm -rf "$out"
mkdir -p "$out"
go build -o "$out/drover" .
drover=$out/drover

# wall COMMAND...: runs COMMAND, prints its wall time in seconds.
wall() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  awk "BEGIN { printf \"%.3f\", $t1 - $t0 }"
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
# target TEXT VALUE LIMIT: met when VALUE <= LIMIT.
target() { printf "  %-58s %8s  %s\n" "$1" "$2" "$(awk "BEGIN { print ($2 <= $3) ? \"met\" : \"MISSED\" }")"; }
# record ID MS: a results record of a job that took MS milliseconds.
record() {
  printf '{"id":"%s","record":"bench:1","status":"succeeded","exit_code":0,"signal":null,"attempts":1,"started_at":"2026-01-01T00:00:00Z","finished_at":"2026-01-01T00:00:00Z","duration_ms":%s,"error":null}\n' "$1" "$2"
}

echo "cost benchmarks: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -sr), $(go version | cut -d' ' -f3), $rounds rounds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# k. The skewed list.
long=$(awk "BEGIN { print 10 * $unit }")
{
  for i in $(seq 38); do printf '{"id":"short-%d","cmd":["sleep","%s"]}\n' "$i" "$unit"; done
  for i in 1 2; do printf '{"id":"long-%d","cmd":["sleep","%s"]}\n' "$i" "$long"; done
} >"$out/skewed.ndjson"
sed 's/.*"cmd":\["sleep","\([^"]*\)"\].*/sleep \1/' "$out/skewed.ndjson" >"$out/skewed.txt"
"$drover" run -q -j 4 --results "$out/skewed-history.ndjson" "$out/skewed.ndjson" # the earlier run
have_parallel=$(command -v parallel >/dev/null && echo yes || echo no)
declare -A k
for ((r = 1; r <= rounds; r++)); do
  k[input]+="$(wall "$drover" run -q -j 4 "$out/skewed.ndjson") "
  k[longest]+="$(wall "$drover" run -q -j 4 --order longest --history "$out/skewed-history.ndjson" "$out/skewed.ndjson") "
  [ "$have_parallel" = no ] || k[parallel]+="$(wall parallel --will-cite -j 4 <"$out/skewed.txt") "
done
bound=$(awk "BEGIN { w = (38 * $unit + 2 * $long) / 4; print (w > $long) ? w : $long }")
echo
echo "k. skewed list: 38 x sleep $unit, then 2 x sleep $long, -j 4; lower bound max(longest, total/4) = $bound s"
printf "  %-40s %8s %8s\n" "contender" "wall s" "/bound"
for c in input longest parallel; do
  [ -n "${k[$c]:-}" ] || { printf "  %-40s %8s\n" "$c" "(GNU parallel not installed)"; continue; }
  m=$(echo "${k[$c]}" | median)
  printf "  %-40s %8s %8s\n" "$c" "$m" "$(ratio "$m" "$bound")"
done

# l. Heavy-tailed shards. Durations are Pareto with alpha 1.5 and minimum
# SCALE seconds, drawn with a fixed seed.
awk -v n=200 -v xm="$scale" 'BEGIN { srand(23); for (i = 1; i <= n; i++) { u = 1 - rand(); printf "t-%03d %.3f\n", i, xm / (u ^ (1 / 1.5)) } }' >"$out/tail.txt"
awk '{ printf "{\"id\":\"%s\",\"cmd\":[\"sleep\",\"%s\"]}\n", $1, $2 }' "$out/tail.txt" >"$out/tail.ndjson"
while read -r id s; do record "$id" "$(awk "BEGIN { printf \"%d\", $s * 1000 }")"; done <"$out/tail.txt" >"$out/tail-history.ndjson"
# planned METHOD FLAGS...: the slowest shard over the mean, by the durations
# the jobs were drawn with, from the four shards' dry runs.
planned() {
  for k in 1 2 3 4; do
    "$drover" run --dry-run --shard "$k/4" "$@" "$out/tail.ndjson" | cut -f1 | sed "s/$/ $k/"
  done | awk 'NR == FNR { d[$1] = $2; next } { w[$2] += d[$1]; n++ }
    END { for (k in w) { s += w[k]; if (w[k] > m) m = w[k] }; printf "%.2f %d", m / (s / 4), n }' "$out/tail.txt" -
}
# measured FLAGS...: the four shards run side by side, each -j 1; the
# slowest shard's wall time over the mean.
measured() {
  local k pids=()
  for k in 1 2 3 4; do
    (echo "$(wall "$drover" run -q -j 1 --shard "$k/4" "$@" "$out/tail.ndjson")" >"$out/shard-$k.time") &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$out"/shard-?.time | awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%.2f", m / (s / NR) }'
}
total=$(awk '{ s += $2 } END { printf "%.1f", s }' "$out/tail.txt")
longest_job=$(sort -k2 -g "$out/tail.txt" | tail -1 | cut -d' ' -f2)
read -r hash_plan hash_n <<<"$(planned)"
read -r bal_plan bal_n <<<"$(planned --balance-by "$out/tail-history.ndjson")"
hash_run=$(measured)
bal_run=$(measured --balance-by "$out/tail-history.ndjson")
echo
echo "l. 4 shards of 200 heavy-tailed jobs: $total s of work, the longest $longest_job s; slowest shard / mean shard"
printf "  %-40s %8s %8s %8s\n" "split" "planned" "measured" "jobs"
printf "  %-40s %8s %8s %8s\n" "by id hash" "$hash_plan" "$hash_run" "$hash_n"
printf "  %-40s %8s %8s %8s\n" "--balance-by" "$bal_plan" "$bal_run" "$bal_n"

# m. Reading a history of RECORDS records.
awk -v n="$records" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"job-%07d\",\"record\":\"jobs.ndjson:%d\",\"status\":\"succeeded\",\"exit_code\":0,\"signal\":null,\"attempts\":1,\"started_at\":\"2026-01-01T00:00:00.123456789Z\",\"finished_at\":\"2026-01-01T00:00:01.123456789Z\",\"duration_ms\":%d,\"error\":null,\"max_rss_bytes\":4194304,\"user_ms\":3,\"sys_ms\":1,\"cmd\":[\"./test.sh\",\"%d\"],\"slot\":%d}\n", i, i, (i * 7919) % 60000, i, i % 4 + 1 }' >"$out/big-history.ndjson"
echo '{"id":"job-0000001","cmd":["true"]}' >"$out/one.ndjson"
declare -a hw hm bw bm
for ((r = 1; r <= rounds; r++)); do
  /usr/bin/time -o "$out/time" -f '%e %M' "$drover" run --dry-run --order longest --history "$out/big-history.ndjson" "$out/one.ndjson" >/dev/null
  read -r w m <"$out/time"
  hw+=("$w") hm+=("$(awk "BEGIN { printf \"%.1f\", $m / 1024 }")")
  /usr/bin/time -o "$out/time" -f '%e %M' "$drover" run --dry-run "$out/one.ndjson" >/dev/null
  read -r w m <"$out/time"
  bw+=("$w") bm+=("$(awk "BEGIN { printf \"%.1f\", $m / 1024 }")")
done
history_wall=$(echo "${hw[*]}" | median)
history_mb=$(echo "${hm[*]}" | median)
echo
echo "m. a dry run reading a history of $records records ($(du -m "$out/big-history.ndjson" | cut -f1) MB)"
printf "  %-40s %8s %8s\n" "" "wall s" "peak MB"
printf "  %-40s %8s %8s\n" "without --history" "$(echo "${bw[*]}" | median)" "$(echo "${bm[*]}" | median)"
printf "  %-40s %8s %8s\n" "--order longest --history" "$history_wall" "$history_mb"

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "targets:"
target "k --order longest <= 1.10 x the lower bound" "$(ratio "$(echo "${k[longest]}" | median)" "$bound")" 1.10
target "l --balance-by slowest shard <= 1.10 x mean (measured)" "$bal_run" 1.10
target "l --balance-by slowest shard <= 1.10 x mean (planned)" "$bal_plan" 1.10
target "m reading $records records < 0.5 s" "$history_wall" 0.499
target "m reading $records records < 40 MB" "$history_mb" 39.99
