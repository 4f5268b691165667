namespace NomadQemu.Core.Qemu;

/// <summary>
/// The drive QEMU opens: the per-task overlay (qcow2), or the image itself with its detected/stated format.
/// <paramref name="Format"/> is QEMU's format name (<c>qcow2</c>, <c>raw</c>, ...), always passed so QEMU never probes.
/// </summary>
public sealed record DriveSpec(string Path, string Format, DriveMedia Media = DriveMedia.Disk);
