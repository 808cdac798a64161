# Sourced by the device scripts: unpacks the bundle of benchmarks/gpu/publish.sh to /tmp/allocator (once per machine)
# and makes the CUDA driver visible to ILGPU.
if [ ! -x /tmp/allocator/allocator ]; then
  rm -rf /tmp/allocator && tar -C /tmp -xJf .device-bundle/allocator.tar.xz
fi
source benchmarks/gpu/cuda-env.sh
