namespace NomadQemu.Artifacts;

/// <summary>Settings shared by every fetch of one <see cref="ArtifactFetcher"/>.</summary>
public sealed record ArtifactFetcherOptions
{
    /// <summary>Base for relative local-path sources. Null means the task directory, as Nomad sets go-getter's pwd.
    /// The standalone runner passes the job file's directory.</summary>
    public string? LocalBaseDirectory { get; init; }

    /// <summary>How cached plain files reach the task directory. See <see cref="CacheLinkMode"/> for the trade-off.</summary>
    public CacheLinkMode CacheLinkMode { get; init; } = CacheLinkMode.Copy;

    /// <summary>Minimum time between progress reports within one phase.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Time allowed to establish a TCP/TLS connection (ignored when <see cref="HttpHandler"/> is set).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Optional handler (proxies, custom TLS). Not disposed by the fetcher. It must not follow redirects
    /// itself (AllowAutoRedirect = false): the fetcher follows them under its own rules.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Largest <c>file:</c> checksum list accepted; such lists are kilobytes, anything huge is a mistake.</summary>
    public long MaxChecksumFileBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Nomad's decompression limits, applied to every archive and gzip file this fetcher unpacks.</summary>
    public DecompressionLimits DecompressionLimits { get; init; } = new();
}
