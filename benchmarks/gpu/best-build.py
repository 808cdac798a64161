#!/usr/bin/env python3
"""The build with the most pairs per second on one instance, from variants-run.sh's JSON files.

Usage: best-build.py WORK_DIR LABEL, where WORK_DIR holds one folder per build with bench-LABEL.json in it (and, when
the round ran twice, bench-mid-again.json for the mid seed, which counts too: a build's figure is its best run).
Prints "NAME PAIRS_PER_SECOND" for the fastest build whose every checked pair agreed with the reference; "head" and
its figure where no JSON is there to read (the profile then runs on the bundle as published).
"""
import json
import pathlib
import sys


def best_rate(folder: pathlib.Path, label: str) -> float | None:
    names = [f"bench-{label}.json"] + (["bench-mid-again.json"] if label.startswith("mid-") else [])
    rates = []
    for name in names:
        path = folder / name
        if not path.exists():
            continue
        for scorer in json.loads(path.read_text()).get("scorers", []):
            if scorer.get("agrees") and scorer.get("precision") == "double" and "cuda" in scorer.get("device", ""):
                rates.append(scorer["pairsPerSecond"])
    return max(rates) if rates else None


def main() -> None:
    work, label = pathlib.Path(sys.argv[1]), sys.argv[2]
    figures = {}
    if work.is_dir():
        for folder in sorted(p for p in work.iterdir() if p.is_dir()):
            rate = best_rate(folder, label)
            if rate is not None:
                figures[folder.name] = rate
    if not figures:
        print("head 0 (no agreeing CUDA run found)")
        return
    name = max(figures, key=figures.get)
    print(f"{name} {figures[name]:.0f} (best of {len(figures)} builds on {label})")


if __name__ == "__main__":
    main()
