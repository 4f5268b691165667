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
    private const int UnixRegularType = 0x8000;

    /// <summary>PATH_MAX: a link target longer than this is not a path, whatever the archive says.</summary>
    private const int MaxLinkTargetBytes = 4096;

    public static async Task ExtractAsync(
        Stream zipStream,
        ExtractionTarget target,
        Action reportProgress,
        string display,
        CancellationToken cancellationToken
    )
    {
        using var archive = Open(zipStream, display);
        target.Budget.CheckDeclaredCount(archive.Entries.Count);
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
            var fileType = unixMode & UnixFileTypeMask;
            var isDirectory =
                entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\') || fileType == UnixDirectoryType;
            UnixFileMode? mode = unixMode == 0 ? null : (UnixFileMode)(unixMode & 0xFFF);
            if (path is null)
            {
                if (!isDirectory)
                {
                    throw new ArtifactUnpackException(
                        display,
                        $"archive entry \"{entry.FullName}\" would replace the destination directory itself"
                    );
                }

                target.Budget.AddEntry(entry.FullName);
                continue;
            }

            if (isDirectory)
            {
                target.CreateDirectory(path, entry.FullName, mode);
            }
            else if (fileType == UnixSymlinkType)
            {
                target.CreateSymlink(
                    path,
                    await ReadLinkTargetAsync(entry, display, cancellationToken).ConfigureAwait(false),
                    entry.FullName
                );
            }
            else if (fileType is 0 or UnixRegularType)
            {
                await WriteFileAsync(entry, path, mode, target, reportProgress, display, cancellationToken)
                    .ConfigureAwait(false);
            }
            else
            {
                throw target.RefuseSpecial(
                    entry.FullName,
                    fileType switch
                    {
                        0x1000 => "fifo",
                        0x2000 => "character device",
                        0x6000 => "block device",
                        0xC000 => "socket",
                        _ => "file of unknown type",
                    }
                );
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
        UnixFileMode? mode,
        ExtractionTarget target,
        Action reportProgress,
        string display,
        CancellationToken cancellationToken
    )
    {
        await using var output = target.CreateFile(path, entry.FullName, mode);
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

    private static async Task<string> ReadLinkTargetAsync(
        ZipArchiveEntry entry,
        string display,
        CancellationToken cancellationToken
    )
    {
        await using var input = entry.Open();
        var buffer = new byte[MaxLinkTargetBytes + 1];
        var length = 0;
        int read;
        while (
            length < buffer.Length
            && (read = await input.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0
        )
        {
            length += read;
        }

        return length > MaxLinkTargetBytes
            ? throw new ArtifactUnpackException(
                display,
                $"archive entry \"{entry.FullName}\" rejected: its symlink target is longer than {MaxLinkTargetBytes} bytes"
            )
            : System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }
}
