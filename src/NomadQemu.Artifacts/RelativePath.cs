namespace NomadQemu.Artifacts;

/// <summary>
/// Lexical clean-up of archive entry names and destinations before they reach the kernel: '\' becomes '/',
/// leading '/' and "." parts go, ".." pops a part. This only makes names canonical and errors readable;
/// the containment itself is the kernel's (<see cref="BeneathDirectory"/>).
/// </summary>
internal static class RelativePath
{
    /// <returns>"a/b/c", "" for the directory itself, or null when ".." climbs above the start.</returns>
    public static string? Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    public static string[] Split(string relative) => relative.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>"a/b/c" → "a/b"; "c" → "".</summary>
    public static string Parent(string relative)
    {
        var slash = relative.LastIndexOf('/');
        return slash < 0 ? string.Empty : relative[..slash];
    }

    public static string Leaf(string relative) => relative[(relative.LastIndexOf('/') + 1)..];

    public static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}/{name}";
}
