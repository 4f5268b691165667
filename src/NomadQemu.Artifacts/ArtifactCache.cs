using System.Diagnostics.CodeAnalysis;

namespace NomadQemu.Artifacts;

/// <summary>
/// Content-addressed store of verified artifacts, shared by every fetcher (and process) using the same directory.
/// <code>
/// {cacheDir}/objects/{algorithm}/{hex}   verified content, read-only (0444), never modified once published
/// {cacheDir}/tmp/{random}.part           in-flight downloads; renamed into objects/ only after verification
/// </code>
/// The key is the configured checksum, so only artifacts with a checksum are cached: without one there is no
/// way to know whether the server's content changed, and Nomad downloads again every time.
/// Publishing is an atomic rename within one file system, so a reader never sees a half-written object.
/// </summary>
public sealed class ArtifactCache
{
    /// <summary>Temp files older than this were abandoned by a crashed process and are swept on start-up.</summary>
    private static readonly TimeSpan s_abandonedTempAge = TimeSpan.FromDays(1);

    private readonly string _objectsDirectory;

    public ArtifactCache(string cacheDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        _objectsDirectory = Path.Combine(CacheDirectory, "objects");
        TempDirectory = Path.Combine(CacheDirectory, "tmp");
        Directory.CreateDirectory(_objectsDirectory);
        Directory.CreateDirectory(TempDirectory);
        SweepAbandonedTempFiles();
    }

    public string CacheDirectory { get; }

    /// <summary>Where downloads are staged; same file system as the objects so publishing is a rename.</summary>
    public string TempDirectory { get; }

    /// <summary>Path the object for <paramref name="checksum"/> has (or would have) in the cache.</summary>
    public string GetObjectPath(ArtifactChecksum checksum)
    {
        ArgumentNullException.ThrowIfNull(checksum);
        return Path.Combine(_objectsDirectory, ArtifactChecksum.AlgorithmName(checksum.Algorithm), checksum.Hex);
    }

    /// <summary>True (with its path) when verified content for <paramref name="checksum"/> is already cached.</summary>
    public bool TryGetObject(ArtifactChecksum checksum, [NotNullWhen(true)] out string? objectPath)
    {
        var candidate = GetObjectPath(checksum);
        objectPath = File.Exists(candidate) ? candidate : null;
        return objectPath is not null;
    }

    internal string NewTempPath() => Path.Combine(TempDirectory, $"{Guid.NewGuid():N}.part");

    /// <summary>
    /// Moves a verified temp file into the store and returns the object path. If another fetch published the
    /// same content first, that copy is kept (identical by construction) and the temp file is discarded.
    /// </summary>
    internal string Publish(string verifiedTempPath, ArtifactChecksum checksum)
    {
        var objectPath = GetObjectPath(checksum);
        Directory.CreateDirectory(Path.GetDirectoryName(objectPath)!);
        if (!OperatingSystem.IsWindows())
        {
            // Read-only marks the object as immutable; see FileMaterializer for why tasks never get a writable alias.
            File.SetUnixFileMode(
                verifiedTempPath,
                UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead
            );
        }

        try
        {
            File.Move(verifiedTempPath, objectPath, overwrite: false);
        }
        catch (IOException) when (File.Exists(objectPath))
        {
            File.Delete(verifiedTempPath);
        }

        return objectPath;
    }

    private void SweepAbandonedTempFiles()
    {
        var cutoff = DateTime.UtcNow - s_abandonedTempAge;
        foreach (var stale in Directory.EnumerateFiles(TempDirectory, "*.part"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(stale) < cutoff)
                {
                    File.Delete(stale);
                }
            }
            catch (IOException)
            {
                // Another process may be removing it at the same moment; either way it goes.
            }
        }
    }
}
