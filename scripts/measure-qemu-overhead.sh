#!/usr/bin/env bash
# Measures QEMU's own memory above the guest's RAM: the number the task's memory limit must add (nomad#27392).
# Boots the test guest (direct kernel boot, the driver's "fast" command line) with -mem-prealloc, so every guest
# page is resident from the start, waits until the guest serves HTTP plus a settle time, and reports the QEMU
# process's peak RSS (VmHWM) minus the guest RAM. Usage: scripts/measure-qemu-overhead.sh [firmware=bios|uefi]...
# Needs NOMAD_QEMU_TEST_GUEST (the prebuilt guest). Prints a Markdown table.
set -euo pipefail
guest=${NOMAD_QEMU_TEST_GUEST:?set NOMAD_QEMU_TEST_GUEST to the test guest dir}
settle=${SETTLE_SECONDS:-5}
sizes=${SIZES:-"128 256 512 1024 2048"}
vcpus_list=${VCPUS:-"1 2 4"}
firmwares=${*:-bios}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "| firmware | guest MiB | vCPUs | QEMU peak RSS MiB | overhead MiB | boot-to-HTTP s |"
echo "| --- | --- | --- | --- | --- | --- |"
for fw in $firmwares; do
    for mem in $sizes; do
        for cpus in $vcpus_list; do
            port=$(free_port)
            flash=()
            if [ "$fw" = uefi ]; then
                cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
                flash=(-drive if=pflash,unit=0,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
                    -drive "if=pflash,unit=1,format=raw,file=$work/vars.fd")
            fi
            qemu-img create -q -f qcow2 -b "$guest/disk.qcow2" -F qcow2 "$work/overlay.qcow2"
            start=$(date +%s.%N)
            qemu-system-x86_64 -machine type=q35,accel=tcg -nodefaults -no-user-config -m "${mem}M" -mem-prealloc \
                -smp "$cpus" "${flash[@]}" -drive "file=$work/overlay.qcow2,if=virtio,format=qcow2" \
                -kernel "$guest/vmlinuz" -initrd "$guest/initrd.gz" -append "console=ttyS0 quiet" \
                -display none -serial "file:$work/console" \
                -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-pci,netdev=net0 &
            pid=$!
            until curl -fs -o /dev/null "http://127.0.0.1:$port/"; do
                kill -0 "$pid" 2>/dev/null || { echo "qemu died" >&2; exit 1; }
                sleep 0.1
            done
            booted=$(echo "$(date +%s.%N) - $start" | bc)
            sleep "$settle"
            hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
            kill "$pid"
            wait "$pid" 2>/dev/null || true
            rm -f "$work/overlay.qcow2"
            printf '| %s | %d | %d | %d | %d | %.1f |\n' "$fw" "$mem" "$cpus" $((hwm_kb / 1024)) \
                $((hwm_kb / 1024 - mem)) "$booted"
        done
    done
done
