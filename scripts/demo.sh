#!/usr/bin/env bash
# The README's first command: from a fresh Debian/Ubuntu machine to a running demo VM.
#   1. installs QEMU and the build tools (apt; needs root or sudo, says so otherwise),
#   2. publishes the single nomad-driver-qemu executable,
#   3. builds the small test guest (a busybox VM that serves a page on port 80),
#   4. serves the guest image on 127.0.0.1 with our own hidden `serve-dir` command (no python or web
#      server package needed), so the job's artifact block downloads it over real HTTP,
#   5. runs examples/hello-vm.nomad.hcl with the image URL and its sha256 as job variables.
# The VM's URL is printed and its console streams here; Ctrl-C powers it off gracefully and exits 0.
# Set DATA_DIR to choose where the runner keeps alloc dirs and the artifact cache. Extra arguments go to
# `run` (e.g. `bash scripts/demo.sh --no-kvm` on a host whose KVM passes the probe but crashes guests).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { echo "demo: $*" >&2; }

bash scripts/install-deps.sh
say "building the executable (Native AOT, about a minute the first time)"
binary=$(bash scripts/publish.sh)
say "building the test guest"
guest=$(bash scripts/build-test-guest.sh)

port_file=$(mktemp)
server_log=$(mktemp)
"$binary" serve-dir "$guest" --port 0 --port-file "$port_file" >"$server_log" 2>&1 &
server_pid=$!
# The server must not outlive the demo, however it ends.
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$port_file" "$server_log"' EXIT

for _ in $(seq 1 100); do
    [ -s "$port_file" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$server_log" >&2; say "the image server did not start"; exit 1; }
    sleep 0.05
done
[ -s "$port_file" ] || { say "the image server did not report its port"; exit 1; }
port=$(cat "$port_file")
checksum=$(sha256sum "$guest/disk.qcow2" | cut -d' ' -f1)
say "serving the guest image at http://127.0.0.1:$port/disk.qcow2 (sha256 $checksum)"

args=(run examples/hello-vm.nomad.hcl
    --var "image_url=http://127.0.0.1:$port/disk.qcow2"
    --var "image_checksum=sha256:$checksum")
args+=("$@")
if [ -n "${DATA_DIR:-}" ]; then
    args+=(--data-dir "$DATA_DIR")
fi
say "starting the job; Ctrl-C powers the VM off"
# Not exec: the EXIT trap must still stop the image server when the run ends. Ctrl-C reaches the
# runner (foreground); bash waits for it and, since the runner handles SIGINT and exits normally, goes
# on to pass its exit code through. (No `trap '' INT` here: the runner would inherit the ignored signal.)
set +e
"$binary" "${args[@]}"
status=$?
set -e
exit "$status"
