namespace NomadQemu.Artifacts;

/// <summary>
/// Content-addressed store of verified artifacts, shared by every fetcher (and process) using the same directory.
/// <code>
/// {cacheDir}/objects/sha256/{hex}        verified content, read-only (0444), named by its own sha256
/// {cacheDir}/index/sha512/{hex}         the sha256 of the content a job asked for by sha512
/// {cacheDir}/tmp/{random}.part           in-flight downloads; renamed into objects/ only after verification
/// </code>
/// Every object is named by the sha256 of its bytes whatever checksum the job used, and a hit is served only
/// after the object is hashed again and matches both that name and the job's own checksum: a tampered or
/// corrupted entry is discarded and fetched again, never served. Only artifacts with a sha256 or sha512 checksum
/// are cached: without one there is no way to know whether the server's content changed (Nomad downloads every
/// time), and md5/sha1 collide on demand (see <see cref="ArtifactChecksum.CollisionResistant"/>).
/// Publishing is an atomic rename within one file system, so a reader never sees a half-written object.
/// </summary>
public sealed class ArtifactCache
{
    /// <summary>Temp files older than this were abandoned by a crashed process and are swept on start-up.</summary>
    private static readonly TimeSpan s_abandonedTempAge = TimeSpan.FromDays(1);

    private readonly string _objectsDirectory;
    private readonly string _indexDirectory;

    public ArtifactCache(string cacheDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        _objectsDirectory = Path.Combine(CacheDirectory, "objects", "sha256");
        _indexDirectory = Path.Combine(CacheDirectory, "index");
        TempDirectory = Path.Combine(CacheDirectory, "tmp");
        Directory.CreateDirectory(_objectsDirectory);
        Directory.CreateDirectory(TempDirectory);
        SweepAbandonedTempFiles();
    }

    public string CacheDirectory { get; }

    /// <summary>Where downloads are staged; same file system as the objects so publishing is a rename.</summary>
    public string TempDirectory { get; }

    /// <summary>Path of the object whose content has this sha256.</summary>
    internal string ObjectPath(string sha256Hex) => Path.Combine(_objectsDirectory, sha256Hex);

    /// <summary>Where the sha256 of content asked for by a non-sha256 checksum is recorded.</summary>
    internal string IndexPath(ArtifactChecksum checksum) =>
        Path.Combine(_indexDirectory, ArtifactChecksum.AlgorithmName(checksum.Algorithm), checksum.Hex);

    /// <summary>
    /// The object for <paramref name="checksum"/>, after hashing it again: its sha256 must equal its name and,
    /// for another algorithm, its digest must equal the job's checksum. A mismatch discards the entry (null: miss).
    /// </summary>
    internal async Task<CacheLookup> LookUpAsync(ArtifactChecksum checksum, CancellationToken cancellationToken)
    {
        var sha256 = checksum.Algorithm == ChecksumAlgorithm.Sha256 ? checksum.Hex : ReadIndex(checksum);
        if (sha256 is null || !File.Exists(ObjectPath(sha256)))
        {
            return CacheLookup.Miss;
        }

        var objectPath = ObjectPath(sha256);
        ChecksumAlgorithm[] algorithms =
            checksum.Algorithm == ChecksumAlgorithm.Sha256
                ? [ChecksumAlgorithm.Sha256]
                : [ChecksumAlgorithm.Sha256, checksum.Algorithm];
        string[] actual;
        try
        {
            actual = await ChecksumVerifier
                .ComputeHexesAsync(objectPath, algorithms, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return CacheLookup.Miss;
        }

        if (actual[0] != sha256)
        {
            // The object's bytes are not what it is named after: corrupted or tampered, useless to everyone.
            Discard(objectPath);
            Discard(IndexPath(checksum));
            return new CacheLookup(null, Discarded: true);
        }

        if (actual[^1] != checksum.Hex)
        {
            // A sound object, but the index pointed this checksum at the wrong one: only the index entry goes.
            Discard(IndexPath(checksum));
            return new CacheLookup(null, Discarded: true);
        }

        return new CacheLookup(objectPath, Discarded: false);
    }

    internal string NewTempPath() => Path.Combine(TempDirectory, $"{Guid.NewGuid():N}.part");

    /// <summary>
    /// Moves a verified temp file into the store under its sha256 and records the job's checksum against it.
    /// If another fetch published the same content first, that copy is kept (identical by construction).
    /// </summary>
    internal string Publish(string verifiedTempPath, ArtifactChecksum checksum, string sha256Hex)
    {
        var objectPath = ObjectPath(sha256Hex);
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

        if (checksum.Algorithm != ChecksumAlgorithm.Sha256)
        {
            var indexPath = IndexPath(checksum);
            Directory.CreateDirectory(Path.GetDirectoryName(indexPath)!);
            var temp = NewTempPath();
            File.WriteAllText(temp, sha256Hex);
            File.Move(temp, indexPath, overwrite: true);
        }

        return objectPath;
    }

    private string? ReadIndex(ArtifactChecksum checksum)
    {
        try
        {
            var text = File.ReadAllText(IndexPath(checksum)).Trim();
            return text.Length == 64 && text.All(char.IsAsciiHexDigitLower) ? text : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Discard(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Fetching again publishes a good object over it (or fails to, and says so).
        }
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
