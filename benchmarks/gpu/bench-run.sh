#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): `allocator bench` on the generated mid-size instance, the mid seed and
# the colossus seed; CUDA in both precisions with the kernel's state in shared and in global memory (side by side in one
# run), and the CPU fast path on the machine's cores. Writes the tables and bench JSON under $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; mkdir -p "$out"
source benchmarks/gpu/unpack.sh
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tee "$out/nvidia-smi.txt"
bench=/tmp/allocator/allocator
export COLUMNS=400
$bench bench --device cuda,cpu,reference --plans 4096 --scenarios 4096 --kernel-state both --json "$out/bench-generated-4096.json" 2>&1 | tee "$out/bench-generated-4096.txt"
$bench bench --device cuda --plans 1024 --scenarios 1000 --kernel-state both --json "$out/bench-generated-search.json" 2>&1 | tee "$out/bench-generated-search.txt"
for seed in mid-6x120x20x26 colossus-2026; do
  $bench bench --device cuda --instance "seeds/$seed.json" --plans 4096 --scenarios 4096 --kernel-state both --json "$out/bench-$seed.json" 2>&1 | tee "$out/bench-$seed.txt"
done
