#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): `allocator bench --device cuda --plans-per-tile N` for several N in one
# visit (the plans whose warps take turns on each tile of 32 scenarios), on the mid seed and colossus, 4,096 x 4,096
# pairs, double precision. Writes summary.txt and every table and JSON in tiles.tar.gz under $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; work=/tmp/tiles; rm -rf "$work"; mkdir -p "$out" "$work"
source benchmarks/gpu/unpack.sh
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$work/nvidia-smi.txt" 2>&1
export COLUMNS=400
{ for seed in mid-6x120x20x26 colossus-2026; do
    for n in ${TILES:-1 2 4 8 16 64 4096 1}; do
      f="$work/bench-$seed-tile$n"
      /tmp/allocator/allocator bench --device cuda --precision double --plans 4096 --scenarios 4096 --plans-per-tile "$n" \
        --instance "seeds/$seed.json" --json "$f.json" > "$f.txt" 2>&1
      echo "== $seed, $n plans per tile"; grep -E "cuda \(NVIDIA.*4,096|rror" "$f.txt" | cut -c1-120
    done
  done; } 2>&1 | tee "$out/summary.txt"
tar -C "$work" -czf "$out/tiles.tar.gz" .
