#!/bin/sh
# PID 1 of the seed probe: the test guest's initramfs with this init laid over it. It mounts the seed through
# the guest's kernel (isofs) from a CD-ROM (sr0) and a virtio disk (vda), and once more from the CD-ROM with
# Rock Ridge off (norock: the Joliet names Windows reads), prints what it sees, and powers off.
export PATH=/bin
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
while read -r name; do insmod "/lib/modules/$name.ko" 2>/dev/null; done </lib/modules/load-order
# Newer test guests load these from their own load-order already.
for name in cdrom sr_mod isofs; do
    grep -q "^$name " /proc/modules || insmod "/lib/modules/$name.ko" || echo "SEED-TEST insmod $name failed"
done
for view in sr0:sr0:ro vda:vda:ro joliet:sr0:ro,norock; do
    name=${view%%:*}
    rest=${view#*:}
    dev=${rest%%:*}
    options=${rest#*:}
    n=0
    while [ ! -b "/dev/$dev" ] && [ "$n" -lt 200 ]; do
        usleep 50000
        n=$((n + 1))
    done
    mkdir -p "/mnt/$name"
    if mount -t iso9660 -o "$options" "/dev/$dev" "/mnt/$name"; then
        echo "SEED-TEST $name mount $(grep " /mnt/$name " /proc/mounts)"
        for f in "/mnt/$name"/*; do
            echo "SEED-TEST $name file $(basename "$f") $(stat -c %a "$f") $(sha256sum "$f" | cut -d' ' -f1)"
        done
        if echo x >"/mnt/$name/user-data" 2>/dev/null; then echo "SEED-TEST $name writable"; fi
    else
        echo "SEED-TEST $name mount-failed"
    fi
done
echo "SEED-TEST done"
poweroff -f
