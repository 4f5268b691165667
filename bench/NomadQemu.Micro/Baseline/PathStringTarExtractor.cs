using System.Formats.Tar;
using NomadQemu.Artifacts;

namespace NomadQemu.Micro.Baseline;

// Baseline for UnpackBenchmarks: main's path-string extraction before fd-relative containment, kept here
// unchanged (only renamed) so the benchmark measures both in the same run. Not used by the product.

/// <summary>Streams a (possibly gzip-wrapped) tarball into an <see cref="ExtractionTarget"/>, keeping file modes.</summary>
internal static class PathStringTarExtractor
{
    public static async Task ExtractAsync(
        Stream tarStream,
        PathStringExtractionTarget target,
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
                    if (path is not null)
                    {
                        target.CreateDirectory(path, entry.Mode);
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
                    target.CopyHardLink(RequireFilePath(path, entry, display), entry.LinkName, entry.Name);
                    break;
                case TarEntryType.GlobalExtendedAttributes
                or TarEntryType.CharacterDevice
                or TarEntryType.BlockDevice
                or TarEntryType.Fifo:
                    // Metadata or device nodes: nothing a task directory should receive.
                    break;
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
        PathStringExtractionTarget target,
        Action reportProgress,
        CancellationToken cancellationToken
    )
    {
        await using (var output = target.CreateFile(path))
        {
            if (entry.DataStream is { } data)
            {
                await ArchiveCopy.CopyAsync(data, output, reportProgress, cancellationToken).ConfigureAwait(false);
            }
        }

        PathStringExtractionTarget.SetFileMode(path, entry.Mode);
    }
}
