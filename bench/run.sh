#!/usr/bin/env bash
# drover's benchmarks, side by side with xargs, GNU parallel and a floor
# spawner (bench/floor), in one invocation. Every contender runs the same
# jobs: the same program with the same argv, its output going to the same
# place (bench/strace.sh checks that with strace). Each round runs every
# contender of a workload once, in turn, so that noise on this shared
# machine falls on all alike; medians of wall time and of CPU time (user +
# system, the jobs' included) and their ratios are printed at the end.
# `make bench` runs it; RESULTS.md records its output.
#
#   bench/run.sh [ROUNDS]     (default 5)
#   STREAM=200000 bench/run.sh   the streamed workload's size (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
stream=${STREAM:-20000}
out=bench/out
mkdir -p "$out"

need() { # need PROGRAM PACKAGE: installs the Debian package when PROGRAM is missing
  command -v "$1" >/dev/null && return
  echo "installing $2 (Debian package)" >&2
  local sudo=
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need parallel parallel
need cc gcc
[ -x /usr/bin/time ] || need /usr/bin/time time

go build -o "$out/drover" .
go build -o "$out/peakrss" ./bench/peakrss
cc -O2 -o "$out/floor" bench/floor/floor.c
drover=$out/drover
floor=$out/floor
# GNU parallel runs every job through a shell (the one it was started from,
# or PARALLEL_SHELL), with the input line appended unless -N0: with
# PARALLEL_SHELL=/bin/sh and -N0 its jobs are
# `/bin/sh -c 'true '`, the shell jobs of workload b. It cannot run an argv
# job without a shell, so it is not in workload a.
parallel="parallel --will-cite"

# Inputs. a: argv jobs; b: shell jobs; s: sleeps; e: 64 MiB of output.
seq 2000 | sed 's/.*/{"cmd":["true"]}/' >"$out/a.ndjson"
seq 2000 | sed 's/.*/{"id":"job-&","cmd":["true"]}/' >"$out/a-ids.ndjson"
seq 2000 >"$out/a.txt"
seq 2000 | sed 's/.*/job-&.stdout job-&.stderr/' >"$out/names.txt"
seq 2000 | sed 's/.*/{"cmd":"true"}/' >"$out/b.ndjson"
seq 2000 | sed 's/.*/{"cmd":["sleep","0.1"]}/' >"$out/s.ndjson"
seq "$stream" | sed 's/.*/{"cmd":["true"]}/' >"$out/stream.ndjson"
# g, h: the same 2000 commands, from a template and as NDJSON job objects.
seq 2000 >"$out/g.txt"
seq 2000 | sed 's/.*/{"cmd":"true &"}/' >"$out/g.ndjson"
seq 2000 | sed 's/.*/{"cmd":["true","&"]}/' >"$out/h.ndjson"
seq "$stream" >"$out/stream.txt"
line=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde # 63 + newline
for i in 1 2 3 4; do echo "{\"cmd\":\"yes $line | head -c 67108864\"}"; done >"$out/e.ndjson"
if [ ! -s "$out/f.ndjson" ]; then
  awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "{\"id\": \"job-%d\", \"cmd\": [\"echo\", \"hello\", \"%d\"], \"timeout\": \"30s\", \"retries\": 1}\n", i, i }' >"$out/f.ndjson"
  sed 's/"id": "job-[0-9]*", //' "$out/f.ndjson" >"$out/f-noid.ndjson"
fi

declare -A wall cpu rss cmds
names=()
# timeit NAME COMMAND: runs COMMAND with bash -c under /usr/bin/time and
# adds its wall time, CPU time and peak RSS (largest process, in MB).
timeit() {
  local name=$1 cmd=$2 w u s m
  [ -n "${cmds[$name]+x}" ] || { names+=("$name"); cmds[$name]=$cmd; }
  /usr/bin/time -o "$out/time" -f '%e %U %S %M' bash -c "$cmd" >/dev/null 2>"$out/stderr" ||
    { echo "FAILED: $name: $cmd" >&2; cat "$out/stderr" >&2; exit 1; }
  read -r w u s m <"$out/time"
  wall[$name]+="$w "
  cpu[$name]+="$(awk "BEGIN { print $u + $s }") "
  rss[$name]+="$(awk "BEGIN { printf \"%.1f\", $m / 1024 }") "
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }

