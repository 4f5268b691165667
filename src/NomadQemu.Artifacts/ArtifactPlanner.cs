namespace NomadQemu.Artifacts;

/// <summary>
/// Turns an <see cref="ArtifactRequest"/> into an <see cref="ArtifactPlan"/>, applying go-getter's rules for
/// options and query parameters and Nomad's rules for destinations. Pure: touches no network or disk.
/// </summary>
internal static class ArtifactPlanner
{
    private const string ChecksumOption = "checksum";
    private const string ArchiveOption = "archive";

    public static ArtifactPlan Plan(ArtifactRequest request, string taskDirectory, string? localBaseDirectory)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(taskDirectory);
        var taskRoot = Path.GetFullPath(taskDirectory);
        var baseDir = localBaseDirectory is null ? taskRoot : Path.GetFullPath(localBaseDirectory);
        var display = SourceLocation.Redact(request.Source ?? string.Empty);

        var source = SourceLocation.Parse(request.Source ?? string.Empty, baseDir, "source", display);
        display = source.Display;
        var options = MergeOptions(request.Options, source, display);
        source = AppendPassThroughOptions(source, options, display);

        var mode = ParseMode(request.Mode, display);
        var archive = ParseArchive(options.GetValueOrDefault(ArchiveOption), source.FileName, display);
        ValidateModeAgainstArchive(mode, archive, source, display);

        ArtifactChecksum? fixedChecksum = null;
        SourceLocation? checksumList = null;
        if (options.TryGetValue(ChecksumOption, out var checksum) && checksum.Trim().Length > 0)
        {
            if (checksum.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                checksumList = SourceLocation.Parse(checksum[5..], baseDir, ChecksumOption, display);
            }
            else
            {
                fixedChecksum = ArtifactChecksum.Parse(checksum, display);
            }
        }

