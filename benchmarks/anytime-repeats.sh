#!/usr/bin/env bash
# The objective over time, repeated: ROUNDS runs of `Allocator.SolveBench compare` (the planner, then the plain SCIP
# solve of the same model on the same threads) on each instance at LIMIT seconds, and the plan each held at fixed times
# (the planner's as a stop then would have written it; the plain solve's from SCIP's log). One run each says little at
# a long limit: SCIP's late plans come by chance, so the medians over rounds are the comparison.
# Usage: benchmarks/anytime-repeats.sh OUT_DIR ROUNDS LIMIT_SECONDS "TIMES" INSTANCE...   e.g. "10 60 300"
# (ROUNDS x instances x 2 x LIMIT seconds; run with nothing else on the machine)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: anytime-repeats.sh OUT_DIR ROUNDS LIMIT_SECONDS TIMES INSTANCE...}; rounds=${2:?}; limit=${3:?}; times=${4:?}; shift 4
if ! built=$(dotnet build benchmarks/Allocator.SolveBench -c Release -v q -nologo 2>&1); then echo "$built" >&2; exit 1; fi
rid=$(dotnet --info | awk '/RID:/ {print $2; exit}')
# A copy of the benchmark, so that a build during the run cannot change it.
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "benchmarks/Allocator.SolveBench/bin/Release/net10.0/$rid" "$work/bench"
for r in $(seq 1 "$rounds"); do
  for f in "$@"; do
    "$work/bench/Allocator.SolveBench" compare "$f" "$limit" "$out/run$r"
  done
done
python3 benchmarks/anytime-repeats.py "$out" $times
