#!/usr/bin/env bash
# Publishes the allocator command line self-contained for linux-x64 (the GPU machine has no .NET) and packs it as
# .device-bundle/cli.tar.xz (git-ignored), for benchmarks/gpu/robust-run.sh on the device machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .device-bundle/cli && mkdir -p .device-bundle
dotnet publish src/Allocator.Cli -c Release -r linux-x64 --self-contained -o .device-bundle/cli -v q -nologo
tar -C .device-bundle -cf - cli | xz -9 -T2 > .device-bundle/cli.tar.xz
rm -rf .device-bundle/cli
ls -la .device-bundle/cli.tar.xz
