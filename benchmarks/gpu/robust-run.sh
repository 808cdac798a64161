#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): the robust search at equal wall time on each device named, same
# seeds and settings, as Markdown tables (benchmarks/robust-table.sh), one file per device under $OUT.
# Usage: bash benchmarks/gpu/robust-run.sh [TOTAL_SECONDS] [EXACT_SECONDS] [DEVICES] [RISKS...]
#   default: 120 30 cuda,cpu expected cvar:0.05:0.5
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/robust-out}; mkdir -p "$out"
source benchmarks/gpu/unpack.sh
export ALLOCATOR_CLI=/tmp/allocator/allocator
total=${1:-120}; exact=${2:-30}; devices=${3:-cuda,cpu}; shift 3 || true
nvidia-smi --query-gpu=name,driver_version --format=csv 2>&1 | tee "$out/nvidia-smi.txt"
"$ALLOCATOR_CLI" devices 2>&1 | tee "$out/devices.txt"
for device in ${devices//,/ }; do
  bash benchmarks/robust-table.sh "$total" "$exact" "$device" "${@:-expected cvar:0.05:0.5}" 2>&1 | tee -a "$out/robust-$device.md"
done
