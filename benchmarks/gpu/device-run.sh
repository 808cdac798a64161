#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): device checks, then the scoring benchmark.
# Usage: bash benchmarks/gpu/device-run.sh [PROBE_OPTIONS...]   (options go to the first, device-check run)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/probe-out}; mkdir -p "$out"
source benchmarks/gpu/unpack.sh
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tee "$out/nvidia-smi.txt"
/tmp/allocator/Allocator.GpuProbe "$@" 2>&1 | tee "$out/probe.txt"
/tmp/allocator/Allocator.GpuProbe score --cpu-plans 1024 --cpu-scenarios 1024 --reference-pairs 20000 --emulator-plans 64 2>&1 | tee "$out/score.txt"
