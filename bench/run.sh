#!/usr/bin/env bash
# drover's benchmarks, side by side with xargs and GNU parallel, in one
# invocation: each round runs every contender once, in turn, so that noise
# on this shared machine falls on all of them alike; medians and ratios are
# printed at the end. `make bench` runs it; RESULTS.md records its output.
#
#   bench/run.sh [ROUNDS]     (default 7)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
out=bench/out
mkdir -p "$out"

if ! command -v parallel >/dev/null; then
  echo "installing GNU parallel (Debian package)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq parallel >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq parallel >/dev/null
  fi
fi
go build -o "$out/drover" .
go build -o "$out/peakrss" ./bench/peakrss
drover=$out/drover
peakrss=$out/peakrss

# Inputs.
seq 2000 | sed 's/.*/{"cmd":["true"]}/' >"$out/a.ndjson"
seq 2000 | sed 's/.*/x/' >"$out/a.txt"
seq 2000 | sed 's/.*/{"cmd":"true"}/' >"$out/b.ndjson"
seq 2000 | sed 's/.*/true/' >"$out/b.txt"
seq 200 | sed 's/.*/{"cmd":["sleep","0.05"]}/' >"$out/c.ndjson"
seq 200 | sed 's/.*/0.05/' >"$out/c.txt"
seq 2000 | sed 's/.*/{"id":"job-&","cmd":["true"]}/' >"$out/d2k.ndjson"
seq 20000 | sed 's/.*/{"id":"job-&","cmd":["true"]}/' >"$out/d20k.ndjson"
# g, h: the same 2000 commands, from a template and as NDJSON job objects.
seq 2000 >"$out/g.txt"
seq 2000 | sed 's/.*/{"cmd":"true &"}/' >"$out/g.ndjson"
seq 2000 | sed 's/.*/{"cmd":["true","&"]}/' >"$out/h.ndjson"
for i in 1 2 3 4 5 6 7 8; do echo '{"cmd":"head -c 67108864 /dev/zero"}'; done >"$out/e.ndjson"
if [ ! -s "$out/f.ndjson" ]; then
  awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "{\"id\": \"job-%d\", \"cmd\": [\"echo\", \"hello\", \"%d\"], \"timeout\": \"30s\", \"retries\": 1}\n", i, i }' >"$out/f.ndjson"
  sed 's/"id": "job-[0-9]*", //' "$out/f.ndjson" >"$out/f-noid.ndjson"
fi

declare -A times
# timeit NAME COMMAND: runs COMMAND with bash -c and adds its wall time.
timeit() {
  local name=$1 cmd=$2 start end
  start=$EPOCHREALTIME
  bash -c "$cmd" >/dev/null 2>&1 || { echo "FAILED: $name: $cmd" >&2; exit 1; }
  end=$EPOCHREALTIME
  times[$name]+="$(calc "$end - $start") "
}
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }

