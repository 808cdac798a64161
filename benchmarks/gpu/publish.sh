#!/usr/bin/env bash
# Publishes the GPU probe self-contained for linux-x64 (the GPU machine has no .NET) and packs it as
# .device-bundle/probe.tar.xz (git-ignored), small enough to carry to the device machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .device-bundle/probe && mkdir -p .device-bundle
dotnet publish benchmarks/Allocator.GpuProbe -c Release -r linux-x64 --self-contained -o .device-bundle/probe -v q -nologo
tar -C .device-bundle -cJf .device-bundle/probe.tar.xz probe
rm -rf .device-bundle/probe
ls -la .device-bundle/probe.tar.xz
