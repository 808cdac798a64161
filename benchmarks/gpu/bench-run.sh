#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): `allocator bench` on the generated mid-size instance, the mid seed and
# the colossus seed: CUDA in both precisions with the kernel's state in each placement (side by side in one run), and
# the CPU fast path on the machine's cores in SIMD lanes and scalar. Writes the tables and bench JSON under $OUT.
# Usage: bash benchmarks/gpu/bench-run.sh [--ncu]   (--ncu: also one profiled launch, where Nsight Compute is installed)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; mkdir -p "$out"
source benchmarks/gpu/unpack.sh
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$out/nvidia-smi.txt" 2>&1
cat "$out/nvidia-smi.txt"
bench=/tmp/allocator/allocator
export COLUMNS=400
$bench bench --device cuda,cpu --cpu-path lanes,scalar --plans 4096 --scenarios 4096 --kernel-state all --json "$out/bench-generated-4096.json" 2>&1 | tee "$out/bench-generated-4096.txt"
for seed in mid-6x120x20x26 colossus-2026; do
  $bench bench --device cuda,cpu --cpu-path lanes,scalar --instance "seeds/$seed.json" --plans 4096 --scenarios 4096 --json "$out/bench-$seed.json" 2>&1 | tee "$out/bench-$seed.txt"
done
ncu=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
if [ "${1:-}" = "--ncu" ] && [ -n "$ncu" ]; then
  timeout 150 "$ncu" --kernel-name regex:StateKernel --launch-count 2 --section SpeedOfLight --section Occupancy --section WarpStateStats --section LaunchStats \
    $bench bench --device cuda --instance seeds/mid-6x120x20x26.json --plans 512 --scenarios 1024 --precision double --kernel-state local,global > "$out/ncu.txt" 2>&1
  tail -120 "$out/ncu.txt"
fi
