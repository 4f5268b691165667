#!/usr/bin/env bash
# Publishes the single Native AOT executable to artifacts/publish/nomad-driver-qemu (the only file an
# operator copies into Nomad's plugin_dir) and prints its path on stdout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/artifacts/publish"
dotnet publish "$root/src/NomadQemu/NomadQemu.csproj" -c Release -o "$out" -p:PublishAot=true --nologo -v quiet >&2
# Only the executable belongs in plugin_dir; nothing else may carry an execute bit.
find "$out" -maxdepth 1 -type f ! -name nomad-driver-qemu -delete
echo "$out/nomad-driver-qemu"
