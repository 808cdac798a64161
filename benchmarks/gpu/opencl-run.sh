#!/usr/bin/env bash
# Runs on the GPU machine (carry .device-bundle): whether the scorer's OpenCL path runs on this GPU, which no session has
# seen (the machine's OpenCL lists an Intel CPU device; its NVIDIA platform never showed). Says which OpenCL loader and
# drivers are installed, then `allocator devices` (every OpenCL device ILGPU cannot use, with why) and `allocator bench
# --device opencl` on the mid seed (pairs per second and agreement with the reference, or why the device is skipped).
# Where the NVIDIA driver's OpenCL library is installed but no ICD file names it (usual in containers), one in a folder
# of ours does, beside copies of the installed ones (the loader reads OCL_ICD_VENDORS instead of /etc/OpenCL/vendors).
# Writes opencl.txt and bench-opencl.json under $OUT. About a minute at most (each step has a timeout).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/opencl-out}; mkdir -p "$out"
source benchmarks/gpu/unpack.sh > /dev/null 2>&1
{
  echo "== ICD files: $(ls /etc/OpenCL/vendors 2> /dev/null | tr '\n' ' ')"
  grep -H . /etc/OpenCL/vendors/*.icd 2> /dev/null
  echo "== loader: $(ldconfig -p | grep -E 'libOpenCL\.so' | tr -s ' \t' ' ' | tr '\n' ';')"
  driver=$(ldconfig -p | awk '/libnvidia-opencl\.so\.1 / {print $NF; exit}')
  [ -n "$driver" ] || driver=$(ls /usr/local/nvidia/lib64/libnvidia-opencl.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 2> /dev/null | head -1)
  echo "== NVIDIA OpenCL driver: ${driver:-none}"
  if [ -n "$driver" ] && ! grep -qs nvidia-opencl /etc/OpenCL/vendors/*.icd; then
    rm -rf /tmp/icd && mkdir -p /tmp/icd && cp /etc/OpenCL/vendors/*.icd /tmp/icd/ 2> /dev/null
    echo "$driver" > /tmp/icd/nvidia.icd
    export OCL_ICD_VENDORS=/tmp/icd OCL_ICD_FILENAMES=$driver
    echo "== named it in /tmp/icd/nvidia.icd"
  fi
  echo "== allocator devices"
  timeout 60 /tmp/allocator/allocator devices
  echo "== allocator bench --device opencl (exit code after)"
  timeout 120 /tmp/allocator/allocator bench --device opencl --precision double --plans 1024 --scenarios 4096 \
    --instance seeds/mid-6x120x20x26.json --json "$out/bench-opencl.json"
  echo "exit $?"
} > "$out/opencl.txt" 2>&1
tail -20 "$out/opencl.txt"
