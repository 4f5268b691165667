namespace NomadQemu.Artifacts;

/// <summary>What the fetcher is doing right now.</summary>
public enum ArtifactPhase
{
    Downloading,
    Verifying,
    Unpacking,

    /// <summary>Served from the content-addressed cache: no network transfer.</summary>
    Cached,
}

/// <summary>A throttled progress snapshot. <paramref name="TotalBytes"/> is null when the size is unknown
/// (no Content-Length). <paramref name="Source"/> is the artifact source with credentials redacted.</summary>
public readonly record struct ArtifactProgress(string Source, ArtifactPhase Phase, long BytesDone, long? TotalBytes);
