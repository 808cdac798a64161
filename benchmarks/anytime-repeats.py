#!/usr/bin/env python3
"""Objective at fixed times over repeated compare runs (benchmarks/anytime-repeats.sh): per instance and time, the
planner's plan (as a stop then would have written it) and the plain solve's, run by run, and their medians.
Usage: anytime-repeats.py OUT_DIR TIME..."""
import glob, json, os, statistics, sys

out, times = sys.argv[1], [float(t) for t in sys.argv[2:]]

def held(points, t):
    return max((p["Objective"] for p in points if p["Seconds"] <= t), default=None)

runs = {}
for path in sorted(glob.glob(os.path.join(out, "run*", "*.json"))):
    run = json.load(open(path))
    runs.setdefault(run["instance"], []).append(run)

def money(v):
    return "none" if v is None else f"{v / 1e6:,.1f}"

print("| instance | seconds | runs | planner, M USD per run | plain SCIP, M USD per run | planner ahead in | median planner - median plain |")
print("|---|---:|---:|---|---|---:|---:|")
for name, rs in runs.items():
    for t in times:
        mine = [held(r["planner"]["Points"], t) for r in rs]
        theirs = [held(r["plain"]["Points"], t) for r in rs]
        pairs = [(a, b) for a, b in zip(mine, theirs) if a is not None and b is not None]
        ahead = sum(a >= b for a, b in pairs)
        a_med = statistics.median(a for a in mine if a is not None) if any(mine) else None
        b_med = statistics.median(b for b in theirs if b is not None) if any(theirs) else None
        diff = "" if a_med is None or b_med is None else f"{(a_med - b_med) / b_med * 100:+.3f} %"
        print(f"| {name} | {t:g} | {len(rs)} | {', '.join(map(money, mine))} | {', '.join(map(money, theirs))} | {ahead} of {len(pairs)} | {diff} |")
