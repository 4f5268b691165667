namespace NomadQemu.Artifacts;

/// <summary>
/// Picks the artifact's line out of a checksum list (the <c>checksum = "file:URL"</c> form).
/// Understands GNU coreutils output (<c>hex  name</c>, <c>hex *name</c>) and BSD/<c>--tag</c> output
/// (<c>SHA256 (name) = hex</c>). A GNU line carries no algorithm, so it is inferred from the digest
/// length, as go-getter does.
/// </summary>
internal static class ChecksumFileParser
{
    public static ArtifactChecksum FindChecksum(
        string listText,
        string artifactFileName,
        string checksumUrl,
        string source
    )
    {
        foreach (var rawLine in listText.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            (var name, var hex, var algorithm) = ParseBsdLine(line) ?? ParseGnuLine(line);
            if (name is null || hex is null || !NameMatches(name, artifactFileName))
            {
                continue;
            }

            var resolved =
                algorithm
                ?? ArtifactChecksum.GuessAlgorithmFromHexLength(hex.Length)
                ?? throw new ArtifactConfigException(
                    source,
                    "checksum",
                    $"cannot tell the hash type of the {hex.Length}-digit entry for \"{artifactFileName}\" in {checksumUrl}"
                );
            return ArtifactChecksum.Create(resolved, hex, source);
        }

        throw new ArtifactConfigException(
            source,
            "checksum",
            $"no entry for \"{artifactFileName}\" in checksum file {checksumUrl}"
        );
    }

    private static (string?, string?, ChecksumAlgorithm?)? ParseBsdLine(string line)
    {
        // "SHA256 (disk.qcow2) = 9f86…"
        var open = line.IndexOf(" (", StringComparison.Ordinal);
        var close = line.LastIndexOf(") = ", StringComparison.Ordinal);
        if (open <= 0 || close <= open)
        {
            return null;
        }

        var algorithm = ArtifactChecksum.TryParseAlgorithm(line[..open]);
        if (algorithm is null)
        {
            return null;
        }

        return (line[(open + 2)..close], line[(close + 4)..].Trim(), algorithm);
    }

    private static (string?, string?, ChecksumAlgorithm?) ParseGnuLine(string line)
    {
        var space = line.IndexOfAny([' ', '\t']);
        if (space <= 0)
        {
            return (null, null, null);
        }

        var hex = line[..space];
        var name = line[(space + 1)..].TrimStart(' ', '\t');
        // '*' marks binary mode in coreutils output; it is not part of the name.
        if (name.StartsWith('*'))
        {
            name = name[1..];
        }

        return (name, hex, null);
    }

    private static bool NameMatches(string listedName, string artifactFileName)
    {
        var normalized = listedName.Replace('\\', '/');
        if (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }

        if (string.Equals(normalized, artifactFileName, StringComparison.Ordinal))
        {
            return true;
        }

        var slash = normalized.LastIndexOf('/');
        return slash >= 0 && string.Equals(normalized[(slash + 1)..], artifactFileName, StringComparison.Ordinal);
    }
}
