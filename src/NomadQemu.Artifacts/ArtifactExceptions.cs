namespace NomadQemu.Artifacts;

/// <summary>Base of every failure the fetcher reports. The message is one line and names the artifact source.</summary>
public abstract class ArtifactException : Exception
{
    protected ArtifactException(string source, string problem, Exception? inner = null)
        : base($"artifact \"{source}\": {problem}", inner)
    {
        ArtifactSource = source;
        Problem = problem;
    }

    /// <summary>What went wrong, without the source prefix.</summary>
    public string Problem { get; }

    /// <summary>The artifact source, with any URL credentials redacted.</summary>
    public string ArtifactSource { get; }
}

/// <summary>The artifact block itself is wrong (bad option, scheme, mode or destination).</summary>
public sealed class ArtifactConfigException : ArtifactException
{
    public ArtifactConfigException(string source, string option, string problem)
        : base(source, $"{option}: {problem}")
    {
        Option = option;
    }

    /// <summary>The option or field at fault, e.g. "checksum", "mode", "destination".</summary>
    public string Option { get; }
}

/// <summary>Reading the source failed: HTTP error status, connection dropped, truncated body, missing file.</summary>
public sealed class ArtifactDownloadException : ArtifactException
{
    public ArtifactDownloadException(string source, string problem, int? statusCode = null, Exception? inner = null)
        : base(source, problem, inner)
    {
        StatusCode = statusCode;
    }

    /// <summary>HTTP status code when the server answered with an error, else null.</summary>
    public int? StatusCode { get; }
}

/// <summary>The downloaded bytes do not match the configured checksum. Nothing was materialised.</summary>
public sealed class ArtifactChecksumException : ArtifactException
{
    public ArtifactChecksumException(string source, ChecksumAlgorithm algorithm, string expected, string actual)
        : base(
            source,
            $"checksum mismatch ({ArtifactChecksum.AlgorithmName(algorithm)}): expected {expected}, actual {actual}"
        )
    {
        Algorithm = algorithm;
        Expected = expected;
        Actual = actual;
    }

    public ChecksumAlgorithm Algorithm { get; }
    public string Expected { get; }
    public string Actual { get; }
}

/// <summary>The archive is corrupt, unsupported for the mode, or has an entry that would escape the destination.</summary>
public sealed class ArtifactUnpackException : ArtifactException
{
    public ArtifactUnpackException(string source, string problem, Exception? inner = null)
        : base(source, problem, inner) { }
}

/// <summary>The verified content could not be written into the task directory (permissions, disk full, name clash).</summary>
public sealed class ArtifactPlacementException : ArtifactException
{
    public ArtifactPlacementException(string source, string problem, Exception? inner = null)
        : base(source, problem, inner) { }
}
