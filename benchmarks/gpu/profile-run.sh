#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): where a pair kernel's instructions and stalls go (BUILD=NAME: a variant
# built by variants-build.sh rather than head). Nsight runs with
# --clock-control none: the card's clocks are left as found (runs 11-21 let Nsight lock them to base, 1.5 GHz; its
# ratios, not its times, are what RESULTS.md quotes). Nsight Compute's
# full set on one launch of the bundle's pair kernel (mid seed, 512 x 1,024 pairs), its details page and its source
# page per SASS instruction (executed instructions and stall samples, CSV); and ptxas + cuobjdump's SASS listing and
# register figures for every PTX file in .device-bundle/ptx/. Writes them as profile.tar.gz under $OUT (one file: the
# device tool brings back at most 8 files per command, so a visit that also runs variants-run.sh keeps them all).
set -uo pipefail
cd "$(dirname "$0")/../.."
final=${OUT:-/tmp/profile-out}; out=/tmp/profile-files; rm -rf "$out"; mkdir -p "$out" "$final"
source benchmarks/gpu/unpack.sh
cuda=/usr/local/cuda/bin
# BUILD=NAME profiles a variant instead of head (BUILD=head or none: the bundle as published): the bundle with
# .device-bundle/variants/NAME/Allocator.Kernels.dll (the ptxas listings below stay head's: the bundle's PTX is head's).
bin=/tmp/allocator
if [ -n "${BUILD:-}" ] && [ "$BUILD" != head ]; then
  rm -rf /tmp/allocator-profile && cp -r /tmp/allocator /tmp/allocator-profile && cp ".device-bundle/variants/$BUILD/Allocator.Kernels.dll" /tmp/allocator-profile/ && bin=/tmp/allocator-profile
fi
echo "${BUILD:-head}" > "$out/build.txt"
"$cuda/ncu" --version | tail -1 > "$out/ncu-version.txt" 2>&1
timeout 240 "$cuda/ncu" --clock-control none -f -o /tmp/pair --set full --import-source no -k regex:StateKernel -c 1 \
  "$bin/allocator" bench --device cuda --precision double --plans 512 --scenarios 1024 --instance seeds/mid-6x120x20x26.json > "$out/ncu-run.txt" 2>&1
"$cuda/ncu" -i /tmp/pair.ncu-rep --page details > "$out/ncu-details.txt" 2>&1
"$cuda/ncu" -i /tmp/pair.ncu-rep --page source --csv --print-source sass > "$out/ncu-source.csv" 2>&1
for f in $(ls .device-bundle/ptx/*.ptx 2>/dev/null); do
  name=$(basename "$f" .ptx)
  "$cuda/ptxas" -arch=sm_90 -v "$f" -o "/tmp/$name.cubin" > "$out/ptxas-$name.txt" 2>&1
  "$cuda/cuobjdump" -sass "/tmp/$name.cubin" > "$out/sass-$name.txt" 2>&1
done
tar -C "$out" -czf "$final/profile.tar.gz" . && ls -la "$final"
