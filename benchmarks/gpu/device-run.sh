#!/usr/bin/env bash
# Runs on the GPU machine: unpacks the carried bundle, makes the CUDA driver visible to ILGPU, runs the probe.
# ILGPU loads the driver as "libcuda.so" (no .so.1 suffix); where only libcuda.so.1 is installed, a link named
# libcuda.so to the driver's library (never to a toolkit stub) goes in a folder on LD_LIBRARY_PATH.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/probe-out}; mkdir -p "$out"
rm -rf /tmp/probe && tar -C /tmp -xJf .device-bundle/probe.tar.xz
source benchmarks/gpu/cuda-env.sh
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tee "$out/nvidia-smi.txt"
/tmp/probe/Allocator.GpuProbe "$@" 2>&1 | tee "$out/probe.txt"
/tmp/probe/Allocator.GpuProbe score --cpu-plans 1024 --cpu-scenarios 1024 --reference-pairs 20000 --emulator-plans 64 2>&1 | tee "$out/score.txt"
