namespace NomadQemu.Artifacts;

internal enum ArtifactMode
{
    Any,
    File,
    Dir,
}

internal enum ArchiveKind
{
    None,
    Tar,
    TarGz,
    Zip,

    /// <summary>A single gzip-compressed file (not a tarball).</summary>
    Gzip,
}

/// <summary>
/// A fully validated artifact block: every config error has been raised before any byte is transferred.
/// Exactly one of <see cref="FixedChecksum"/> and <see cref="ChecksumList"/> is set when a checksum is configured.
/// </summary>
internal sealed record ArtifactPlan(
    SourceLocation Source,
    ArtifactMode Mode,
    ArchiveKind Archive,
    ArtifactChecksum? FixedChecksum,
    SourceLocation? ChecksumList,
    string DestinationPath,
    IReadOnlyDictionary<string, string> Headers
)
{
    /// <summary>The task directory every write is contained in.</summary>
    public required string TaskRoot { get; init; }

    /// <summary><see cref="DestinationPath"/> relative to <see cref="TaskRoot"/>, normalised ("" for the root).</summary>
    public string DestinationRelative => ToRelative(DestinationPath);

    public string Display => Source.Display;

    /// <summary>
    /// Final path of a plain (not unpacked) file: the destination itself in file mode, else the
    /// URL's file name inside the destination directory.
    /// </summary>
    public string PlainFilePath =>
        Mode == ArtifactMode.File ? DestinationPath : Path.Combine(DestinationPath, Source.FileName);

    /// <summary>Output path of a single-file gzip: the name without ".gz" inside the destination directory.</summary>
    public string GunzipFilePath =>
        Mode == ArtifactMode.File
            ? DestinationPath
            : Path.Combine(DestinationPath, Path.GetFileNameWithoutExtension(Source.FileName));

    /// <summary>Relative to <see cref="TaskRoot"/>, '/'-separated.</summary>
    public string ToRelative(string fullPath) =>
        RelativePath.Normalize(Path.GetRelativePath(TaskRoot, fullPath))
        ?? throw new InvalidOperationException($"{fullPath} is outside {TaskRoot}");
}
