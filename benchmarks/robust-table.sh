#!/usr/bin/env bash
# Robust search on the seeds: candidates scored per second and the out-of-sample gain over the exact plan
# (10,000 fresh scenarios, paired 95% CI), as a Markdown table.
# Usage: benchmarks/robust-table.sh [TOTAL_SECONDS] [EXACT_SECONDS] [DEVICE] [RISKS...]
#   default: 180 60 auto expected cvar:0.05:0.5
# BATCH=N sets candidates per step (default 1024), SCENARIOS=N the scenarios per candidate (default 1000).
# "scoring share": the scorer's own time (kernels, or the CPU path's threads) over the search's; the rest is proposing
# moves, uploads, ranking.
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-180}; exact=${2:-60}; device=${3:-auto}; shift 3 || true
risks=${*:-expected cvar:0.05:0.5}
batch=${BATCH:-1024}
scenarios=${SCENARIOS:-1000}
cli=${ALLOCATOR_CLI:-}
if [[ -z "$cli" ]]; then
  dotnet build src/Allocator.Cli -c Release -v q -nologo >/dev/null
  cli=src/Allocator.Cli/bin/Release/net10.0/$(dotnet --info | awk '/RID:/ {print $2; exit}')/allocator
fi
work=$(mktemp -d)
"$cli" generate --pools 6 --leases 120 --jobs 20 --periods 26 --seed 1 --uncertainty --name mid-uncertain --out "$work/mid-uncertain.json" 2>/dev/null
echo "| instance | risk | device | batch | plans scored | candidates/s | scoring share | exact value (search) | robust value (search) | robust value out of sample | difference out of sample, 95% CI | verdict |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
for instance in seeds/colossus-2026.json "$work/mid-uncertain.json"; do
  for risk in $risks; do
    "$cli" plan "$instance" --robust --risk "$risk" --device "$device" --threads 2 --time-limit "$total" --exact-time-limit "$exact" --batch "$batch" --scenarios "$scenarios" \
      --out "$work/out" --quiet >/dev/null 2>&1 || true
    python3 - "$instance" "$risk" "$work/out/risk.json" <<'PY'
import json, os, sys
name, risk, path = os.path.basename(sys.argv[1]).removesuffix(".json"), sys.argv[2], sys.argv[3]
if not os.path.exists(path):
    print(f"| {name} | {risk} | | | no plan | | | | | | | |"); sys.exit()
r = json.load(open(path)); s = r["search"]; o = r["outOfSample"]; d = o["measureDifference"]
def value(x):
    if risk.startswith("cvar"):
        lam = float(risk.split(":")[2]); return x["mean"] - lam * (x["mean"] - x["cVaR"])
    return x["mean"]
print(f'| {name} | {risk} | {r["device"]} | {s["batchSize"]:,} | {s["evaluations"]:,} | {s["candidatesPerSecond"]:,.0f} | {s["scoringSeconds"] / max(s["seconds"], 1e-9):.0%} | {value(s["exact"]):,.0f} | {value(s["robust"]):,.0f} | {value(o["robust"]):,.0f} '
      f'| {d["estimate"]:+,.0f} [{d["low"]:+,.0f} .. {d["high"]:+,.0f}] | {o["verdict"]} |')
PY
    rm -rf "$work/out"
  done
done
rm -rf "$work"
