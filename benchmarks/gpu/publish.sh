#!/usr/bin/env bash
# Publishes the allocator command line and the GPU probe self-contained for linux-x64 (the GPU machine has no .NET)
# into one folder, where they share one runtime, and packs it as .device-bundle/allocator.tar.xz (git-ignored, 52 MB on
# 2026-11-27: under the 64 MiB a device call carries). The device scripts unpack it there.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .device-bundle && mkdir -p .device-bundle
for project in src/Allocator.Cli benchmarks/Allocator.GpuProbe; do
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -o .device-bundle/allocator -v q -nologo
done
tar -C .device-bundle -cf - allocator | xz -9 -T2 > .device-bundle/allocator.tar.xz
rm -rf .device-bundle/allocator
ls -la .device-bundle/allocator.tar.xz