# group NAME|COMMAND...: one workload, its first entry the reference.
declare -a groups=()
workload() { groups+=("$(printf '%s\n' "$@")"); }

for j in 1 4 16; do
  workload "a$j floor|$floor 2000 $j true" \
    "a$j xargs|xargs -P$j -I{} true <$out/a.txt" \
    "a$j drover|$drover run -q -j$j $out/a.ndjson" \
    "a$j drover raw|$drover run -q -j$j --output raw $out/a.ndjson"
done
workload "b floor|$floor 2000 4 /bin/sh -c true" \
  "b xargs|xargs -P4 -I{} /bin/sh -c true <$out/a.txt" \
  "b drover|$drover run -q -j4 $out/b.ndjson" \
  "b parallel|PARALLEL_SHELL=/bin/sh $parallel -N0 -j4 true <$out/a.txt"
# d: each round saves into a directory of its own ($R is the round), all
# removed after the rounds, so that no removal is timed. "d files" makes
# the same 4000 empty files with touch: what the file system alone costs.
workload "d drover|$drover run -q -j4 $out/a-ids.ndjson" \
  "d drover output-dir|$drover run -q -j4 --output-dir $out/od/\$R $out/a-ids.ndjson" \
  "d files|mkdir -p $out/odf/\$R && cd $out/odf/\$R && xargs touch <$PWD/$out/names.txt"
workload "s floor|$floor 2000 1000 sleep 0.1" \
  "s xargs|xargs -P1000 -I{} sleep 0.1 <$out/a.txt" \
  "s drover|$drover run -q -j1000 $out/s.ndjson"
workload "g ndjson|$drover run -q -j4 $out/g.ndjson" \
  "g template|$drover run -q -j4 --cmd true $out/g.txt"
workload "h ndjson|$drover run -q -j4 $out/h.ndjson" \
  "h template|$drover run -q -j4 --cmd-argv --cmd true $out/g.txt"
for mode in raw group tag; do
  workload "e $mode file|$drover run -q -j4 --output $mode $out/e.ndjson >$out/e.out"
done
for mode in raw group tag; do
  workload "e $mode pipe|$drover run -q -j4 --output $mode $out/e.ndjson | cat >/dev/null"
done
workload "f validate|$drover validate -q $out/f.ndjson" \
  "f validate without ids|$drover validate -q $out/f-noid.ndjson"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$out/od" "$out/odf"
