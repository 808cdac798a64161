# Sourced by the device scripts. ILGPU loads the CUDA driver as "libcuda.so" (no .so.1 suffix); where only
# libcuda.so.1 is installed, a link named libcuda.so to the driver's library (never to a toolkit stub) goes in a
# folder put on LD_LIBRARY_PATH.
if ! ldconfig -p | grep -q 'libcuda\.so '; then
  driver=$(ldconfig -p | awk '/libcuda\.so\.1 / {print $NF; exit}')
  [ -n "$driver" ] || driver=$(ls /usr/local/nvidia/lib64/libcuda.so.1 /usr/lib/x86_64-linux-gnu/libcuda.so.1 2>/dev/null | head -1)
  mkdir -p /tmp/cuda-link && ln -sf "$driver" /tmp/cuda-link/libcuda.so
  export LD_LIBRARY_PATH=/tmp/cuda-link${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  echo "linked /tmp/cuda-link/libcuda.so -> $driver"
fi
