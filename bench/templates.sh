#!/usr/bin/env bash
# Templated runs against the same jobs as NDJSON job objects, measured
# closely: CYCLES cycles of A B B A (A: NDJSON, B: --cmd), so that neither
# side always runs first, with wall time and CPU time (user + system of
# drover and all its jobs) per run; medians and ratios at the end. The
# target is a templated run within 1.05 x of the NDJSON run.
#
#   bench/templates.sh [CYCLES]     (default 12)
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-12}
out=bench/out
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (Debian package time) at /usr/bin/time" >&2; exit 2; }
go build -o "$out/drover" .
drover=$out/drover

seq 2000 >"$out/g.txt"
seq 2000 | sed 's/.*/{"cmd":"true &"}/' >"$out/g.ndjson"
seq 2000 | sed 's/.*/{"cmd":["true","&"]}/' >"$out/h.ndjson"

declare -A wall cpu
# measure NAME COMMAND...: runs the command once, adds its wall and CPU time.
measure() {
  local name=$1 w u s
  shift
  /usr/bin/time -o "$out/time" -f '%e %U %S' "$@" >/dev/null 2>&1
  read -r w u s <"$out/time"
  wall[$name]+="$w "
  cpu[$name]+="$(awk "BEGIN { print $u + $s }") "
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }

for ((c = 1; c <= cycles; c++)); do
  echo "cycle $c of $cycles" >&2
  for side in a b b a; do
    if [ $side = a ]; then
      measure "g ndjson" "$drover" run -q -j4 "$out/g.ndjson"
      measure "h ndjson" "$drover" run -q -j4 "$out/h.ndjson"
    else
      measure "g template" "$drover" run -q -j4 --cmd true "$out/g.txt"
      measure "h template" "$drover" run -q -j4 --cmd-argv --cmd true "$out/g.txt"
    fi
  done
done

mw() { echo "${wall[$1]}" | median; }
mc() { echo "${cpu[$1]}" | median; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
echo
echo "drover templated runs: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -sr), $(go version | cut -d' ' -f3), $cycles ABBA cycles, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf "%-44s %8s %7s %8s %7s\n" "workload" "wall s" "ratio" "cpu s" "ratio"
for w in g h; do
  case $w in
    g) printf "%-44s" "g. 2000 x {\"cmd\":\"true N\"}, -j4" ;;
    h) printf "%-44s" "h. 2000 x {\"cmd\":[\"true\",\"N\"]}, -j4" ;;
  esac
  printf " %8s %7s %8s %7s\n" "$(mw "$w ndjson")" "1.00" "$(mc "$w ndjson")" "1.00"
  case $w in
    g) printf "%-44s" "   --cmd true, 2000 lines" ;;
    h) printf "%-44s" "   --cmd-argv --cmd true, 2000 lines" ;;
  esac
  printf " %8s %7s %8s %7s\n" "$(mw "$w template")" "$(ratio "$(mw "$w template")" "$(mw "$w ndjson")")" \
    "$(mc "$w template")" "$(ratio "$(mc "$w template")" "$(mc "$w ndjson")")"
done
