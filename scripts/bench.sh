#!/usr/bin/env bash
# The benchmark command: builds what is needed (test guest, published executable unless src/ is unchanged since
# the last publish, the Release suite) and runs the suite. Results: artifacts/bench/results.md (and .json),
# also printed on stdout; progress on stderr.
#
#   bash scripts/bench.sh            # the full suite (~20 min on 2 cores under TCG)
#   bash scripts/bench.sh --quick    # tiny counts, no 4 GiB image: proves every item runs (~2 min)
#   bash scripts/bench.sh --only 3,4 # selected items; other flags: --no-micro, --out DIR, --cache DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

for tool in qemu-system-x86_64 qemu-img sha256sum; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        bash scripts/install-deps.sh
        break
    fi
done

guest=$(bash scripts/build-test-guest.sh)

binary="$root/artifacts/publish/nomad-driver-qemu"
if [ -n "${NOMAD_QEMU_BINARY:-}" ]; then
    binary=$NOMAD_QEMU_BINARY
elif [ ! -x "$binary" ] || [ -n "$(find src proto -newer "$binary" -type f ! -path '*/bin/*' ! -path '*/obj/*' -print -quit)" ]; then
    echo "bench: publishing the executable (src/ changed since the last publish)" >&2
    binary=$(bash scripts/publish.sh)
else
    echo "bench: reusing $binary (nothing under src/ or proto/ is newer)" >&2
fi

dotnet build bench/NomadQemu.Bench/NomadQemu.Bench.csproj -c Release --nologo -v quiet >&2
exec dotnet bench/NomadQemu.Bench/bin/Release/net10.0/NomadQemu.Bench.dll --binary "$binary" --guest "$guest" "$@"
