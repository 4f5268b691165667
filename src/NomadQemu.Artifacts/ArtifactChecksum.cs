using System.Security.Cryptography;

namespace NomadQemu.Artifacts;

/// <summary>Hash algorithms go-getter accepts in a <c>checksum</c> option.</summary>
public enum ChecksumAlgorithm
{
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

/// <summary>An expected content hash. <see cref="Hex"/> is always lower case.</summary>
public sealed record ArtifactChecksum
{
    private ArtifactChecksum(ChecksumAlgorithm algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public ChecksumAlgorithm Algorithm { get; }
    public string Hex { get; }

    /// <summary>
    /// Whether the shared cache may serve content for this checksum. Not for md5 or sha1: colliding pairs can be
    /// made for both, so a job that planted one file of a pair under a digest would have it served to another
    /// job asking for the other. Those are downloaded and verified every time, as Nomad does without a cache.
    /// </summary>
    public bool CollisionResistant => Algorithm is ChecksumAlgorithm.Sha256 or ChecksumAlgorithm.Sha512;

    /// <summary>"sha256:abc…": also the cache key.</summary>
    public override string ToString() => $"{AlgorithmName(Algorithm)}:{Hex}";

    /// <summary>Parses go-getter's "type:hex" form. <paramref name="source"/> only labels errors.</summary>
    /// <exception cref="ArtifactConfigException">Unknown type, non-hex digits or wrong length for the type.</exception>
    public static ArtifactChecksum Parse(string value, string source)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ArtifactConfigException(source, "checksum", $"expected \"type:hex\", got \"{value}\"");
        }

        var typeName = value[..colon].Trim();
        var algorithm =
            TryParseAlgorithm(typeName)
            ?? throw new ArtifactConfigException(
                source,
                "checksum",
                $"unknown checksum type \"{typeName}\" (supported: md5, sha1, sha256, sha512)"
            );
        return Create(algorithm, value[(colon + 1)..].Trim(), source);
    }

    /// <summary>Builds a checksum from an algorithm and hex digits, validating both.</summary>
    public static ArtifactChecksum Create(ChecksumAlgorithm algorithm, string hex, string source)
    {
        var expectedLength = HashSizeBytes(algorithm) * 2;
        if (hex.Length != expectedLength)
        {
            throw new ArtifactConfigException(
                source,
                "checksum",
                $"{AlgorithmName(algorithm)} needs {expectedLength} hex digits, got {hex.Length}"
            );
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw new ArtifactConfigException(
                    source,
                    "checksum",
                    $"\"{hex}\" is not hexadecimal (bad character '{c}')"
                );
            }
        }

        return new ArtifactChecksum(algorithm, hex.ToLowerInvariant());
    }

    public static string AlgorithmName(ChecksumAlgorithm algorithm) =>
        algorithm switch
        {
            ChecksumAlgorithm.Md5 => "md5",
            ChecksumAlgorithm.Sha1 => "sha1",
            ChecksumAlgorithm.Sha256 => "sha256",
            ChecksumAlgorithm.Sha512 => "sha512",
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown checksum algorithm"),
        };

    public static ChecksumAlgorithm? TryParseAlgorithm(string name) =>
        name.ToLowerInvariant() switch
        {
            "md5" => ChecksumAlgorithm.Md5,
            "sha1" => ChecksumAlgorithm.Sha1,
            "sha256" => ChecksumAlgorithm.Sha256,
            "sha512" => ChecksumAlgorithm.Sha512,
            _ => null,
        };

    /// <summary>go-getter guesses the type of a bare hash in a checksum file from its length; so do we.</summary>
    internal static ChecksumAlgorithm? GuessAlgorithmFromHexLength(int hexLength) =>
        hexLength switch
        {
            32 => ChecksumAlgorithm.Md5,
            40 => ChecksumAlgorithm.Sha1,
            64 => ChecksumAlgorithm.Sha256,
            128 => ChecksumAlgorithm.Sha512,
            _ => null,
        };

    internal static int HashSizeBytes(ChecksumAlgorithm algorithm) =>
        algorithm switch
        {
            ChecksumAlgorithm.Md5 => 16,
            ChecksumAlgorithm.Sha1 => 20,
            ChecksumAlgorithm.Sha256 => 32,
            ChecksumAlgorithm.Sha512 => 64,
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown checksum algorithm"),
        };

    internal static HashAlgorithmName ToHashAlgorithmName(ChecksumAlgorithm algorithm) =>
        algorithm switch
        {
            ChecksumAlgorithm.Md5 => HashAlgorithmName.MD5,
            ChecksumAlgorithm.Sha1 => HashAlgorithmName.SHA1,
            ChecksumAlgorithm.Sha256 => HashAlgorithmName.SHA256,
            ChecksumAlgorithm.Sha512 => HashAlgorithmName.SHA512,
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown checksum algorithm"),
        };
}
