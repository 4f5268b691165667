using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary>
/// The rule for <c>image_path</c>, <c>kernel</c>, <c>initrd</c> (and backing/data files named inside an image): the
/// file must lie beneath the alloc dir or one of the plugin's <c>image_paths</c>. A relative path is taken against
/// the TASK dir (QEMU's working directory in the built-in driver). This class is the lexical half: which root a
/// path names and what is left to resolve beneath it. The driver then resolves that remainder with openat2
/// RESOLVE_BENEATH from an open descriptor of the root, so symlinks and <c>..</c> can never leave it and nothing can
/// be swapped between the check and the use (the check IS the open).
/// </summary>
public static class ImagePathGuard
{
    /// <summary>A root the path lies in, and the part of the path to resolve beneath it.</summary>
    public sealed record Candidate(string Root, string Beneath);

    /// <summary>The allowed roots in order: the alloc dir, then the plugin's image_paths.</summary>
    public static IReadOnlyList<string> Roots(string allocDir, IReadOnlyList<string> imagePaths) =>
        [
            .. new[] { allocDir }
                .Concat(imagePaths.Where(p => !string.IsNullOrWhiteSpace(p)))
                .Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p))),
        ];

    /// <summary>
    /// Every allowed root that <paramref name="path"/> names lexically (no "..": folding it here would let a
    /// directory link climb out; the kernel resolves it beneath the root instead).
    /// </summary>
    /// <exception cref="ConfigException">Empty, or not under any allowed root.</exception>
    public static IReadOnlyList<Candidate> Candidates(
        string key,
        string path,
        string baseDir,
        IReadOnlyList<string> roots
    )
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw ConfigException.ForKey(key, "must not be empty");
        }
        var absolute = Path.IsPathRooted(path) ? path : Path.Join(Path.GetFullPath(baseDir), path);
        List<Candidate> found = [];
        foreach (var root in roots)
        {
            if (IsWithin(absolute, root))
            {
                var beneath = absolute.Length > root.TrimEnd('/').Length ? absolute[root.TrimEnd('/').Length..] : "";
                found.Add(new Candidate(root, beneath.TrimStart('/')));
            }
        }
        return found.Count > 0 ? found : throw Outside(key, path, roots, null);
    }

    /// <summary>The refusal for a path that is, or resolves, outside every allowed root.</summary>
    public static ConfigException Outside(string key, string path, IReadOnlyList<string> roots, string? detail) =>
        ConfigException.ForKey(
            key,
            $"\"{path}\" is outside the allowed directories: {string.Join(", ", roots)} (the alloc dir and the plugin's image_paths; symlinks and \"..\" may not leave them){(detail is null ? "" : $": {detail}")}"
        );

    /// <summary>
    /// Pure containment test on absolute paths: <c>/tmp/a.img</c> is within <c>/tmp</c>, <c>/tmpimage.img</c> is not.
    /// </summary>
    public static bool IsWithin(string path, string root)
    {
        var trimmedRoot = root.Length > 1 ? root.TrimEnd('/') : root;
        if (trimmedRoot == "/")
        {
            return path.StartsWith('/');
        }

        return path == trimmedRoot || path.StartsWith(trimmedRoot + "/", StringComparison.Ordinal);
    }
}
