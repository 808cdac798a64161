#!/usr/bin/env bash
# The night after: `allocator plan --previous` on two nights made from the mid seed, two builds alternated.
#   new-offers: last night's instance lacked 30 of tonight's offers (drawn with Python's random.seed(7)); last night's
#               plan (20 s) fits tonight as it is, with those offers unplaced.
#   slipped:    tonight the first pool has a third fewer GPUs (a delivery slipped, an outage); last night's plan (the full
#               mid seed, 20 s) no longer fits.
# Prints, per round, limit, build and night: the objective of plan.json (M USD) and the first progress points (what the
# solve held from its first second). The limits are short on purpose: that is where the start plan is the answer.
# Usage: benchmarks/previous-plan-start.sh CLI_A CLI_B [ROUNDS] [LIMITS]   (each CLI a published `allocator`; run alone)
set -euo pipefail
cd "$(dirname "$0")/.."
a=${1:?usage: previous-plan-start.sh CLI_A CLI_B [ROUNDS] [LIMITS]}; b=${2:?}; rounds=${3:-3}; limits=${4:-1 3 10}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - seeds/mid-6x120x20x26.json "$work" <<'PY'
import json, random, sys
mid = json.load(open(sys.argv[1]))
offers = [l for l in mid["leases"] if l.get("status") != "signed"]
random.seed(7)
dropped = {l["id"] for l in random.sample(offers, 30)}
json.dump(dict(mid, leases=[l for l in mid["leases"] if l["id"] not in dropped]), open(f"{sys.argv[2]}/yesterday.json", "w"))
slipped = json.loads(json.dumps(mid))
slipped["pools"][0]["gpus"] = slipped["pools"][0]["gpus"] * 2 // 3
json.dump(slipped, open(f"{sys.argv[2]}/slipped.json", "w"))
PY
"$a" plan "$work/yesterday.json" --time-limit 20 --quiet --out "$work/last-yesterday" > /dev/null
"$a" plan seeds/mid-6x120x20x26.json --time-limit 20 --quiet --out "$work/last-mid" > /dev/null
for r in $(seq 1 "$rounds"); do
  for limit in $limits; do
    for cli in "$a" "$b"; do
      for night in "new-offers seeds/mid-6x120x20x26.json $work/last-yesterday/plan.json" "slipped $work/slipped.json $work/last-mid/plan.json"; do
        set -- $night
        rm -rf "$work/out"
        "$cli" plan "$2" --previous "$3" --time-limit "$limit" --quiet --out "$work/out" > /dev/null 2>&1
        python3 - "$work/out/plan.json" "$r" "$limit" "$cli" "$1" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
points = [f"{p.get('source')} {p['seconds']:.2f} s {p['objective'] / 1e6:,.1f}" for p in plan.get("progress", [])[:3]]
print(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], f"{plan['objective'] / 1e6:,.1f}", "|", "; ".join(points))
PY
      done
    done
  done
done
