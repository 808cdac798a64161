#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): `allocator bench` with CUDA for two builds of the scorer side by side
# in one visit, alternating, on the generated mid-size instance (every kernel-state placement), the mid seed and the
# colossus seed. "after" is the bundle as published; "before" is the same bundle with the Allocator.Kernels.dll found
# at .device-bundle/before/ (a Release build of the earlier commit: its public surface must be the same).
# Writes the tables and bench JSON under $OUT/{before,after}.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; mkdir -p "$out/before" "$out/after"
source benchmarks/gpu/unpack.sh
rm -rf /tmp/allocator-before && cp -r /tmp/allocator /tmp/allocator-before
cp .device-bundle/before/Allocator.Kernels.dll /tmp/allocator-before/
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$out/nvidia-smi.txt" 2>&1
cat "$out/nvidia-smi.txt"
export COLUMNS=400
for build in before after; do
  bench=/tmp/allocator/allocator; [ "$build" = before ] && bench=/tmp/allocator-before/allocator
  $bench bench --device cuda --plans 4096 --scenarios 4096 --precision double --kernel-state all --json "$out/$build/bench-generated-4096.json" > "$out/$build/bench-generated-4096.txt" 2>&1
  grep -E "cuda \(|arithmetic" "$out/$build/bench-generated-4096.txt" | cut -c1-160
done
for seed in mid-6x120x20x26 colossus-2026; do
  for build in before after; do
    bench=/tmp/allocator/allocator; [ "$build" = before ] && bench=/tmp/allocator-before/allocator
    $bench bench --device cuda --precision double --instance "seeds/$seed.json" --plans 4096 --scenarios 4096 --json "$out/$build/bench-$seed.json" > "$out/$build/bench-$seed.txt" 2>&1
    echo "$build $seed"; grep -E "cuda \(" "$out/$build/bench-$seed.txt" | cut -c1-160
  done
done
