#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): `allocator bench` with CUDA for several builds of the scorer side by
# side in one visit, alternating builds within each instance, on the generated mid-size instance, the mid seed and the
# colossus seed. "head" is the bundle as published; every other build is the same bundle with the
# Allocator.Kernels.dll found at .device-bundle/variants/NAME/ (Release builds of earlier commits with the same public
# surface), run in the order of `ls`. Then, where the machine has them, ptxas's register and spill figures for the PTX
# files in .device-bundle/ptx/ and one Nsight Compute profile of head's pair kernel on the mid seed.
# INSTANCES (optional) lists the instances to run instead, e.g. "seeds/mid-6x120x20x26.json"; PROFILE=0 skips Nsight;
# AGAIN=0 skips the second round on the mid seed (many builds in a short visit).
# Writes summary.txt, and every table and JSON in variants.tar.gz, under $OUT, packed again as each run ends so that a
# visit cut short by the device's time limit still brings back the runs it finished (the device tool brings back only a
# few files, so they travel as one archive). LOCAL (optional) lists builds to time again with
# --kernel-state local on the mid seed (the two-scenario kernels, whose auto placement is shared memory).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/bench-out}; work=/tmp/variants; rm -rf "$work"; mkdir -p "$out" "$work"
source benchmarks/gpu/unpack.sh
builds=(); for v in $(ls .device-bundle/variants 2>/dev/null); do
  rm -rf "/tmp/allocator-$v" && cp -r /tmp/allocator "/tmp/allocator-$v" && cp ".device-bundle/variants/$v/Allocator.Kernels.dll" "/tmp/allocator-$v/"
  builds+=("$v")
done
builds+=(head); rm -rf /tmp/allocator-head && ln -s /tmp/allocator /tmp/allocator-head
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$work/nvidia-smi.txt" 2>&1
export COLUMNS=400
run() { # build, instance label, bench arguments...
  local build=$1 label=$2; shift 2
  mkdir -p "$work/$build"
  /tmp/allocator-$build/allocator bench --device cuda --precision double --plans 4096 --scenarios 4096 --json "$work/$build/bench-$label.json" "$@" > "$work/$build/bench-$label.txt" 2>&1
  echo "== $build $label ($SECONDS s into the visit)"; grep -E "cuda \(|rror" "$work/$build/bench-$label.txt" | cut -c1-200
  tar -C "$work" -czf "$out/variants.tar.gz" .
}
{ for label in ${INSTANCES:-generated seeds/mid-6x120x20x26.json seeds/colossus-2026.json}; do
    for build in "${builds[@]}"; do
      if [ "$label" = generated ]; then run "$build" generated-4096; else run "$build" "$(basename "$label" .json)" --instance "$label"; fi
    done
  done
  [ "${AGAIN:-1}" = 0 ] || for build in "${builds[@]}"; do run "$build" mid-again --instance seeds/mid-6x120x20x26.json; done
  for build in ${LOCAL:-}; do run "$build" mid-local --instance seeds/mid-6x120x20x26.json --kernel-state local; done
} 2>&1 | tee "$out/summary.txt"
ptxas=$(command -v ptxas || ls /usr/local/cuda*/bin/ptxas 2>/dev/null | head -1)
ncu=$(command -v ncu || ls /usr/local/cuda*/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
echo "ptxas: ${ptxas:-none}; ncu: ${ncu:-none}" | tee -a "$out/summary.txt"
if [ -n "$ptxas" ]; then
  for f in .device-bundle/ptx/*.ptx; do
    echo "== ptxas $(basename "$f")"; "$ptxas" -arch=sm_90 -v "$f" -o /tmp/ptx.cubin 2>&1 | grep -E "registers|spill|bytes stack" | head -4
  done 2>&1 | tee -a "$out/summary.txt"
fi
if [ -n "$ncu" ] && [ "${PROFILE:-1}" != 0 ]; then
  timeout 150 "$ncu" --clock-control none -k regex:PairKernel\|StateKernel -c 1 --section SpeedOfLight --section Occupancy --section WarpStateStats \
    --section LaunchStats --section InstructionStats --section ComputeWorkloadAnalysis --section SourceCounters \
    /tmp/allocator/allocator bench --device cuda --precision double --plans 512 --scenarios 1024 --instance seeds/mid-6x120x20x26.json \
    > "$work/ncu-head-mid.txt" 2>&1
  grep -E "Registers Per|Achieved Occupancy|Theoretical Occupancy|Issue Slots Busy|Executed Ipc A|Warp Cycles Per Issued|FP64|Compute \(SM\) Thr|Memory Thr|Executed Instructions  " "$work/ncu-head-mid.txt" | head -30 | tee -a "$out/summary.txt"
fi
tar -C "$work" -czf "$out/variants.tar.gz" .