        var destination = ResolveDestination(request.Destination, mode, taskRoot, display);
        return new ArtifactPlan(
            source,
            mode,
            archive,
            fixedChecksum,
            checksumList,
            destination,
            request.Headers ?? new Dictionary<string, string>()
        )
        {
            TaskRoot = taskRoot,
        };
    }

    /// <summary>
    /// Nomad's destination is relative to the task directory; an absolute path is accepted only when it
    /// already lies inside. Anything that resolves outside (via "..", or absolutely) is refused.
    /// </summary>
    internal static string ResolveDestination(string? destination, ArtifactMode mode, string taskRoot, string display)
    {
        var relative = string.IsNullOrWhiteSpace(destination) ? "local/" : destination;
        var full = Path.GetFullPath(Path.Combine(taskRoot, relative));
        if (!PathContainment.IsInside(taskRoot, full))
        {
            throw new ArtifactConfigException(
                display,
                "destination",
                $"\"{relative}\" resolves to {full}, outside the task directory {taskRoot}"
            );
        }

        if (mode == ArtifactMode.File && (Path.EndsInDirectorySeparator(relative) || full == taskRoot))
        {
            throw new ArtifactConfigException(
                display,
                "destination",
                $"mode \"file\" needs a file path, but \"{relative}\" names a directory"
            );
        }

        return full;
    }

    private static IReadOnlyDictionary<string, string> MergeOptions(
        IReadOnlyDictionary<string, string>? requestOptions,
        SourceLocation source,
        string display
    )
    {
        var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((var key, var value) in source.GetterParameters)
        {
            merged[key] = value;
        }

        foreach ((var key, var value) in requestOptions ?? new Dictionary<string, string>())
        {
            // Both places set the same option to different values: refuse rather than guess which one wins.
            if (
                merged.TryGetValue(key, out var fromQuery) && !string.Equals(fromQuery, value, StringComparison.Ordinal)
            )
            {
                throw new ArtifactConfigException(
                    display,
                    key,
                    $"set to \"{value}\" in options but \"{fromQuery}\" in the source query string"
                );
            }

            merged[key] = value;
        }

        return merged;
    }

    /// <summary>go-getter turns unknown options into URL query parameters for HTTP; a local file has no use for them.</summary>
    private static SourceLocation AppendPassThroughOptions(
        SourceLocation source,
        IReadOnlyDictionary<string, string> options,
        string display
    )
    {
        List<KeyValuePair<string, string>> extra = [.. options.Where(o => !IsGetterOption(o.Key))];
        if (extra.Count == 0)
        {
            return source;
        }

        if (!source.IsHttp)
        {
            throw new ArtifactConfigException(
                display,
                extra[0].Key,
                "unknown option (local sources accept only checksum and archive)"
            );
        }

        var builder = new UriBuilder(source.HttpUri!);
        var added = string.Join(
            '&',
            extra.Select(o => $"{Uri.EscapeDataString(o.Key)}={Uri.EscapeDataString(o.Value)}")
        );
        var existing = builder.Query.TrimStart('?');
        builder.Query = existing.Length == 0 ? added : $"{existing}&{added}";
        return source with { HttpUri = builder.Uri };
    }

    private static bool IsGetterOption(string key) =>
        key.Equals(ChecksumOption, StringComparison.OrdinalIgnoreCase)
        || key.Equals(ArchiveOption, StringComparison.OrdinalIgnoreCase);

    private static ArtifactMode ParseMode(string? mode, string display) =>
        (mode ?? "any").Trim().ToLowerInvariant() switch
        {
            "" or "any" => ArtifactMode.Any,
            "file" => ArtifactMode.File,
            "dir" => ArtifactMode.Dir,
            _ => throw new ArtifactConfigException(display, "mode", $"\"{mode}\" is not one of any, file, dir"),
        };

    /// <summary>
    /// go-getter's <c>archive</c> parameter: "false" keeps the file packed, a format name forces that
    /// format, and absent/"true" detects the format from the file extension.
    /// </summary>
    private static ArchiveKind ParseArchive(string? option, string fileName, string display)
    {
        var value = (option ?? string.Empty).Trim().ToLowerInvariant();
        return value switch
        {
            "false" => ArchiveKind.None,
            "" or "true" => DetectArchive(fileName),
            "tar" => ArchiveKind.Tar,
            "tar.gz" or "tgz" => ArchiveKind.TarGz,
            "zip" => ArchiveKind.Zip,
            "gz" => ArchiveKind.Gzip,
            _ => throw new ArtifactConfigException(
                display,
                "archive",
                $"\"{option}\" is not supported (use false, tar, tar.gz, tgz, zip or gz)"
            ),
        };
    }

    internal static ArchiveKind DetectArchive(string fileName)
    {
        var name = fileName.ToLowerInvariant();
        if (name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal))
        {
            return ArchiveKind.TarGz;
        }

        if (name.EndsWith(".tar", StringComparison.Ordinal))
        {
            return ArchiveKind.Tar;
        }

        if (name.EndsWith(".zip", StringComparison.Ordinal))
        {
            return ArchiveKind.Zip;
        }

        return name.EndsWith(".gz", StringComparison.Ordinal) ? ArchiveKind.Gzip : ArchiveKind.None;
    }

    private static void ValidateModeAgainstArchive(
        ArtifactMode mode,
        ArchiveKind archive,
        SourceLocation source,
        string display
    )
    {
        var multiFileArchive = archive is ArchiveKind.Tar or ArchiveKind.TarGz or ArchiveKind.Zip;
        if (mode == ArtifactMode.Dir && !multiFileArchive)
        {
            throw new ArtifactConfigException(
                display,
                "mode",
                "\"dir\" needs an archive source (.tar, .tar.gz, .tgz, .zip) that is unpacked"
            );
        }

        if (mode == ArtifactMode.File && multiFileArchive)
        {
            throw new ArtifactConfigException(
                display,
                "mode",
                "\"file\" cannot hold an unpacked archive; use mode \"dir\"/\"any\", or archive = \"false\" to keep it packed"
            );
        }

        // A plain or gunzipped file in "any" mode is named after the URL; a URL ending in "/" gives no name.
        if (mode == ArtifactMode.Any && archive is ArchiveKind.None or ArchiveKind.Gzip && source.FileName.Length == 0)
        {
            throw new ArtifactConfigException(
                display,
                "source",
                "has no file name to save under; use mode \"file\" with a destination file path"
            );
        }
    }
}
