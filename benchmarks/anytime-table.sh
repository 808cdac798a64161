#!/usr/bin/env bash
# The anytime exact planner against a plain SCIP solve of the same model (SCIP's concurrent solvers on the same
# threads, no start plan, no re-solves), one after the other on this machine (benchmarks/Allocator.SolveBench):
#   1. time to proven optimum (or the gap at the limit) on the mid seed and five generated mid-size instances;
#   2. objective and bound over time on colossus, the large generated instance and the hard case: both curves from one
#      run each at the long limit (drawn as PNG), and the planner again at the short limits.
# Usage: benchmarks/anytime-table.sh OUT_DIR [PROOF_LIMIT=120] [CURVE_LIMIT=300] [SHORT_LIMITS="10 60"]
# (about an hour on 2 cores with the defaults; OUT_DIR gets the JSON, the PNGs and the planner's plan.json files)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: anytime-table.sh OUT_DIR [PROOF_LIMIT] [CURVE_LIMIT] [SHORT_LIMITS]}
proof=${2:-120}; curve=${3:-300}; short=${4:-10 60}
mkdir -p "$out"
dotnet build benchmarks/Allocator.SolveBench -c Release -v q -nologo >/dev/null
dotnet build src/Allocator.Cli -c Release -v q -nologo >/dev/null
rid=$(dotnet --info | awk '/RID:/ {print $2; exit}')
bench=benchmarks/Allocator.SolveBench/bin/Release/net10.0/$rid/Allocator.SolveBench
cli=src/Allocator.Cli/bin/Release/net10.0/$rid/allocator
gen="$out/instances"; mkdir -p "$gen"
for s in 1 2 3 4 5; do "$cli" generate --pools 5 --leases 80 --jobs 16 --periods 20 --seed "$s" --name "gen-5x80x16x20-s$s" --out "$gen/gen-5x80x16x20-s$s.json" 2>/dev/null; done
"$cli" generate --pools 12 --leases 600 --jobs 60 --periods 52 --seed 1 --uncertainty --name large-12x600x60x52 --out "$gen/large-12x600x60x52.json" 2>/dev/null
"$cli" generate --pools 6 --leases 120 --jobs 20 --periods 26 --seed 3 --hard --name hard-6x120x20x26-s3 --out "$gen/hard-6x120x20x26-s3.json" 2>/dev/null

echo "## Time to proof (limit ${proof} s)"
echo "| instance | limit | planner | plain SCIP |"
echo "|---|---:|---|---|"
for f in seeds/mid-6x120x20x26.json "$gen"/gen-5x80x16x20-s*.json; do
  "$bench" compare "$f" "$proof" "$out/proof"
done

echo "## Objective over time (limit ${curve} s; short limits: ${short})"
echo "| instance | limit | planner | plain SCIP |"
echo "|---|---:|---|---|"
for f in seeds/colossus-2026.json "$gen/large-12x600x60x52.json" "$gen/hard-6x120x20x26-s3.json"; do
  "$bench" compare "$f" "$curve" "$out/curves"
  for t in $short; do
    "$cli" plan "$f" --time-limit "$t" --out "$out/short/$(basename "$f" .json)-$t" --quiet >/dev/null 2>&1
    python3 - "$out/short/$(basename "$f" .json)-$t/plan.json" "$(basename "$f" .json)" "$t" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
gap = "no bound" if p["gap"] is None else f'{p["gap"]*100:.3f} %'
print(f'| {sys.argv[2]} | {sys.argv[3]} | {p["status"]} {p["solveSeconds"]:.1f} s {p["objective"]:,.0f} ({gap}) | (plain: see its curve at {sys.argv[3]} s) |')
PY
  done
done

echo "## Objective at fixed times"
python3 benchmarks/anytime-summary.py "$out"
