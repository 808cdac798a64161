#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): `allocator bench` with CUDA on the generated mid-size instance (both
# precisions, every kernel-state placement, side by side in one run), the mid seed, and the colossus seed (whose offers
# announced mid-horizon exercise the kernel's uncertain-offer loop); then the CPU fast path on the machine's cores.
# Writes the tables and bench JSON under $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; mkdir -p "$out"
source benchmarks/gpu/unpack.sh
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$out/nvidia-smi.txt" 2>&1
cat "$out/nvidia-smi.txt"
bench=/tmp/allocator/allocator
export COLUMNS=400
$bench bench --device cuda --plans 4096 --scenarios 4096 --kernel-state all --json "$out/bench-generated-4096.json" 2>&1 | tee "$out/bench-generated-4096.txt"
for seed in mid-6x120x20x26 colossus-2026; do
  $bench bench --device cuda,cpu --cpu-path lanes,scalar --precision double --instance "seeds/$seed.json" --plans 4096 --scenarios 4096 --json "$out/bench-$seed.json" 2>&1 | tee "$out/bench-$seed.txt"
done