for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds" >&2
  export R=$r
  # Even rounds run a workload's contenders in reverse order, so that
  # none always runs just after another.
  for g in "${groups[@]}"; do
    mapfile -t entries <<<"$g"
    for ((i = 0; i < ${#entries[@]}; i++)); do
      entry=${entries[i]}
      ((r % 2)) || entry=${entries[${#entries[@]} - 1 - i]}
      timeit "${entry%%|*}" "${entry#*|}"
    done
  done
done
rm -rf "$out/od" "$out/odf"
# The streamed run, once: STREAM jobs from stdin, xargs alike.
timeit "t xargs" "xargs -P4 -I{} true <$out/stream.txt"
timeit "t drover" "$drover run -q -j4 <$out/stream.ndjson"
timeit "t2k drover" "head -2000 $out/stream.ndjson | $drover run -q -j4"

m() { echo "${wall[$1]}" | median; }
mc() { echo "${cpu[$1]}" | median; }
mr() { echo "${rss[$1]}" | median; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }

# row NAME REF [FLOOR]: the medians of NAME and its ratios to REF (and to FLOOR).
row() {
  local w c f=-
  w=$(m "$1") c=$(mc "$1")
  [ -z "${3:-}" ] || f=$(ratio "$w" "$(m "$3")")
  printf "%-30s %8s %7s %7s %8s %7s %8s\n" "$1" "$w" "$(ratio "$w" "$(m "$2")")" "$f" "$c" "$(ratio "$c" "$(mc "$2")")" "$(mr "$1")"
}
echo
echo "drover benchmarks: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -sr), $(go version | cut -d' ' -f3), $rounds rounds"
echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf "%-30s %8s %7s %7s %8s %7s %8s\n" "workload (ratio: to the first)" "wall s" "ratio" "/floor" "CPU s" "ratio" "peak MB"
for j in 1 4 16; do
  echo "a. 2000 x true (argv), -j$j"
  for c in xargs floor drover "drover raw"; do row "a$j $c" "a$j xargs" "a$j floor"; done
done
echo "b. 2000 x /bin/sh -c true, -j4"
for c in xargs floor drover parallel; do row "b $c" "b xargs" "b floor"; done
echo "d. 2000 x true, -j4, ids job-N"
for c in drover "drover output-dir" files; do row "d $c" "d drover"; done
echo "s. 2000 x sleep 0.1, -j1000"
for c in xargs floor drover; do row "s $c" "s xargs" "s floor"; done
echo "g. 2000 x sh -c 'true N', -j4: NDJSON, then --cmd"
for c in ndjson template; do row "g $c" "g ndjson"; done
echo "h. 2000 x true N (argv), -j4: NDJSON, then --cmd-argv"
for c in ndjson template; do row "h $c" "h ndjson"; done
echo "e. 4 x 64 MiB of 64-byte lines, -j4"
for to in file pipe; do
  for mode in raw group tag; do row "e $mode $to" "e raw $to"; done
done
echo "f. validate 1,000,000 records"
for c in validate "validate without ids"; do row "f $c" "f validate"; done
echo "t. $stream x true streamed from stdin, -j4 (one run each)"
for c in xargs drover; do row "t $c" "t xargs"; done
row "t2k drover" "t2k drover"
echo
echo "per job, streamed: xargs $(awk "BEGIN { printf \"%.0f\", $(m 't xargs') / $stream * 1e6 }") us, drover $(awk "BEGIN { printf \"%.0f\", $(m 't drover') / $stream * 1e6 }") us; drover's peak RSS $(mr 't2k drover') MB at 2000 jobs, $(mr 't drover') MB at $stream"
echo
echo "targets (medians of wall time, ratios in this run):"
# target TEXT VALUE LIMIT: met when VALUE <= LIMIT.
target() { printf "  %-52s %8s  %s\n" "$1" "$2" "$(awk "BEGIN { print ($2 <= $3) ? \"met\" : \"MISSED\" }")"; }
for j in 1 4 16; do
  target "a$j drover <= 1.00 x xargs -I{}" "$(ratio "$(m "a$j drover")" "$(m "a$j xargs")")" 1.00
  target "a$j drover <= 1.10 x floor (stretch)" "$(ratio "$(m "a$j drover")" "$(m "a$j floor")")" 1.10
done
target "b drover <= 1.00 x xargs -I{} sh -c true" "$(ratio "$(m "b drover")" "$(m "b xargs")")" 1.00
for to in file pipe; do
  target "e tag <= 1.3 x raw, $to" "$(ratio "$(m "e tag $to")" "$(m "e raw $to")")" 1.3
done
target "e group <= 1.2 x raw, pipe" "$(ratio "$(m "e group pipe")" "$(m "e raw pipe")")" 1.2
target "g --cmd <= 1.05 x NDJSON" "$(ratio "$(m "g template")" "$(m "g ndjson")")" 1.05
target "h --cmd-argv <= 1.05 x NDJSON" "$(ratio "$(m "h template")" "$(m "h ndjson")")" 1.05
target "d --output-dir <= 1.10 x without" "$(ratio "$(m "d drover output-dir")" "$(m "d drover")")" 1.10
target "s drover <= 1.10 x xargs" "$(ratio "$(m "s drover")" "$(m "s xargs")")" 1.10
target "s drover peak RSS <= 32 MB" "$(mr "s drover")" 32
target "t drover per job <= 1.0 x xargs ($stream jobs)" "$(ratio "$(m "t drover")" "$(m "t xargs")")" 1.0
target "t peak RSS at $stream jobs <= 1.1 x at 2000 (flat)" "$(ratio "$(mr "t drover")" "$(mr "t2k drover")")" 1.1
target "f validate 1,000,000 records < 2 s" "$(m "f validate")" 1.999
target "f validate peak RSS < 30 MB" "$(mr "f validate")" 29.99
echo
echo "The commands (bench/out is \$out):"
for name in "${names[@]}"; do printf '  %-28s %s\n' "$name" "${cmds[$name]}"; done
