namespace NomadQemu.Core.Qemu;

/// <summary>
/// One layer of a disk chain as QEMU opens it: a format driver over the file in fd set <paramref name="FdSet"/>
/// (<c>/dev/fdset/N</c>, filled with <c>-add-fd</c>). QEMU never opens a layer by name: a qcow2 layer's backing is
/// always stated (<paramref name="Backing"/>, or none at all), whatever its header says.
/// </summary>
/// <param name="Format">QEMU's format name, always explicit: <c>qcow2</c> or <c>raw</c>.</param>
/// <param name="FdSet">The fd set holding the opened file.</param>
/// <param name="Backing">The layer below, or null for "no backing file".</param>
/// <param name="DataFileFdSet">The fd set of a qcow2 external data file the driver opened, or null.</param>
public sealed record DiskLayer(string Format, int FdSet, DiskLayer? Backing = null, int? DataFileFdSet = null)
{
    /// <summary>
    /// False turns QEMU's image locking off for this layer's file. Only for a warm-start template VM's overlay:
    /// saving the template inactivates the images, and reactivating a file whose fd set holds two open file
    /// descriptions (read-write and read-only) fails on the lock QEMU left on the other one ("Failed to get
    /// "write" lock"). The overlay is the task's own file and the jailed QEMU the only process given it, so the
    /// lock guards nothing there.
    /// </summary>
    public bool FileLocking { get; init; } = true;
}
