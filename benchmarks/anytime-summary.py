#!/usr/bin/env python3
"""Objective at fixed times: the planner run with each limit, the planner's long run as a stop at that moment would
have written it, and the plain solve's best plan at that moment (SCIP's log). Usage: anytime-summary.py OUT_DIR"""
import glob, json, os, sys

out = sys.argv[1]

def at(points, t):
    held = [p for p in points if p["Seconds"] <= t]
    return max((p["Objective"] for p in held), default=None)

def bound_at(points, t):
    held = [p["Bound"] for p in points if p["Seconds"] <= t and p.get("Bound") is not None]
    return min(held, default=None)

def money(v):
    return "none" if v is None else f"{v / 1e6:,.1f} M"

print("| instance | seconds | planner, run with this limit | planner, stopped then (long run) | plain SCIP then | planner - plain |")
print("|---|---:|---:|---:|---:|---:|")
for path in sorted(glob.glob(os.path.join(out, "curves", "*.json"))):
    run = json.load(open(path))
    name, limit = run["instance"], run["limitSeconds"]
    times = sorted({int(os.path.basename(d).rsplit("-", 1)[1]) for d in glob.glob(os.path.join(out, "short", name + "-*"))} | {int(limit)})
    for t in times:
        if t == int(limit):
            own = run["planner"]["Objective"]
        else:
            own = json.load(open(os.path.join(out, "short", f"{name}-{t}", "plan.json")))["objective"]
        stopped = at(run["planner"]["Points"], t)
        plain = run["plain"]["Objective"] if t == int(limit) else at(run["plain"]["Points"], t)
        diff = "" if plain is None else f"{(own - plain) / plain * 100:+.3f} %"
        print(f"| {name} | {t} | {money(own)} | {money(stopped)} | {money(plain)} | {diff} |")
