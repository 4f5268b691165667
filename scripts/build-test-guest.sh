#!/usr/bin/env bash
# Builds the tiny real test guest (docs/test-guest-notes.md) from Debian packages:
#   SeaBIOS → syslinux (MBR + FAT16 partition) → Debian cloud kernel → busybox initramfs.
# Usage: scripts/build-test-guest.sh [OUTDIR]      (default: <repo>/.cache/test-guest)
# Prints only OUTDIR on stdout (logs go to stderr), so callers can do dir=$(scripts/build-test-guest.sh).
# Outputs: disk.qcow2, vmlinuz, initrd.gz, guest.env, SHA256SUMS, inputs.sha256.
# Cached: rebuilds only when the hash of its inputs changes; a rebuild happens in a temporary
# directory that replaces OUTDIR only when complete. Nothing is mounted; no network but apt.
set -euo pipefail

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
SCRIPT_DIR=$(dirname "$SCRIPT_PATH")
GUEST_DIR="$SCRIPT_DIR/guest"
REPO_ROOT=$(dirname "$SCRIPT_DIR")
OUTDIR=$(readlink -m "${1:-$REPO_ROOT/.cache/test-guest}")
LIB="$SCRIPT_DIR/lib/guest-cache.sh"
LOG_PREFIX=build-test-guest
# shellcheck source=lib/guest-cache.sh
source "$LIB" # log, die, the cache check, the build lock, the atomic swap of OUTDIR

# Guest facts shared by the init script (via /etc/test-guest.env) and by tests (via guest.env).
GUEST_IP=10.0.2.15
GUEST_GATEWAY=10.0.2.2
HTTP_MARKER="nomad-qemu test guest"
RECORD_MAGIC="NOMAD-QEMU-TEST-GUEST-RECORD"
KERNEL_APPEND="console=ttyS0 quiet"
KERNEL_META_PACKAGE=linux-image-cloud-amd64
PARTITION_START_SECTOR=2048 # 1 MiB alignment, like a partitioning tool would do
RECORD_AREA_MIB=1           # raw area after the FAT partition; the guest writes its record there

# command → Debian package that provides it
declare -A TOOL_PACKAGES=(
    [qemu-img]=qemu-utils
    [busybox]=busybox-static
    [syslinux]=syslinux
    [mcopy]=mtools
    [mkfs.vfat]=dosfstools
    [cpio]=cpio
    [gzip]=gzip
    [flock]=util-linux
    [sha256sum]=coreutils
    [dpkg-deb]=dpkg
    [qemu-ga]=qemu-guest-agent # copied into the guest with its libraries (the guest agent tests)
    [ldd]=libc-bin
)
REQUIRED_FILES=(/usr/lib/syslinux/mbr/mbr.bin) # from syslinux-common

