#!/usr/bin/env bash
# Solve time to proven optimum (or the gap at the limit) for each seed and solver, 2 threads, as a Markdown table.
# Usage: benchmarks/solve-table.sh [TIME_LIMIT_SECONDS] [SOLVERS...]   (default: 60 scip highs cpsat)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-60}; shift || true
solvers=${*:-scip highs cpsat}
dotnet build src/Allocator.Cli -c Release -v q -nologo >/dev/null
cli=src/Allocator.Cli/bin/Release/net10.0/$(dotnet --info | awk '/RID:/ {print $2; exit}')/allocator
work=$(mktemp -d)
"$cli" generate --pools 12 --leases 600 --jobs 60 --periods 52 --seed 1 --uncertainty --name large-12x600x60x52 --out "$work/large.json" 2>/dev/null
echo "| instance | solver | status | objective (USD) | bound (USD) | gap | seconds |"
echo "|---|---|---|---:|---:|---:|---:|"
for instance in seeds/mid-6x120x20x26.json seeds/colossus-2026.json "$work/large.json"; do
  for solver in $solvers; do
    "$cli" plan "$instance" --out "$work/out" --solver "$solver" --threads 2 --time-limit "$limit" --quiet >/dev/null 2>&1 || true
    python3 - "$instance" "$solver" "$work/out/plan.json" <<'PY'
import json, os, sys
name, solver, path = os.path.basename(sys.argv[1]).removesuffix(".json"), sys.argv[2], sys.argv[3]
if not os.path.exists(path):
    print(f"| {name} | {solver} | no plan | | | | |"); sys.exit()
p = json.load(open(path))
gap = "" if p["gap"] is None else f'{p["gap"] * 100:.4f}%'
bound = "" if p["bound"] is None else f'{p["bound"]:,.0f}'
print(f'| {name} | {solver} | {p["status"]} | {p["objective"]:,.0f} | {bound} | {gap} | {p["solveSeconds"]:.1f} |')
PY
    rm -rf "$work/out"
  done
done
rm -rf "$work"
