namespace NomadQemu.Artifacts;

/// <summary>
/// One Nomad <c>artifact</c> block, as written in the job file.
/// </summary>
public sealed record ArtifactRequest
{
    private static readonly IReadOnlyDictionary<string, string> s_empty = new Dictionary<string, string>();

    /// <summary>http(s) URL, file:// URL, or a local path (absolute or relative to the fetcher's base directory).
    /// go-getter query parameters <c>checksum</c> and <c>archive</c> are honoured and stripped.</summary>
    public required string Source { get; init; }

    /// <summary>Where the artifact lands, relative to the task directory. Must stay inside it.</summary>
    public string Destination { get; init; } = "local/";

    /// <summary><c>any</c> (default), <c>file</c> or <c>dir</c>, as Nomad's <c>mode</c>.</summary>
    public string Mode { get; init; } = "any";

    /// <summary>go-getter options: <c>checksum</c> ("type:hex" or "file:URL") and <c>archive</c> ("false" or a format).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = s_empty;

    /// <summary>Extra HTTP request headers (also used to fetch a <c>file:</c> checksum list).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = s_empty;
}
