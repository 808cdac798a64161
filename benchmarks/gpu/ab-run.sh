#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): `allocator bench` with CUDA for two builds of the scorer side by side
# in one visit, alternating, on the generated mid-size instance (every kernel-state placement), the mid seed and the
# colossus seed. "after" is the bundle as published; "before" is the same bundle with the Allocator.Kernels.dll found
# at .device-bundle/before/ (a Release build of an earlier commit with the same public surface).
# Writes summary.txt and every table and JSON in ab.tar.gz under $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; work=/tmp/ab; rm -rf "$work"; mkdir -p "$out" "$work/before" "$work/after"
source benchmarks/gpu/unpack.sh
rm -rf /tmp/allocator-before && cp -r /tmp/allocator /tmp/allocator-before
cp .device-bundle/before/Allocator.Kernels.dll /tmp/allocator-before/
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$work/nvidia-smi.txt" 2>&1
export COLUMNS=400
run() { # build, instance label, bench arguments...
  local build=$1 label=$2; shift 2
  local bench=/tmp/allocator/allocator; [ "$build" = before ] && bench=/tmp/allocator-before/allocator
  $bench bench --device cuda --precision double --plans 4096 --scenarios 4096 --json "$work/$build/bench-$label.json" "$@" > "$work/$build/bench-$label.txt" 2>&1
  echo "== $build $label"; grep -E "cuda \(|rror" "$work/$build/bench-$label.txt" | cut -c1-220
}
{ for build in before after; do run $build generated-4096 --kernel-state all; done
for seed in mid-6x120x20x26 colossus-2026; do
  for build in before after; do run $build $seed --instance "seeds/$seed.json"; done
done; } 2>&1 | tee "$out/summary.txt"
tar -C "$work" -czf "$out/ab.tar.gz" .
