using System.IO.Compression;

namespace NomadQemu.Artifacts;

/// <summary>
/// Unpacks a zip. Zip has a central directory, so every entry name is validated before the first byte is
/// written: a zip-slip archive is rejected without touching the destination at all.
/// </summary>
internal static class ZipExtractor
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymlinkType = 0xA000;
    private const int UnixDirectoryType = 0x4000;

    public static async Task ExtractAsync(
        Stream zipStream,
        ExtractionTarget target,
        Action reportProgress,
        string display,
        CancellationToken cancellationToken
    )
    {
        using var archive = Open(zipStream, display);
        var plan = new List<(ZipArchiveEntry Entry, string? Path)>(archive.Entries.Count);
        foreach (var entry in archive.Entries)
        {
            plan.Add((entry, target.Resolve(entry.FullName)));
        }

        foreach ((var entry, var path) in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Zips written on Unix keep st_mode in the high 16 bits of the external attributes.
            var unixMode = (entry.ExternalAttributes >> 16) & 0xFFFF;
            var isDirectory =
                entry.FullName.EndsWith('/')
                || entry.FullName.EndsWith('\\')
                || (unixMode & UnixFileTypeMask) == UnixDirectoryType;
            if (path is null)
            {
                if (!isDirectory)
                {
                    throw new ArtifactUnpackException(
                        display,
                        $"archive entry \"{entry.FullName}\" would replace the destination directory itself"
                    );
                }

                continue;
            }

            if (isDirectory)
            {
                target.CreateDirectory(path, unixMode == 0 ? null : (UnixFileMode)(unixMode & 0xFFF));
            }
            else if ((unixMode & UnixFileTypeMask) == UnixSymlinkType)
            {
                target.CreateSymlink(
                    path,
                    await ReadLinkTargetAsync(entry, cancellationToken).ConfigureAwait(false),
                    entry.FullName
                );
            }
            else
            {
                await WriteFileAsync(entry, path, unixMode, target, reportProgress, display, cancellationToken)
                    .ConfigureAwait(false);
            }

            reportProgress();
        }
    }

    private static ZipArchive Open(Stream zipStream, string display)
    {
        try
        {
            return new ZipArchive(zipStream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new ArtifactUnpackException(display, $"corrupt zip archive: {ex.Message}", ex);
        }
    }

    private static async Task WriteFileAsync(
        ZipArchiveEntry entry,
        string path,
        int unixMode,
        ExtractionTarget target,
        Action reportProgress,
        string display,
        CancellationToken cancellationToken
    )
    {
        await using (var output = target.CreateFile(path))
        {
            try
            {
                await using var input = entry.Open();
                await ArchiveCopy.CopyAsync(input, output, reportProgress, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new ArtifactUnpackException(display, $"corrupt zip entry \"{entry.FullName}\": {ex.Message}", ex);
            }
        }

        if (unixMode != 0)
        {
            ExtractionTarget.SetFileMode(path, (UnixFileMode)(unixMode & 0xFFF));
        }
    }

    private static async Task<string> ReadLinkTargetAsync(ZipArchiveEntry entry, CancellationToken cancellationToken)
    {
        await using var input = entry.Open();
        using var reader = new StreamReader(input);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
