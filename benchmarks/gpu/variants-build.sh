#!/usr/bin/env bash
# Builds the scorer of other commits for benchmarks/gpu/variants-run.sh: for each NAME=REV argument, a Release build of
# kernels/Allocator.Kernels at REV (a commit, a branch, or a .patch file applied to HEAD, made with git diff; several
# patches joined by '+' are applied in turn, to time candidates together) in a temporary worktree, copied to
# .device-bundle/variants/NAME/Allocator.Kernels.dll.
# Run it after benchmarks/gpu/publish.sh (which empties .device-bundle). The runner puts each DLL beside the published
# command line, so REV must keep the public surface the bundle's commit uses (adding to it is fine). Names sort in the
# order the runner takes them: 0-before, 1-groups-256, ...
# Example: bash benchmarks/gpu/variants-build.sh 0-before=HEAD~1 1-groups-256=/tmp/groups-256.patch 2-both=/tmp/a.patch+/tmp/b.patch
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f .device-bundle/allocator.tar.xz ] || { echo "run benchmarks/gpu/publish.sh first" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: $0 NAME=REV [NAME=REV ...]" >&2; exit 2; }
tree=
trap '[ -z "$tree" ] || { git worktree remove --force "$tree" 2> /dev/null; rm -rf "$tree" "$tree.log"; }' EXIT
for pair in "$@"; do
  name=${pair%%=*}; rev=${pair#*=}
  [ -n "$name" ] && [ "$name" != "$pair" ] || { echo "not NAME=REV: $pair" >&2; exit 2; }
  tree=$(mktemp -d /tmp/variant-XXXXXX)
  if [[ "$rev" == *.patch ]]; then
    git worktree add -q --detach "$tree" HEAD
    IFS=+ read -ra patches <<< "$rev"
    for patch in "${patches[@]}"; do
      git -C "$tree" apply "$(realpath "$patch")"
    done
    label="HEAD + $rev"
  else
    git worktree add -q --detach "$tree" "$rev"
    label="$(git rev-parse --short "$rev") $(git log -1 --format=%s "$rev" | cut -c1-80)"
  fi
  dotnet build "$tree/kernels/Allocator.Kernels" -c Release -v q -nologo > "$tree.log" 2>&1 || { cat "$tree.log" >&2; exit 1; }
  mkdir -p ".device-bundle/variants/$name"
  cp "$tree"/kernels/Allocator.Kernels/bin/Release/net10.0/linux-x64/Allocator.Kernels.dll ".device-bundle/variants/$name/"
  echo "$name: $label"
  git worktree remove --force "$tree"; rm -f "$tree.log"; tree=
done
du -sh .device-bundle
