#!/usr/bin/env bash
# Installs what building, testing and running need on Debian/Ubuntu: QEMU, the test guest's
# ingredients, and the Native AOT toolchain (clang, zlib). Idempotent; apt only runs when something is missing.
set -euo pipefail

packages=(
    qemu-system-x86 qemu-utils          # the emulator and qemu-img (overlays)
    busybox-static syslinux syslinux-common mtools dosfstools cpio   # the tiny test guest
    clang zlib1g-dev                    # Native AOT publish
    curl ca-certificates util-linux iproute2   # HTTP checks; nsenter + ip netns for group networking
    genisoimage xorriso cloud-init      # cloud-init seed tests: independent ISO readers, cloud-init's own parsers
    qemu-guest-agent                    # qemu-ga: the guest agent client's tests run it on a unix socket
    time                                # GNU time -v: peak RSS of `validate` in the job-file fuzz tests
    ovmf                                # firmware = "uefi": OVMF code/vars + QEMU firmware descriptors (UEFI tests)
    bubblewrap                          # bwrap: the jail every VM's QEMU runs in (setpriv comes with util-linux)
    debootstrap e2fsprogs               # the Debian guest with real cloud-init (scripts/build-debian-guest.sh)
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=sudo
        else
            echo "install-deps: missing packages: ${missing[*]}" >&2
            echo "install-deps: run as root (or install them with apt-get) and try again" >&2
            exit 1
        fi
    else
        SUDO=
    fi
    echo "install-deps: installing ${missing[*]}" >&2
    $SUDO apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "install-deps: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
    exit 1
fi
