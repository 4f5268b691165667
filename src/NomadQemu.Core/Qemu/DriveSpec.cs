namespace NomadQemu.Core.Qemu;

/// <summary>
/// The drive the guest sees: <paramref name="Top"/> is the layer the guest writes (the per-task overlay, or the
/// image itself in place), with its whole backing chain given explicitly.
/// </summary>
public sealed record DriveSpec(DiskLayer Top, DriveMedia Media = DriveMedia.Disk);
