#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): `allocator bench` with CUDA, the state in global memory, at several
# residencies (threads per multiprocessor, compiled as launch bounds) side by side in one run, on the generated mid-size
# instance, the mid seed and the colossus seed. Writes the tables and JSON under $OUT as one archive and a summary.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; work=/tmp/residency; rm -rf "$work"; mkdir -p "$out" "$work"
source benchmarks/gpu/unpack.sh
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$work/nvidia-smi.txt" 2>&1
export COLUMNS=400
residencies=${RESIDENCIES:-auto,1024,1280,1536,2048}
/tmp/allocator/allocator bench --device cuda --precision double --kernel-state global --threads-per-sm "$residencies" --plans 4096 --scenarios 4096 --json "$work/bench-generated-4096.json" > "$work/bench-generated-4096.txt" 2>&1
for seed in mid-6x120x20x26 colossus-2026; do
  /tmp/allocator/allocator bench --device cuda --precision double --kernel-state global --threads-per-sm "$residencies" --instance "seeds/$seed.json" --plans 4096 --scenarios 4096 --json "$work/bench-$seed.json" > "$work/bench-$seed.txt" 2>&1
done
for f in "$work"/*.txt; do echo "== $(basename "$f")"; grep -E "cuda \(|NVIDIA H|error|rror" "$f" | cut -c1-200; done | tee "$out/summary.txt"
tar -C "$work" -czf "$out/residency.tar.gz" .
