#!/usr/bin/env bash
# The test command: installs what is missing, builds the test guests and the published executable,
# then runs every test project (unit, protocol, and end-to-end tests that boot real VMs under QEMU).
# Ends with one line "tests: N passed, N failed, N skipped"; exits non-zero on any failure or when no test ran.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
export NOMAD_QEMU_TEST_GUEST=$(bash scripts/build-test-guest.sh)
# The Debian guest with real cloud-init (cached; ~3 min to rebuild from cached .debs, ~10 min cold).
export NOMAD_QEMU_DEBIAN_GUEST=$(bash scripts/build-debian-guest.sh)
export NOMAD_QEMU_BINARY=$(bash scripts/publish.sh)
echo "test guest: $NOMAD_QEMU_TEST_GUEST" >&2
echo "debian guest: $NOMAD_QEMU_DEBIAN_GUEST" >&2
echo "binary:     $NOMAD_QEMU_BINARY" >&2

log=$(mktemp)
set +e
dotnet test NomadQemu.slnx --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Sum VSTest's per-assembly summaries ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12").
read -r passed failed skipped < <(awk -F'[:,]' '/ - Failed: +[0-9]+, Passed: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
        if ($i ~ /Failed$/)  f += $(i+1);
        if ($i ~ /Passed$/)  p += $(i+1);
        if ($i ~ /Skipped$/) s += $(i+1);
    }
} END { printf "%d %d %d\n", p, f, s }' "$log")
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
    exit 1
fi
if [ "$passed" -eq 0 ]; then
    echo "no tests ran" >&2
    exit 1
fi
