namespace NomadQemu.Core.Qemu;

/// <summary>Whether the boot drive is a disk or a CD-ROM (ISO images).</summary>
public enum DriveMedia
{
    Disk,
    Cdrom,
}
