#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): one visit's whole work in one command, so a short lease needs one call.
# First benchmarks/gpu/variants-run.sh for every build in .device-bundle/variants and head (its environment passes
# through: INSTANCES, AGAIN, LOCAL; PROFILE is forced off there), then Nsight Compute's profile
# (benchmarks/gpu/profile-run.sh) of the build with the most pairs per second on the mid seed. Leaves under $OUT what
# the two scripts leave there: summary.txt, variants.tar.gz, profile.tar.gz, best.txt (the build profiled and why), and
# table.md (benchmarks/gpu/variants-table.py: every build against head, ready for RESULTS.md).
# Last (OPENCL=0 skips it), benchmarks/gpu/opencl-run.sh: whether the OpenCL path runs on this GPU (opencl.txt).
# Example: AGAIN=0 INSTANCES="seeds/mid-6x120x20x26.json seeds/colossus-2026.json" bash benchmarks/gpu/visit.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; mkdir -p "$out"; export OUT=$out
PROFILE=0 bash benchmarks/gpu/variants-run.sh
python3 benchmarks/gpu/variants-table.py /tmp/variants | tee "$out/table.md"
best=$(python3 benchmarks/gpu/variants-table.py /tmp/variants --best)
echo "profiled: $best" | tee "$out/best.txt"
BUILD=${best%% *} bash benchmarks/gpu/profile-run.sh
[ "${OPENCL:-1}" = 0 ] || bash benchmarks/gpu/opencl-run.sh
