#!/usr/bin/env bash
# Builds the small Debian guest with real cloud-init for the cloud-init end-to-end tests, from Debian
# packages only: debootstrap (minbase, bookworm) → ext4 image made by mkfs.ext4 -d (no loop mounts)
# → qcow2, plus the root's vmlinuz and initrd for direct kernel boot (root=/dev/vda, console=ttyS0).
# Usage: scripts/build-debian-guest.sh [OUTDIR]     (default: <repo>/.cache/debian-guest)
# Prints only OUTDIR on stdout (logs go to stderr). Outputs: disk.qcow2, vmlinuz, initrd.img, guest.env,
# packages.txt (what got installed), SHA256SUMS, inputs.sha256.
# Cached by a hash of this script and scripts/debian-guest/; the .debs are kept in OUTDIR.downloads so a
# rebuild does not download again. Needs root (debootstrap chroots) and the machine's apt mirror.
set -euo pipefail

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
SCRIPT_DIR=$(dirname "$SCRIPT_PATH")
SETTINGS_DIR="$SCRIPT_DIR/debian-guest"
LIB="$SCRIPT_DIR/lib/guest-cache.sh"
REPO_ROOT=$(dirname "$SCRIPT_DIR")
OUTDIR=$(readlink -m "${1:-$REPO_ROOT/.cache/debian-guest}")
LOG_PREFIX=build-debian-guest
# shellcheck source=lib/guest-cache.sh
source "$LIB"

SUITE=bookworm
KERNEL_APPEND="root=/dev/vda rw console=ttyS0"
GUEST_HOSTNAME=debian-guest # until cloud-init sets the task's
# Fixed so two builds of the same inputs give the same file system identity.
ROOT_UUID=4e514745-6465-6269-616e-677565737401
EXTRA_MIB=384 # free space in the root file system (the tests write little; qcow2 keeps it sparse)

