namespace NomadQemu.Artifacts;

/// <summary>Outcome of one fetch.</summary>
/// <param name="Path">Absolute path of what was materialised: the file (plain file) or the directory an archive was unpacked into.</param>
/// <param name="FromCache">True when the content came from the cache without a download.</param>
/// <param name="Checksum">The checksum the content was verified against, or null when none was configured.</param>
/// <param name="Unpacked">True when the artifact was an archive and was unpacked.</param>
public sealed record ArtifactResult(string Path, bool FromCache, ArtifactChecksum? Checksum, bool Unpacked);
