using Microsoft.Win32.SafeHandles;
using NomadQemu.CloudInit.Iso;

namespace NomadQemu.CloudInit;

/// <summary>
/// Writes a NoCloud seed as an ISO 9660 image labelled <c>CIDATA</c>, with Rock Ridge and Joliet names, in-process.
/// <para>
/// Why ISO 9660 (with both extensions) rather than VFAT:
/// cloud-init's NoCloud accepts either (any block device whose type is iso9660 or vfat and whose label is cidata);
/// Linux reads the real names from Rock Ridge through the isofs driver every distribution kernel carries (and
/// falls back to Joliet); Windows' cloudbase-init reads a seed on a CD-ROM natively, and Windows' CDFS sees only
/// Joliet names — "meta-data" is no 8.3 name, so without Joliet Windows guests would see nothing, while a VFAT
/// seed on a hard disk needs cloudbase-init's extra raw-disk path. ISO 9660 is read-only by design (a CD-ROM
/// drive can never write it back), it is what cloud-init's own documentation builds (genisoimage -joliet -rock),
/// and it needs no geometry: a FAT12/16 image must pick a size, cluster and FAT layout for its content and
/// switch FAT type with size, where this layout is fixed (26 sectors of metadata, then the files).
/// </para>
/// <para>
/// Size: 52 KiB of metadata, each file rounded up to 2 KiB, and 300 KiB of trailing zeros (see
/// <c>IsoLayout.TrailingPadSectors</c>). Determinism: every timestamp is one fixed value
/// and nothing depends on the clock, the host or the order the caller gave the files; the same seed gives the same
/// bytes. Writing is sequential (no seeking) and copies each file's bytes straight from the seed's memory.
/// </para>
/// </summary>
public static class IsoSeedImage
{
    /// <summary>The volume label cloud-init looks for (it accepts <c>cidata</c> in either case).</summary>
    public const string VolumeLabel = "CIDATA";

    private static readonly byte[] s_zeroes = new byte[IsoBytes.SectorSize];

    /// <summary>The image's length in bytes (a multiple of 2048).</summary>
    public static long GetLength(CloudInitSeed seed) => IsoLayout.Plan(seed).TotalBytes;

    public static byte[] ToArray(CloudInitSeed seed)
    {
        var layout = IsoLayout.Plan(seed);
        var image = new byte[layout.TotalBytes];
        var offset = 0;
        Emit(
            layout,
            chunk =>
            {
                chunk.CopyTo(image.AsSpan(offset));
                offset += chunk.Length;
            }
        );
        return image;
    }

    /// <summary>Writes the image at the stream's current position with sequential writes (no seeking).</summary>
    public static void Write(Stream destination, CloudInitSeed seed)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Emit(IsoLayout.Plan(seed), destination.Write);
        destination.Flush();
    }

    public static async Task WriteAsync(Stream destination, CloudInitSeed seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var layout = IsoLayout.Plan(seed);
        foreach (var chunk in Chunks(layout))
        {
            await destination.WriteAsync(chunk, cancellationToken);
        }
        await destination.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the image from offset 0 of a regular file the caller has already opened for writing (for example
    /// one the jail opened with O_NOFOLLOW in the task's private dir), then sets the file's length to the image's,
    /// so stale bytes of an earlier, longer seed never follow it. The handle stays open and owned by the caller.
    /// </summary>
    public static void Write(SafeFileHandle file, CloudInitSeed seed)
    {
        ArgumentNullException.ThrowIfNull(file);
        var layout = IsoLayout.Plan(seed);
        long offset = 0;
        Emit(
            layout,
            chunk =>
            {
                RandomAccess.Write(file, chunk, offset);
                offset += chunk.Length;
            }
        );
        RandomAccess.SetLength(file, layout.TotalBytes);
    }

    private static void Emit(IsoLayout layout, ChunkSink sink)
    {
        foreach (var chunk in Chunks(layout))
        {
            sink(chunk.Span);
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Chunks(IsoLayout layout)
    {
        yield return IsoHeaderWriter.Build(layout, VolumeLabel);
        foreach (var file in layout.Files)
        {
            if (file.Data.Length == 0)
            {
                continue;
            }
            yield return file.Data;
            var tail = file.Data.Length % IsoBytes.SectorSize;
            if (tail != 0)
            {
                yield return s_zeroes.AsMemory(0, IsoBytes.SectorSize - tail);
            }
        }
        for (var i = 0; i < IsoLayout.TrailingPadSectors; i++)
        {
            yield return s_zeroes;
        }
    }

    private delegate void ChunkSink(ReadOnlySpan<byte> chunk);
}
