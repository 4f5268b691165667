namespace NomadQemu.Core.Config;

/// <summary><c>disk_mode</c>: what the guest writes to.</summary>
public enum DiskMode
{
    /// <summary><c>"overlay"</c>: a per-task qcow2 overlay backed by the image; the image itself is never written.</summary>
    Overlay,

    /// <summary><c>"in_place"</c>: the guest writes the image itself (the built-in driver's behaviour).</summary>
    InPlace,
}

/// <summary><c>image_format</c>: the on-disk format of <c>image_path</c>, when the job states it.</summary>
public enum ImageFormat
{
    Raw,
    Qcow2,
}

/// <summary><c>profile</c>: which guest-visible machine defaults to use.</summary>
public enum GuestProfile
{
    /// <summary><c>"compat"</c>: the built-in driver's defaults (pc machine, IDE disk, default devices).</summary>
    Compat,

    /// <summary><c>"fast"</c>: q35, <c>-nodefaults</c>, virtio disk and NIC, serial console only.</summary>
    Fast,
}

/// <summary><c>disk.interface</c>: the bus an extra disk sits on.</summary>
public enum DiskInterface
{
    /// <summary>virtio-blk (PCI).</summary>
    Virtio,

    /// <summary>An IDE (on q35: AHCI) hard disk.</summary>
    Ide,

    /// <summary>A SCSI disk on a virtio-scsi controller the driver adds.</summary>
    Scsi,
}

/// <summary><c>firmware</c>: what the guest boots from before its kernel or boot loader.</summary>
public enum Firmware
{
    /// <summary><c>"bios"</c>: QEMU's built-in SeaBIOS (the built-in driver's only choice).</summary>
    Bios,

    /// <summary><c>"uefi"</c>: the host's OVMF, code read-only, variable store copied per task.</summary>
    Uefi,
}
