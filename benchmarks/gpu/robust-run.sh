#!/usr/bin/env bash
# Runs on the GPU machine: the robust search at equal wall time on the GPU and on the CPU path of the same machine,
# same seeds and settings, as Markdown tables (benchmarks/robust-table.sh). Carry .device-bundle/cli.tar.xz.
# Usage: bash benchmarks/gpu/robust-run.sh [TOTAL_SECONDS] [EXACT_SECONDS]   (default 120 30)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/robust-out}; mkdir -p "$out"
rm -rf /tmp/cli && tar -C /tmp -xJf .device-bundle/cli.tar.xz
source benchmarks/gpu/cuda-env.sh
export ALLOCATOR_CLI=/tmp/cli/allocator
nvidia-smi --query-gpu=name,driver_version --format=csv 2>&1 | tee "$out/nvidia-smi.txt"
"$ALLOCATOR_CLI" devices 2>&1 | tee "$out/devices.txt"
for device in cuda cpu; do
  bash benchmarks/robust-table.sh "${1:-120}" "${2:-30}" "$device" expected cvar:0.05:0.5 2>&1 | tee "$out/robust-$device.md"
done
