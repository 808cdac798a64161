#!/usr/bin/env bash
# Time to proven optimum, the planner against a plain SCIP solve of the same model on the same threads, in paired runs:
# for each round and instance, `allocator plan` then `Allocator.SolveBench plain`, one after the other, whole-process wall
# seconds. SCIP's proof times spread by up to 2x from run to run and seed to seed, so one run each says little: read
# the medians of the ratios (printed at the end) over several rounds and over a family of instances.
# Usage: benchmarks/proof-pairs.sh OUT_FILE ROUNDS LIMIT_SECONDS INSTANCE...   (run with nothing else on the machine)
# OUT_FILE rows: round, instance, planner seconds, status, gap, plain seconds, status, gap.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: proof-pairs.sh OUT_FILE ROUNDS LIMIT_SECONDS INSTANCE...}; rounds=${2:?}; limit=${3:?}; shift 3
if ! built=$(dotnet build benchmarks/Allocator.SolveBench -c Release -v q -nologo 2>&1); then echo "$built" >&2; exit 1; fi
# The planner runs from a published copy, so that a build during the run cannot change it.
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
if ! built=$(dotnet publish src/Allocator.Cli -c Release -v q -nologo -o "$work/cli" 2>&1); then echo "$built" >&2; exit 1; fi
rid=$(dotnet --info | awk '/RID:/ {print $2; exit}')
bench=benchmarks/Allocator.SolveBench/bin/Release/net10.0/$rid/Allocator.SolveBench
: > "$out"
for r in $(seq 1 "$rounds"); do
  for f in "$@"; do
    name=$(basename "$f" .json)
    planner=$( { /usr/bin/time -f %e "$work/cli/allocator" plan "$f" --time-limit "$limit" --quiet --json --out "$work/$name" > "$work/plan.json"; } 2>&1 | tail -1 )
    pstatus=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(p["status"], "none" if p["gap"] is None else p["gap"])' "$work/plan.json")
    plain=$( { /usr/bin/time -f %e "$bench" plain "$f" "$limit" 2 | grep '^RESULT' > "$work/plain.txt"; } 2>&1 | tail -1 )
    qstatus=$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()[7:]); o,b=r["Objective"],r["Bound"]; print(r["Status"].lower(), "none" if o is None or b is None else max(0,(b-o)/o))' "$work/plain.txt")
    echo "$r $name $planner $pstatus $plain $qstatus" | tee -a "$out"
  done
done

python3 - "$out" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def gap(text):
    return "no bound" if text == "none" else f"gap {float(text) * 100:.3f} %"
print("| instance | runs | planner, median s | plain, median s | planner / plain per run | median ratio |")
print("|---|---:|---:|---:|---|---:|")
ratios = []
for name in dict.fromkeys(r[1] for r in rows):
    mine = [r for r in rows if r[1] == name and r[3] == "optimal" and r[6] == "optimal"]
    if not mine:
        gaps = "; ".join(f"{r[3]} {gap(r[4])} / {r[6]} {gap(r[7])}" for r in rows if r[1] == name)
        print(f"| {name} | {sum(r[1] == name for r in rows)} | not proven by both: planner / plain {gaps} | | | |")
        continue
    rs = [float(r[2]) / float(r[5]) for r in mine]
    ratios += rs
    print(f"| {name} | {len(mine)} | {statistics.median(float(r[2]) for r in mine):.2f} | {statistics.median(float(r[5]) for r in mine):.2f} | "
          + ", ".join(f"{x:.3f}" for x in rs) + f" | {statistics.median(rs):.3f} |")
if ratios:
    print(f"\nall proven pairs: {len(ratios)}, median ratio {statistics.median(ratios):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f}")
PY
