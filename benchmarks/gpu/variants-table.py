#!/usr/bin/env python3
"""A markdown table of a visit's builds, from variants-run.sh's JSON files, for RESULTS.md.

Usage: variants-table.py WORK_DIR [--best], where WORK_DIR holds one folder per build (head among them) with bench-LABEL.json
files in it (a visit's variants.tar.gz, unpacked). One row per build: its CUDA double-precision pairs per second on each
instance (M; several runs on the mid seed, the first and `mid-again`, are shown side by side), each against head's in
the same run of that instance and with its distance from the arithmetic bound (bound / pairs per second, "5.76x"), and
that distance on the build's best mid run. A run whose checked pairs disagree with the reference is marked and never
counts. Rows sort by the best mid run. With --best, one line instead, "NAME PAIRS_PER_SECOND (...)": the build with the
best mid run (visit.sh profiles it), or "head 0 (...)" where no agreeing CUDA run is there.
"""
import json
import pathlib
import sys


def cuda_run(path: pathlib.Path) -> dict | None:
    """The CUDA double-precision scorer of one bench JSON, or None."""
    for scorer in json.loads(path.read_text()).get("scorers", []):
        if scorer.get("precision") == "double" and "cuda" in scorer.get("device", ""):
            return scorer
    return None


def runs(work: pathlib.Path) -> dict[str, dict[str, dict]]:
    """build -> label -> scorer, for every bench-LABEL.json under every build's folder."""
    table: dict[str, dict[str, dict]] = {}
    for folder in sorted(p for p in work.iterdir() if p.is_dir()) if work.is_dir() else []:
        for path in sorted(folder.glob("bench-*.json")):
            scorer = cuda_run(path)
            if scorer is not None:
                table.setdefault(folder.name, {})[path.stem.removeprefix("bench-")] = scorer
    return table


def cell(scorer: dict | None, head: dict | None) -> str:
    if scorer is None:
        return "-"
    text = f"{scorer['pairsPerSecond'] / 1e6:,.1f}"
    if not scorer.get("agrees"):
        return text + " (disagrees)"
    notes = [f"{scorer['arithmeticBoundPairsPerSecond'] / scorer['pairsPerSecond']:.2f}x"]
    if head is not None and head.get("agrees") and head is not scorer:
        notes.insert(0, f"{scorer['pairsPerSecond'] / head['pairsPerSecond'] - 1:+.1%}")
    return f"{text} ({', '.join(notes)})"


def best_mid(runs_of_build: dict[str, dict]) -> dict | None:
    """The build's fastest agreeing run on the mid seed (its first run or `mid-again`), or None."""
    agreeing = [s for label, s in runs_of_build.items() if label.startswith("mid") and s.get("agrees")]
    return max(agreeing, key=lambda s: s["pairsPerSecond"], default=None)


def main() -> None:
    table = runs(pathlib.Path(sys.argv[1]))
    rate = {build: (best_mid(table[build]) or {}).get("pairsPerSecond", 0.0) for build in table}
    if "--best" in sys.argv[2:]:
        name = max(rate, key=rate.get, default=None)
        print(f"{name} {rate[name]:.0f} (best of {len(rate)} builds on the mid seed)" if name and rate[name] > 0 else "head 0 (no agreeing CUDA run found)")
        return
    if not table:
        print("no CUDA run found")
        return
    labels = sorted({label for build in table.values() for label in build}, key=lambda l: (not l.startswith("mid"), l))
    head = table.get("head", {})

    print("| build | " + " | ".join(f"{l}, M pairs/s" for l in labels) + " | best mid: x from the bound |")
    print("|---" * (len(labels) + 2) + "|")
    for build in sorted(table, key=rate.get, reverse=True):
        cells = [cell(table[build].get(l), head.get(l)) for l in labels]
        best = best_mid(table[build])
        distance = f"{best['arithmeticBoundPairsPerSecond'] / best['pairsPerSecond']:.2f}x" if best else "-"
        print(f"| {build} | " + " | ".join(cells) + f" | {distance} |")


if __name__ == "__main__":
    main()