ensure_tools() {
    local missing=()
    PATH="$PATH:/sbin:/usr/sbin"
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
    command -v qemu-img >/dev/null || missing+=(qemu-utils)
    ((${#missing[@]} == 0)) && return 0
    die "missing packages: ${missing[*]} (run: scripts/install-deps.sh)"
}

# The Debian mirror this machine's apt already uses (DEBIAN_GUEST_MIRROR overrides).
find_mirror() {
    if [[ -n ${DEBIAN_GUEST_MIRROR:-} ]]; then
        MIRROR=$DEBIAN_GUEST_MIRROR
        return
    fi
    MIRROR=$(awk -v suite="$SUITE" '
        /^URIs:/ { uri = $2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite && uri != "") { print uri; exit } }
        ' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [[ -z $MIRROR ]]; then
        MIRROR=$(awk -v suite="$SUITE" '$1 == "deb" && $0 !~ /\[/ && $3 == suite { print $2; exit }' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    fi
    [[ -n $MIRROR ]] || die "no apt source for $SUITE found (set DEBIAN_GUEST_MIRROR)"
}

compute_inputs_hash() {
    {
        sha256sum "$SCRIPT_PATH" "$LIB" | cut -d' ' -f1
        (cd "$SETTINGS_DIR" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
        echo "suite=$SUITE"
    } | sha256sum | cut -d' ' -f1
}

package_list() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SETTINGS_DIR/packages.list" | tr -d ' \t' | paste -sd,
}

bootstrap() {
    local downloads="$OUTDIR.downloads"
    mkdir -p "$downloads"
    log "debootstrap $SUITE from $MIRROR (packages cached in $downloads)"
    # --cache-dir keeps every .deb: a rebuild only unpacks and configures.
    debootstrap --variant=minbase --include="$(package_list)" --cache-dir="$downloads" \
        "$SUITE" "$ROOT" "$MIRROR" >"$BUILD_TMP/debootstrap.log" 2>&1 || {
        tail -n 30 "$BUILD_TMP/debootstrap.log" >&2
        die "debootstrap failed (log above)"
    }
    # debootstrap can leave the root's /proc mounted (seen here: du then walked the host's live processes and
    # failed on one that exited); nothing below needs a mount inside the root.
    guest_cache_unmount_under "$ROOT"
}

configure_root() {
    install -m 0644 "$SETTINGS_DIR"/cloud.cfg.d/*.cfg "$ROOT/etc/cloud/cloud.cfg.d/"
    install -m 0644 "$SETTINGS_DIR/fstab" "$ROOT/etc/fstab"
    echo "$GUEST_HOSTNAME" > "$ROOT/etc/hostname"
    printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
    # Empty machine-id: systemd makes a new one at first boot (a baked one would be shared by every VM).
    : > "$ROOT/etc/machine-id"
    rm -f "$ROOT/var/lib/dbus/machine-id" "$ROOT/etc/resolv.conf"
    # cloud-init's network-config is rendered for systemd-networkd, which must run.
    systemctl --root="$ROOT" enable systemd-networkd.service >/dev/null 2>&1
    chroot "$ROOT" dpkg-query -W -f '${Package} ${Version}\n' > "$WORK/packages.txt"
    # What the image does not need at run time: the .debs debootstrap leaves in the root (a copy of the
    # downloads cache), apt's lists, docs, translations, and the kernel and initrd, which are booted
    # from outside the image.
    rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/lib/apt/lists/* \
        "$ROOT"/var/log/* "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/locale/* \
        "$ROOT"/tmp/* "$ROOT"/var/cache/debconf/*-old
    log "root: $(du -sh "$ROOT" | cut -f1); largest: $(cd "$ROOT" && du -sm usr/lib/* usr/share var |
        sort -rn | head -n 4 | awk '{ printf "%s %s MiB; ", $2, $1 }')"
}

extract_boot_files() {
    local vmlinuz initrd
    vmlinuz=$(find "$ROOT/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n 1)
    [[ -n $vmlinuz ]] || die "no kernel in $ROOT/boot"
    KERNEL_RELEASE=${vmlinuz##*/vmlinuz-}
    initrd="$ROOT/boot/initrd.img-$KERNEL_RELEASE"
    [[ -f $initrd ]] || die "no initrd for $KERNEL_RELEASE (initramfs-tools did not run?)"
    mv "$vmlinuz" "$WORK/vmlinuz"
    mv "$initrd" "$WORK/initrd.img"
}

make_disk() {
    local used_mib size_mib
    used_mib=$(du -sm --apparent-size "$ROOT" | cut -f1)
    size_mib=$(((used_mib * 5 / 4 + EXTRA_MIB + 63) / 64 * 64))
    PATH="$PATH:/sbin:/usr/sbin" mkfs.ext4 -q -F -L debian-root -U "$ROOT_UUID" -E root_owner=0:0 \
        -d "$ROOT" "$WORK/disk.raw" "${size_mib}M" >"$BUILD_TMP/mkfs.log" 2>&1 || {
        cat "$BUILD_TMP/mkfs.log" >&2
        die "mkfs.ext4 failed"
    }
    qemu-img convert -f raw -O qcow2 "$WORK/disk.raw" "$WORK/disk.qcow2"
    rm -f "$WORK/disk.raw"
    DISK_VIRTUAL_SIZE=$((size_mib * 1024 * 1024))
}

write_guest_env() {
    cat > "$WORK/guest.env" <<ENV
# Facts about this guest for tests. Format: KEY='value' (shell-sourceable; strip the quotes).
DEBIAN_GUEST_INPUTS_SHA256='$INPUTS_HASH'
DEBIAN_GUEST_SUITE='$SUITE'
DEBIAN_GUEST_KERNEL_RELEASE='$KERNEL_RELEASE'
DEBIAN_GUEST_KERNEL_APPEND='$KERNEL_APPEND'
DEBIAN_GUEST_CLOUD_INIT_VERSION='$(awk '$1 == "cloud-init" { print $2 }' "$WORK/packages.txt")'
DEBIAN_GUEST_DISK_VIRTUAL_SIZE='$DISK_VIRTUAL_SIZE'
ENV
}

build() {
    local started=$SECONDS
    guest_cache_begin_build
    WORK="$BUILD_TMP/work"
    ROOT="$BUILD_TMP/root"
    mkdir -p "$WORK" "$ROOT"
    bootstrap
    extract_boot_files
    configure_root
    make_disk
    write_guest_env
    guest_cache_publish "$WORK" disk.qcow2 vmlinuz initrd.img guest.env packages.txt
    log "built $OUTDIR in $((SECONDS - started)) s ($(du -sh "$OUTDIR/disk.qcow2" | cut -f1) disk.qcow2, kernel $KERNEL_RELEASE)"
}

main() {
    [[ $(id -u) == 0 ]] || die "needs root (debootstrap chroots into the new root)"
    ensure_tools
    find_mirror
    INPUTS_HASH=$(compute_inputs_hash)
    guest_cache_ensure build
}

main "$@"
