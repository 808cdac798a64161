#!/usr/bin/env bash
# Reads the pair kernels' registers and instructions on a machine with no GPU: the probe writes the PTX ILGPU compiles
# for a Hopper GPU (Allocator.GpuProbe ptx), ptxas assembles it for sm_90, cuobjdump lists the SASS and
# sass-loops.py sizes each loop body. ptxas and cuobjdump come from Debian's nvidia-cuda-toolkit (CUDA 11.8, non-free:
# fetched once into ~/.cache/allocator-cuda, checked against its SHA-256), unless a ptxas is on PATH. CUDA 11.8 reads PTX
# ISA 7.8, so the listing's ".version 8.0" is lowered to 7.8 (the kernels use nothing newer); its ptxas is older than
# the driver's JIT, so registers and instruction counts are close to, not equal to, what a GPU runs (the shared-state
# kernel profiled in run 20, 96c4d8b: 55 registers here, 56 in Nsight Compute on the H200; run 21's, 92a807a: 58 and
# 58). Static counts: what a loop body holds, not how often it runs; speed is only measured on a GPU.
# Usage: benchmarks/gpu/sass-offline.sh [--bounds THREADS,GROUPS] [--shape INSTANCE.json] ; writes into
# ${OUT:-/tmp/sass-offline}. --shape lists the kernels with that instance's sizes as constants, as a GPU compiles them
# (without it the sizes are parameters and the counts are an unspecialized kernel's: 55 registers against 60 on the mid seed).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/sass-offline}; rm -rf "$out"; mkdir -p "$out"
if command -v ptxas > /dev/null && command -v cuobjdump > /dev/null; then
  bin=$(dirname "$(command -v ptxas)")
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/allocator-cuda; bin=$cache/root/usr/bin
  if [ ! -x "$bin/ptxas" ]; then
    deb=nvidia-cuda-toolkit_11.8.89~11.8.0-5~deb12u1_amd64.deb
    mkdir -p "$cache"
    curl -sSfL -o "$cache/$deb" "http://deb.debian.org/debian/pool/non-free/n/nvidia-cuda-toolkit/$deb"
    echo "d1156026e704fe0368b6295db06224ed00a727966fb13454f34e3f3102db0457  $cache/$deb" | sha256sum -c --quiet
    dpkg-deb -x "$cache/$deb" "$cache/root"
  fi
fi
dotnet build benchmarks/Allocator.GpuProbe -c Release -v q -nologo > "$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
probe=$(find benchmarks/Allocator.GpuProbe/bin/Release -name Allocator.GpuProbe.dll | head -1)
dotnet "$probe" ptx "$out" "$@" > /dev/null
for ptx in "$out"/*.ptx; do
  name=$(basename "$ptx" .ptx)
  sed -i -e 's/^\.version 8\.0$/.version 7.8/' -e 's/^\.target sm_80$/.target sm_90/' "$ptx"
  "$bin/ptxas" -arch=sm_90 -v "$ptx" -o "$out/$name.cubin" > "$out/$name.ptxas.txt" 2>&1
  "$bin/cuobjdump" -sass "$out/$name.cubin" > "$out/$name.sass"
  python3 benchmarks/gpu/sass-loops.py "$out/$name.sass" > "$out/$name.loops.txt"
  echo "$name: $(grep -E 'registers|spill' "$out/$name.ptxas.txt" | sed 's/ptxas info *: //' | tr -s ' \n' ' ')"
done
echo "loop tables: $out/*.loops.txt"
