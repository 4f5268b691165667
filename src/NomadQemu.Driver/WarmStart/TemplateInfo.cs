namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// <c>template.json</c>: written last into a template's directory, so a directory without it is no template.
/// The digests let a clone refuse files that changed since the build (a clone of corrupt RAM would crash).
/// </summary>
internal sealed record TemplateInfo
{
    public required string Key { get; init; }
    public required long MemoryMb { get; init; }
    public required long RamBytes { get; init; }
    public required string RamSha256 { get; init; }
    public required long StateBytes { get; init; }
    public required string StateSha256 { get; init; }
    public required long DiskBytes { get; init; }
    public required string DiskSha256 { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset LastUsed { get; init; }
    public required long BuildMs { get; init; }

    /// <summary>The key's inputs in order, as "name=value" (for an operator comparing two keys).</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>Bytes on disk: RAM holes (all-zero blocks) are not stored.</summary>
    public long StoredBytes { get; init; }
}
