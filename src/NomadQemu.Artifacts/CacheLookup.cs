namespace NomadQemu.Artifacts;

/// <summary>Outcome of a cache look-up: the verified object, or a miss (with whether a bad entry was thrown away).</summary>
internal sealed record CacheLookup(string? ObjectPath, bool Discarded)
{
    public static CacheLookup Miss { get; } = new(null, Discarded: false);
}