ensure_tools() {
    local missing=() tool
    for tool in "${!TOOL_PACKAGES[@]}"; do
        command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/sbin:/usr/sbin" command -v "$tool" >/dev/null 2>&1 ||
            missing+=("${TOOL_PACKAGES[$tool]}")
    done
    [[ -f ${REQUIRED_FILES[0]} ]] || missing+=(syslinux-common)
    # busybox must be the static build: it runs inside the guest without any libc.
    if command -v busybox >/dev/null 2>&1 && ! dpkg-query -W -f '${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
        missing+=(busybox-static)
    fi
    ((${#missing[@]} == 0)) && return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [[ $(id -u) != 0 ]]; then
        die "missing packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})"
    fi
    log "installing missing packages: ${missing[*]}"
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
        die "could not install: ${missing[*]}"
}

# Name and version of the kernel package that the cloud kernel meta-package points to.
resolve_kernel_package() {
    local name
    name=$(apt-cache depends "$KERNEL_META_PACKAGE" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
    if [[ -z $name && $(id -u) == 0 ]]; then
        log "apt lists do not know $KERNEL_META_PACKAGE; running apt-get update"
        apt-get update -qq >&2 || true
        name=$(apt-cache depends "$KERNEL_META_PACKAGE" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
    fi
    [[ -n $name ]] || die "apt does not know $KERNEL_META_PACKAGE (run apt-get update as root)"
    KERNEL_PACKAGE=$name
    KERNEL_PACKAGE_VERSION=$(apt-cache policy "$name" | sed -n 's/^ *Candidate: //p')
    [[ -n $KERNEL_PACKAGE_VERSION && $KERNEL_PACKAGE_VERSION != "(none)" ]] ||
        die "apt has no candidate version for $name"
}

compute_inputs_hash() {
    local busybox_version syslinux_version
    busybox_version=$(dpkg-query -W -f '${Version}' busybox-static)
    syslinux_version=$(dpkg-query -W -f '${Version}' syslinux)
    qemu_ga_version=$(dpkg-query -W -f '${Version}' qemu-guest-agent)
    {
        sha256sum "$SCRIPT_PATH" "$LIB" | cut -d' ' -f1
        (cd "$GUEST_DIR" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
        echo "kernel=$KERNEL_PACKAGE $KERNEL_PACKAGE_VERSION"
        echo "busybox-static=$busybox_version"
        echo "syslinux=$syslinux_version"
        echo "qemu-guest-agent=$qemu_ga_version"
    } | sha256sum | cut -d' ' -f1
}

# Downloads (once) and unpacks the kernel package; sets KERNEL_ROOT and KERNEL_RELEASE.
fetch_kernel() {
    local debs="$OUTDIR.downloads" deb
    mkdir -p "$debs"
    deb=$(find "$debs" -maxdepth 1 -name "${KERNEL_PACKAGE}_*.deb" -print | head -n 1)
    if [[ -z $deb ]] || [[ $(dpkg-deb -f "$deb" Version) != "$KERNEL_PACKAGE_VERSION" ]]; then
        rm -f "$debs"/*.deb
        log "downloading $KERNEL_PACKAGE $KERNEL_PACKAGE_VERSION"
        (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "$KERNEL_PACKAGE=$KERNEL_PACKAGE_VERSION" >&2) ||
            die "apt-get download $KERNEL_PACKAGE failed"
        deb=$(find "$debs" -maxdepth 1 -name "${KERNEL_PACKAGE}_*.deb" -print | head -n 1)
    fi
    KERNEL_ROOT="$WORK/kernel"
    dpkg-deb -x "$deb" "$KERNEL_ROOT"
    KERNEL_RELEASE=$(basename "$(find "$KERNEL_ROOT/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
    [[ -f $KERNEL_ROOT/boot/vmlinuz-$KERNEL_RELEASE ]] || die "no vmlinuz in $deb"
}

# Resolves modules.list plus dependencies into load order (dependencies first).
declare -A MODULE_FILES=() MODULE_VISITED=()
MODULE_ORDER=()
visit_module() {
    local name=$1 file deps dep
    [[ -n ${MODULE_VISITED[$name]:-} ]] && return 0
    MODULE_VISITED[$name]=1
    file=${MODULE_FILES[$name]:-}
    [[ -n $file ]] || die "kernel module $name not found in $KERNEL_PACKAGE (built in? then drop it from modules.list)"
    deps=$(tr '\0' '\n' < "$file" | sed -n 's/^depends=//p' | head -n 1 | tr ',-' ' _')
    for dep in $deps; do visit_module "$dep"; done
    MODULE_ORDER+=("$name")
}

# Debian's real qemu-ga (the same agent every cloud image ships) with every library it links and the
# dynamic loader, each at the path ldd names: the busybox guest has no libc of its own.
copy_guest_agent() {
    local root=$1 agent lib
    agent=$(PATH="$PATH:/sbin:/usr/sbin" command -v qemu-ga)
    install -D -m 0755 "$agent" "$root/usr/sbin/qemu-ga"
    while read -r lib; do
        install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
    done < <(ldd "$agent" | grep -oE '(/[^ ]+)' | sort -u)
    log "qemu-ga: $(dpkg-query -W -f '${Version}' qemu-guest-agent), libraries: $(ldd "$agent" | grep -coE '/[^ ]+')"
}

build_initramfs() {
    local root="$WORK/initramfs" file name applet
    mkdir -p "$root"/{bin,sbin,dev,proc,sys,run,tmp,etc,lib/modules,www/cgi-bin}
    cp "$(command -v busybox)" "$root/bin/busybox"
    for applet in $(busybox --list); do
        [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
    done
    install -m 0755 "$GUEST_DIR/init" "$root/init"
    install -m 0755 "$GUEST_DIR/shutdown" "$root/sbin/shutdown"
    ln -s ../bin/busybox "$root/sbin/hwclock" # guest-set-time runs /sbin/hwclock -w
    copy_guest_agent "$root"
    install -m 0755 "$GUEST_DIR"/cgi-bin/* "$root/www/cgi-bin/"

    while IFS= read -r file; do
        name=$(basename "$file" .ko)
        MODULE_FILES[${name//-/_}]=$file
    done < <(find "$KERNEL_ROOT/lib/modules/$KERNEL_RELEASE" -name '*.ko')
    while read -r name; do
        visit_module "$name"
    done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$GUEST_DIR/modules.list")
    for name in "${MODULE_ORDER[@]}"; do
        cp "${MODULE_FILES[$name]}" "$root/lib/modules/$name.ko"
    done
    printf '%s\n' "${MODULE_ORDER[@]}" > "$root/lib/modules/load-order"
    log "modules (load order): ${MODULE_ORDER[*]}"

    cat > "$root/etc/test-guest.env" <<EOF
GUEST_IP=$GUEST_IP
GUEST_GATEWAY=$GUEST_GATEWAY
HTTP_MARKER="$HTTP_MARKER"
RECORD_MAGIC=$RECORD_MAGIC
RECORD_PARTITION=2
EOF
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 -n > "$WORK/initrd.gz"
}

# Little-endian 32-bit value as printf escapes, for the partition table.
le32() {
    local v=$1
    printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((v & 255)) $(((v >> 8) & 255)) $(((v >> 16) & 255)) $(((v >> 24) & 255))
}

# One MBR partition entry; CHS fields hold the "use LBA" filler, as for any disk > 8 GiB.
partition_entry() {
    local status=$1 type=$2 start=$3 count=$4
    printf '%b' "\\x$status\\xfe\\xff\\xff\\x$type\\xfe\\xff\\xff$(le32 "$start")$(le32 "$count")"
}

build_disk() {
    local fat="$WORK/fat.img" raw="$WORK/disk.raw" payload_kib fat_sectors record_sectors total_sectors
    # FAT16 partition sized to the payload plus headroom, rounded to whole MiB.
    payload_kib=$(( ($(stat -c %s "$WORK/vmlinuz") + $(stat -c %s "$WORK/initrd.gz")) / 1024 ))
    fat_sectors=$(( (payload_kib / 1024 + 3) * 2048 ))
    record_sectors=$((RECORD_AREA_MIB * 2048))
    RECORD_SECTOR=$((PARTITION_START_SECTOR + fat_sectors))
    total_sectors=$((PARTITION_START_SECTOR + fat_sectors + record_sectors))

    PATH="$PATH:/sbin:/usr/sbin" mkfs.vfat -F 16 -n TESTGUEST -i 4e514745 -h "$PARTITION_START_SECTOR" \
        -C "$fat" $((fat_sectors / 2)) >/dev/null
    syslinux --install "$fat"
    mcopy -m -i "$fat" "$WORK/vmlinuz" "$WORK/initrd.gz" "$GUEST_DIR/syslinux.cfg" ::/

    truncate -s $((total_sectors * 512)) "$raw"
    dd if=/usr/lib/syslinux/mbr/mbr.bin of="$raw" conv=notrunc status=none
    {
        partition_entry 80 0e "$PARTITION_START_SECTOR" "$fat_sectors"      # active FAT16 (LBA)
        partition_entry 00 da "$RECORD_SECTOR" "$record_sectors"            # "non-FS data": the record
        printf '%b' '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
        printf '%b' '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
        printf '%b' '\x55\xaa'
    } | dd of="$raw" bs=1 seek=446 conv=notrunc status=none
    # Disk signature, so the image looks like one a partitioning tool made.
    printf '%b' '\x47\x51\x4e\x54' | dd of="$raw" bs=1 seek=440 conv=notrunc status=none
    dd if="$fat" of="$raw" bs=512 seek="$PARTITION_START_SECTOR" conv=notrunc status=none
    printf '%s boots=0\n' "$RECORD_MAGIC" | dd of="$raw" bs=512 seek="$RECORD_SECTOR" count=1 conv=sync,notrunc status=none
    qemu-img convert -f raw -O qcow2 "$raw" "$WORK/disk.qcow2"
    DISK_VIRTUAL_SIZE=$((total_sectors * 512))
}

write_guest_env() {
    cat > "$WORK/guest.env" <<EOF
# Facts about this test guest for tests. Format: KEY='value' (shell-sourceable; strip the quotes).
TEST_GUEST_INPUTS_SHA256='$INPUTS_HASH'
TEST_GUEST_KERNEL_PACKAGE='$KERNEL_PACKAGE $KERNEL_PACKAGE_VERSION'
TEST_GUEST_KERNEL_RELEASE='$KERNEL_RELEASE'
TEST_GUEST_KERNEL_APPEND='$KERNEL_APPEND'
TEST_GUEST_IP='$GUEST_IP'
TEST_GUEST_HTTP_PORT='80'
TEST_GUEST_HTTP_MARKER='$HTTP_MARKER'
TEST_GUEST_URL_INDEX='/index.html'
TEST_GUEST_URL_UPTIME='/cgi-bin/uptime'
TEST_GUEST_URL_BOOTID='/cgi-bin/bootid'
TEST_GUEST_URL_DISKRECORD='/cgi-bin/diskrecord'
TEST_GUEST_READY_MARKER='TEST-GUEST-READY'
TEST_GUEST_TICK_PREFIX='TEST-GUEST-TICK '
TEST_GUEST_TICK_INTERVAL_SECONDS='2'
TEST_GUEST_DISK_WRITE_OK_PREFIX='TEST-GUEST-DISK-WRITE ok'
TEST_GUEST_POWER_BUTTON_ARMED='TEST-GUEST-POWER-BUTTON armed'
TEST_GUEST_POWERDOWN_MARKER='TEST-GUEST-POWERDOWN'
TEST_GUEST_IGNORE_POWERDOWN_FLAG='testguest.ignore_powerdown'
TEST_GUEST_NO_AGENT_FLAG='testguest.noagent'
TEST_GUEST_AGENT_MARKER='TEST-GUEST-AGENT started'
TEST_GUEST_AGENT_SHUTDOWN_MARKER='TEST-GUEST-AGENT-SHUTDOWN'
TEST_GUEST_DISK_VIRTUAL_SIZE='$DISK_VIRTUAL_SIZE'
TEST_GUEST_RECORD_OFFSET='$((RECORD_SECTOR * 512))'
TEST_GUEST_RECORD_MAGIC='$RECORD_MAGIC'
EOF
}

build() {
    guest_cache_begin_build
    WORK="$BUILD_TMP/work"
    mkdir -p "$WORK"
    fetch_kernel
    cp "$KERNEL_ROOT/boot/vmlinuz-$KERNEL_RELEASE" "$WORK/vmlinuz"
    build_initramfs
    build_disk
    write_guest_env

    local out="$BUILD_TMP/out"
    mkdir -p "$out"
    mv "$WORK/disk.qcow2" "$WORK/vmlinuz" "$WORK/initrd.gz" "$WORK/guest.env" "$out/"
    guest_cache_publish "$out" disk.qcow2 vmlinuz initrd.gz guest.env
    log "built $OUTDIR ($(du -sh "$OUTDIR/disk.qcow2" | cut -f1) disk.qcow2)"
}

main() {
    ensure_tools
    resolve_kernel_package
    INPUTS_HASH=$(compute_inputs_hash)

    guest_cache_ensure build
}

main "$@"