declare -a order=(
  "a xargs|xargs -P4 -n1 true <$out/a.txt"
  "a drover|$drover run -q -j4 $out/a.ndjson"
  "a parallel|parallel -j4 true <$out/a.txt"
  "b xargs|xargs -P4 -n1 sh -c <$out/b.txt"
  "b drover|$drover run -q -j4 $out/b.ndjson"
  "b parallel|parallel -j4 <$out/b.txt"
  "c xargs|xargs -P50 -n1 sleep <$out/c.txt"
  "c drover|$drover run -q -j50 $out/c.ndjson"
  "c parallel|parallel -j50 sleep <$out/c.txt"
  "g ndjson|$drover run -q -j4 $out/g.ndjson"
  "g template|$drover run -q -j4 --cmd true $out/g.txt"
  "h ndjson|$drover run -q -j4 $out/h.ndjson"
  "h template|$drover run -q -j4 --cmd-argv --cmd true $out/g.txt"
  "e raw|$drover run -q -j8 --output raw $out/e.ndjson >$out/e.out"
  "e group|$drover run -q -j8 --output group $out/e.ndjson >$out/e.out"
  "e raw pipe|$drover run -q -j8 --output raw $out/e.ndjson | cat >/dev/null"
  "e group pipe|$drover run -q -j8 --output group $out/e.ndjson | cat >/dev/null"
)
# Even rounds run the contenders in reverse order, so that none always
# runs just after another (g and h compare two drover runs a few percent
# apart at most).
for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds" >&2
  for ((i = 0; i < ${#order[@]}; i++)); do
    entry=${order[i]}
    ((r % 2)) || entry=${order[${#order[@]} - 1 - i]}
    timeit "${entry%%|*}" "${entry#*|}"
  done
done

# Peak RSS: d (streaming from stdin) and f (validate).
rss() { # rss FILE: peak RSS in MB
  awk '{ printf "%.1f", $1 / 1048576 }' "$1"
}
declare -A peak
for n in 2k 20k; do
  best=
  for ((r = 1; r <= 3; r++)); do
    $peakrss "$out/rss" "$drover" run -q -j4 <"$out/d$n.ndjson" >/dev/null 2>&1
    v=$(rss "$out/rss")
    best="$best $v"
  done
  peak[d$n]=$(echo "$best" | median)
done
for f in f f-noid; do
  tl=
  rl=
  for ((r = 1; r <= 3; r++)); do
    start=$EPOCHREALTIME
    $peakrss "$out/rss" "$drover" validate -q "$out/$f.ndjson" >/dev/null
    end=$EPOCHREALTIME
    tl="$tl $(calc "$end - $start")"
    rl="$rl $(rss "$out/rss")"
  done
  times[$f]=$tl
  peak[$f]=$(echo "$rl" | median)
done

m() { echo "${times[$1]}" | median; }
ratio() { awk "BEGIN { printf \"%.2f\", $(m "$1") / $(m "$2") }"; }
echo
echo "drover benchmarks: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -sr), $(go version | cut -d' ' -f3), $rounds rounds"
echo
printf "%-44s %10s %10s\n" "workload" "median s" "ratio"
printf "%-44s %10s %10s\n" "a. 2000 argv jobs true, -j4: xargs" "$(m 'a xargs')" "1.00"
printf "%-44s %10s %10s\n" "   drover (target <= 1.15 x xargs)" "$(m 'a drover')" "$(ratio 'a drover' 'a xargs')"
printf "%-44s %10s %10s\n" "   GNU parallel" "$(m 'a parallel')" "$(ratio 'a parallel' 'a xargs')"
printf "%-44s %10s %10s\n" "b. 2000 shell jobs true, -j4: xargs sh -c" "$(m 'b xargs')" "1.00"
printf "%-44s %10s %10s\n" "   drover (target <= 1.15 x xargs)" "$(m 'b drover')" "$(ratio 'b drover' 'b xargs')"
printf "%-44s %10s %10s\n" "   GNU parallel" "$(m 'b parallel')" "$(ratio 'b parallel' 'b xargs')"
printf "%-44s %10s %10s\n" "c. 200 jobs sleep 0.05, -j50: xargs" "$(m 'c xargs')" "1.00"
printf "%-44s %10s %10s\n" "   drover (target <= 1.10 x xargs)" "$(m 'c drover')" "$(ratio 'c drover' 'c xargs')"
printf "%-44s %10s %10s\n" "   GNU parallel" "$(m 'c parallel')" "$(ratio 'c parallel' 'c xargs')"
printf "%-44s %10s %10s\n" "g. 2000 shell jobs true N, -j4: NDJSON" "$(m 'g ndjson')" "1.00"
printf "%-44s %10s %10s\n" "   --cmd true (target <= 1.05 x NDJSON)" "$(m 'g template')" "$(ratio 'g template' 'g ndjson')"
printf "%-44s %10s %10s\n" "h. 2000 argv jobs true N, -j4: NDJSON" "$(m 'h ndjson')" "1.00"
printf "%-44s %10s %10s\n" "   --cmd-argv (target <= 1.05 x NDJSON)" "$(m 'h template')" "$(ratio 'h template' 'h ndjson')"
printf "%-44s %10s %10s\n" "e. 8 jobs x 64 MB to a file: raw" "$(m 'e raw')" "1.00"
printf "%-44s %10s %10s\n" "   group (target <= 1.5 x raw)" "$(m 'e group')" "$(ratio 'e group' 'e raw')"
printf "%-44s %10s %10s\n" "   the same into a pipe: raw" "$(m 'e raw pipe')" "1.00"
printf "%-44s %10s %10s\n" "   group" "$(m 'e group pipe')" "$(ratio 'e group pipe' 'e raw pipe')"
echo
printf "%-44s %10s %10s\n" "workload" "peak MB" "ratio"
printf "%-44s %10s %10s\n" "d. 2000 jobs streamed from stdin" "${peak[d2k]}" "1.00"
printf "%-44s %10s %10s\n" "   20000 jobs (target <= 30 MB, <= 1.3x)" "${peak[d20k]}" "$(awk "BEGIN { printf \"%.2f\", ${peak[d20k]} / ${peak[d2k]} }")"
echo
printf "%-44s %10s %10s\n" "workload" "median s" "peak MB"
printf "%-44s %10s %10s\n" "f. validate 1,000,000 records with ids" "$(m f)" "${peak[f]}"
printf "%-44s %10s %10s\n" "   the same without ids" "$(m f-noid)" "${peak[f-noid]}"
printf "%-44s %10s %10s\n" "   (target < 2 s, < 30 MB)" "" ""
