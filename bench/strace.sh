#!/usr/bin/env bash
# Checks that bench/run.sh's contenders do the same work: runs N jobs of
# each under `strace -f`, and prints, per contender, the command lines the
# jobs were executed with, the system calls the jobs made (per job), and
# the system calls the runner itself made (per job, its start-up included).
#
#   bench/strace.sh [N]     (default 100; run bench/run.sh first, for bench/out)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
out=bench/out
[ -x "$out/drover" ] && [ -x "$out/floor" ] || { echo "run bench/run.sh first" >&2; exit 2; }
command -v strace >/dev/null || { echo "strace is needed (Debian package strace)" >&2; exit 2; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
seq "$n" >"$t/n.txt"
seq "$n" | sed 's/.*/{"cmd":["true"]}/' >"$t/a.ndjson"
seq "$n" | sed 's/.*/{"cmd":"true"}/' >"$t/b.ndjson"

# count NAME PROGRAM INPUT COMMAND...: traces every process (and thread)
# of COMMAND, stdin INPUT, into a file of its own. A process that executes
# PROGRAM (a path ending in /PROGRAM) is a job from that exec on; every
# other call, a forked child's calls before its exec included, is the
# runner's.
count() {
  local name=$1 prog=$2 input=$3 d
  shift 3
  d=$(mktemp -d -p "$t")
  strace -f -ff -qq -o "$d/t" "$@" <"$input" >/dev/null 2>&1
  awk -v n="$n" -v name="$name" -v prog="$prog" '
    FNR == 1 { job = 0 }
    !job && /^execve\(/ && / = 0$/ {
      path = $0; sub(/^execve\("/, "", path); sub(/".*/, "", path)
      if (path ~ ("/" prog "$")) {
        job = 1; jobs++
        argv = $0; sub(/^execve\("[^"]*", /, "", argv); sub(/\], .*/, "]", argv); seen[argv]++
        next
      }
    }
    { if (job) jcalls++; else rcalls++ }
    END {
      printf "%-24s %4d jobs, %6.1f calls a job by the job, %6.1f by the runner; argv:", name, jobs, jcalls / (jobs ? jobs : 1), rcalls / n
      for (a in seen) printf " %s x%d", a, seen[a]
      printf "\n"
    }' "$d"/t.*
}

echo "strace -f of $n jobs each, -j4 ($(uname -sr), $(strace -V | head -1))"
count "xargs -I{} true" true "$t/n.txt" xargs -P4 -I{} true
count "floor true" true /dev/null "$out/floor" "$n" 4 true
count "drover true" true "$t/a.ndjson" "$out/drover" run -q -j4
count "drover --output raw true" true "$t/a.ndjson" "$out/drover" run -q -j4 --output raw
count "xargs sh -c true" sh "$t/n.txt" xargs -P4 -I{} /bin/sh -c true
count "floor sh -c true" sh /dev/null "$out/floor" "$n" 4 /bin/sh -c true
count "drover shell true" sh "$t/b.ndjson" "$out/drover" run -q -j4
count "GNU parallel -N0 true" sh "$t/n.txt" env PARALLEL_SHELL=/bin/sh parallel --will-cite -N0 -j4 true
