namespace NomadQemu.Artifacts;

/// <summary>
/// Nomad's client <c>artifact</c> limits, same names and defaults: <c>decompression_size_limit</c> (100GB) and
/// <c>decompression_file_count_limit</c> (4096). Zero turns a limit off, as in Nomad.
/// </summary>
public sealed record DecompressionLimits
{
    /// <summary>Nomad's default "100GB" (decimal, as Nomad parses it).</summary>
    public const long DefaultSizeLimit = 100L * 1000 * 1000 * 1000;

    public const int DefaultFileCountLimit = 4096;

    /// <summary>Most bytes one artifact may unpack to (file contents, summed). 0 = no limit.</summary>
    public long SizeLimit { get; init; } = DefaultSizeLimit;

    /// <summary>Most entries (files, directories, links) one archive may hold. 0 = no limit.</summary>
    public int FileCountLimit { get; init; } = DefaultFileCountLimit;
}
