namespace NomadQemu.Artifacts;

/// <summary>
/// Where bytes come from: an http(s) URL or a local file. Built from the raw go-getter source string, with
/// go-getter's own query parameters (<c>checksum</c>, <c>archive</c>) taken out so they never reach the server.
/// </summary>
internal sealed record SourceLocation(Uri? HttpUri, string? LocalPath, string FileName, string Display)
{
    /// <summary>Query parameters go-getter consumes itself, lower-case keys.</summary>
    public IReadOnlyDictionary<string, string> GetterParameters { get; init; } = new Dictionary<string, string>();

    public bool IsHttp => HttpUri is not null;

    public static SourceLocation Parse(string raw, string localBaseDirectory, string optionName, string artifactDisplay)
    {
        string trimmed = raw.Trim();
        if (trimmed.Length == 0)
        {
            throw new ArtifactConfigException(artifactDisplay, optionName, "source is empty");
        }

        // go-getter's forced-getter syntax ("git::https://…", "s3::…") names a getter we do not implement.
        int forced = trimmed.IndexOf("::", StringComparison.Ordinal);
        int schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (forced > 0 && (schemeEnd < 0 || forced < schemeEnd))
        {
            throw new ArtifactConfigException(artifactDisplay, optionName,
                $"unsupported getter \"{trimmed[..forced]}::\" (supported: http, https, file, local paths)");
        }

        (string withoutQuery, string? query) = SplitQuery(trimmed);
        (string keptQuery, Dictionary<string, string> getterParams) = ExtractGetterParameters(query);

        if (schemeEnd < 0)
        {
            string path = Path.GetFullPath(Path.Combine(localBaseDirectory, withoutQuery));
            return new SourceLocation(null, path, Path.GetFileName(path), path) { GetterParameters = getterParams };
        }

        string scheme = trimmed[..schemeEnd].ToLowerInvariant();
        string rebuilt = keptQuery.Length == 0 ? withoutQuery : $"{withoutQuery}?{keptQuery}";
        if (!Uri.TryCreate(rebuilt, UriKind.Absolute, out Uri? uri))
        {
            throw new ArtifactConfigException(artifactDisplay, optionName, $"\"{Redact(trimmed)}\" is not a valid URL");
        }

        switch (scheme)
        {
            case "http" or "https":
                string name = Uri.UnescapeDataString(uri.AbsolutePath[(uri.AbsolutePath.LastIndexOf('/') + 1)..]);
                return new SourceLocation(uri, null, name, Redact(trimmed)) { GetterParameters = getterParams };
            case "file":
                string local = uri.LocalPath;
                return new SourceLocation(null, local, Path.GetFileName(local), local) { GetterParameters = getterParams };
            default:
                throw new ArtifactConfigException(artifactDisplay, optionName,
                    $"unsupported scheme \"{scheme}\" (supported: http, https, file, local paths)");
        }
    }

    /// <summary>Hides "user:password@" so credentials never reach logs or exception messages.</summary>
    public static string Redact(string source)
    {
        int schemeEnd = source.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return source;
        }

        int authorityStart = schemeEnd + 3;
        int authorityEnd = source.IndexOfAny(['/', '?', '#'], authorityStart);
        string authority = authorityEnd < 0 ? source[authorityStart..] : source[authorityStart..authorityEnd];
        int at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return source;
        }

        string rest = authorityEnd < 0 ? string.Empty : source[authorityEnd..];
        return $"{source[..authorityStart]}redacted@{authority[(at + 1)..]}{rest}";
    }

    private static (string Path, string? Query) SplitQuery(string value)
    {
        int question = value.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (value, null) : (value[..question], value[(question + 1)..]);
    }

    private static (string Kept, Dictionary<string, string> GetterParams) ExtractGetterParameters(string? query)
    {
        var getterParams = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(query))
        {
            return (string.Empty, getterParams);
        }

        var kept = new List<string>();
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            if (key is "checksum" or "archive")
            {
                getterParams[key] = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
            else
            {
                // Everything else belongs to the server (signed URLs, tokens): pass it through byte for byte.
                kept.Add(pair);
            }
        }

        return (string.Join('&', kept), getterParams);
    }
}
