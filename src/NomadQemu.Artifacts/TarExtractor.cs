using System.Formats.Tar;

namespace NomadQemu.Artifacts;

/// <summary>Streams a (possibly gzip-wrapped) tarball into an <see cref="ExtractionTarget"/>, keeping file modes.</summary>
internal static class TarExtractor
{
    public static async Task ExtractAsync(
        Stream tarStream,
        ExtractionTarget target,
        Action reportProgress,
        string display,
        CancellationToken cancellationToken
    )
    {
        await using var reader = new TarReader(tarStream, leaveOpen: true);
        while (await ReadNextAsync(reader, display, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            var path = target.Resolve(entry.Name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (path is null)
                    {
                        target.Budget.AddEntry(entry.Name);
                    }
                    else
                    {
                        target.CreateDirectory(path, entry.Name, entry.Mode);
                    }

                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await WriteFileAsync(
                            entry,
                            RequireFilePath(path, entry, display),
                            target,
                            reportProgress,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    break;
                case TarEntryType.SymbolicLink:
                    target.CreateSymlink(RequireFilePath(path, entry, display), entry.LinkName, entry.Name);
                    break;
                case TarEntryType.HardLink:
                    await target
                        .CopyHardLinkAsync(
                            RequireFilePath(path, entry, display),
                            entry.LinkName,
                            entry.Name,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    break;
                case TarEntryType.GlobalExtendedAttributes:
                    // Metadata for the entries that follow, not an entry itself.
                    break;
                case TarEntryType.CharacterDevice:
                    throw target.RefuseSpecial(entry.Name, "character device");
                case TarEntryType.BlockDevice:
                    throw target.RefuseSpecial(entry.Name, "block device");
                case TarEntryType.Fifo:
                    throw target.RefuseSpecial(entry.Name, "fifo");
                default:
                    throw new ArtifactUnpackException(
                        display,
                        $"archive entry \"{entry.Name}\" has unsupported tar type {entry.EntryType}"
                    );
            }

            reportProgress();
        }
    }

    private static async Task<TarEntry?> ReadNextAsync(
        TarReader reader,
        string display,
        CancellationToken cancellationToken
    )
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ArtifactUnpackException(display, $"corrupt tar archive: {ex.Message}", ex);
        }
    }

    private static string RequireFilePath(string? path, TarEntry entry, string display) =>
        path
        ?? throw new ArtifactUnpackException(
            display,
            $"archive entry \"{entry.Name}\" would replace the destination directory itself"
        );

    private static async Task WriteFileAsync(
        TarEntry entry,
        string path,
        ExtractionTarget target,
        Action reportProgress,
        CancellationToken cancellationToken
    )
    {
        await using var output = target.CreateFile(path, entry.Name, entry.Mode);
        if (entry.DataStream is { } data)
        {
            await ArchiveCopy.CopyAsync(data, output, reportProgress, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Entry copy loop shared by the extractors, reporting progress between chunks of large entries.</summary>
internal static class ArchiveCopy
{
    private const int BufferSize = 256 * 1024;

    public static async Task CopyAsync(
        Stream source,
        Stream destination,
        Action reportProgress,
        CancellationToken cancellationToken
    )
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while (
                (read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false))
                > 0
            )
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                reportProgress();
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
