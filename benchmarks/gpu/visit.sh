#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): one visit's whole work in one command, so a short lease needs one call.
# First benchmarks/gpu/variants-run.sh for every build in .device-bundle/variants and head (its environment passes
# through: INSTANCES, AGAIN, LOCAL; PROFILE is forced off there), then Nsight Compute's profile
# (benchmarks/gpu/profile-run.sh) of the build with the most pairs per second on the mid seed. Leaves under $OUT what
# the two scripts leave there: summary.txt, variants.tar.gz, profile.tar.gz, best.txt (the build profiled and why), and
# table.md (benchmarks/gpu/variants-table.py: every build against head, ready for RESULTS.md).
# Then (OPENCL=0 skips it), benchmarks/gpu/opencl-run.sh: whether the OpenCL path runs on this GPU (opencl.txt), and
# (RECOURSE=0 skips it) CUDA's scores against the contract check's Python recourse (recourse-cuda.txt).
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
# Last (RECOURSE=0 skips it): CUDA's scores pair by pair against the recourse written again in Python
# (benchmarks/contract-check/check.py recourse, 8 small instances, cut at 90 s), in recourse-cuda.txt.
[ "${RECOURSE:-1}" = 0 ] || (source benchmarks/gpu/unpack.sh && timeout 90 python3 benchmarks/contract-check/check.py recourse 1 8 \
  --devices cuda --cli /tmp/allocator/allocator --work /tmp/contract-check) > "$out/recourse-cuda.txt" 2>&1
