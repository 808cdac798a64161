#!/usr/bin/env bash
# The C# CPU scorer beside the NumPy-style baseline on the mid seed, in one run: the exact plan scored by NumPy on
# 50,000 scenarios (its mean checked against `allocator score`), and `allocator bench` on 8 plans x 50,000 scenarios
# (the CPU path takes a quarter of --plans and --scenarios) in SIMD lanes and scalar.
# Usage: benchmarks/numpy-baseline/compare.sh   (needs Debian's python3-numpy: /usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=${ALLOCATOR_CLI:-src/Allocator.Cli/bin/Release/net10.0/linux-x64/allocator}
work=$(mktemp -d)
"$cli" plan seeds/mid-6x120x20x26.json --time-limit 30 --out "$work/plan" --quiet > /dev/null
/usr/bin/python3 benchmarks/numpy-baseline/score.py seeds/mid-6x120x20x26.json "$work/plan/plan.json" --scenarios 50000 --repeat 3
"$cli" score seeds/mid-6x120x20x26.json "$work/plan/plan.json" --scenarios 50000 --device cpu --json 2>/dev/null \
  | /usr/bin/python3 -c 'import json, sys; print(json.dumps({"allocatorScoreMean": json.load(sys.stdin)["plans"][0]["risk"]["mean"]}))'
"$cli" bench --device cpu --cpu-path lanes,scalar --precision double --instance seeds/mid-6x120x20x26.json --plans 32 --scenarios 200000 2>/dev/null \
  | grep -E "^│ cpu" | awk -F'│' '{print $2 "|" $3 "|" $4}'
rm -rf "$work"
