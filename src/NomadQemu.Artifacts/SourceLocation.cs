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
        var trimmed = raw.Trim();
        if (trimmed.Length == 0)
        {
            throw new ArtifactConfigException(artifactDisplay, optionName, "source is empty");
        }

        // go-getter's forced-getter syntax ("git::https://…", "s3::…") names a getter we do not implement.
        var forced = trimmed.IndexOf("::", StringComparison.Ordinal);
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (forced > 0 && (schemeEnd < 0 || forced < schemeEnd))
        {
            throw new ArtifactConfigException(
                artifactDisplay,
                optionName,
                $"unsupported getter \"{trimmed[..forced]}::\" (supported: http, https, file, local paths)"
            );
        }

        (var withoutQuery, var query) = SplitQuery(trimmed);
        (var keptQuery, var getterParams) = ExtractGetterParameters(query);

        if (schemeEnd < 0)
        {
            var path = Path.GetFullPath(Path.Combine(localBaseDirectory, withoutQuery));
            return new SourceLocation(null, path, Path.GetFileName(path), path) { GetterParameters = getterParams };
        }

        var scheme = trimmed[..schemeEnd].ToLowerInvariant();
        var rebuilt = keptQuery.Length == 0 ? withoutQuery : $"{withoutQuery}?{keptQuery}";
        if (!Uri.TryCreate(rebuilt, UriKind.Absolute, out var uri))
        {
            throw new ArtifactConfigException(artifactDisplay, optionName, $"\"{Redact(trimmed)}\" is not a valid URL");
        }

        switch (scheme)
        {
            case "http" or "https":
                var name = Uri.UnescapeDataString(uri.AbsolutePath[(uri.AbsolutePath.LastIndexOf('/') + 1)..]);
                return new SourceLocation(uri, null, name, Redact(trimmed)) { GetterParameters = getterParams };
            case "file":
                var local = uri.LocalPath;
                return new SourceLocation(null, local, Path.GetFileName(local), local)
                {
                    GetterParameters = getterParams,
                };
            default:
                throw new ArtifactConfigException(
                    artifactDisplay,
                    optionName,
                    $"unsupported scheme \"{scheme}\" (supported: http, https, file, local paths)"
                );
        }
    }

    /// <summary>Hides "user:password@" so credentials never reach logs or exception messages.</summary>
    public static string Redact(string source)
    {
        var schemeEnd = source.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return source;
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = source.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = authorityEnd < 0 ? source[authorityStart..] : source[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return source;
        }

        var rest = authorityEnd < 0 ? string.Empty : source[authorityEnd..];
        return $"{source[..authorityStart]}redacted@{authority[(at + 1)..]}{rest}";
    }

    private static (string Path, string? Query) SplitQuery(string value)
    {
        var question = value.IndexOf('?', StringComparison.Ordinal);
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
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
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
