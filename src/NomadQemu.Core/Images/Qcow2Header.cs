namespace NomadQemu.Core.Images;

/// <summary>
/// What a qcow2 header says about other files: the backing file (and its format) and the external data file.
/// QEMU opens either BY NAME when the image is opened, so the driver must know them before QEMU sees the image.
/// </summary>
/// <param name="Version">2 or 3.</param>
/// <param name="VirtualSize">The guest-visible size in bytes (an overlay over this image gets the same size).</param>
/// <param name="BackingFile">The backing file name stored in the header, or null.</param>
/// <param name="BackingFormat">The backing format stored in the header extension, or null when not recorded.</param>
/// <param name="HasExternalDataFile">The incompatible feature bit "external data file" is set.</param>
/// <param name="DataFile">The external data file name stored in the header extension, or null.</param>
public sealed record Qcow2Header(
    uint Version,
    ulong VirtualSize,
    string? BackingFile,
    string? BackingFormat,
    bool HasExternalDataFile,
    string? DataFile
);
