using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary>
/// Keeps <c>image_path</c>, <c>kernel</c> and <c>initrd</c> inside the alloc dir or the plugin's <c>image_paths</c>.
/// A relative path is resolved against the TASK dir, because that is QEMU's working directory (the built-in driver
/// checked it against the alloc dir instead). Symlinks are resolved on both sides before comparing (the built-in
/// compared lexically, so a symlink in the alloc dir could point anywhere on the host).
/// </summary>
public static class ImagePathGuard
{
    /// <summary>Resolves <paramref name="path"/> and checks it lies inside an allowed root.</summary>
    /// <param name="key">The config key being checked, for the error message.</param>
    /// <param name="taskDir">Absolute task dir (QEMU's working directory).</param>
    /// <returns>The absolute, symlink-free path QEMU should be given.</returns>
    /// <exception cref="ConfigException">The resolved path is outside every allowed root.</exception>
    public static string Resolve(
        string key,
        string path,
        string taskDir,
        string allocDir,
        IReadOnlyList<string> imagePaths
    )
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw ConfigException.ForKey(key, "must not be empty");
        }

        // No lexical ".." folding first: "link/../x" must climb from the link's target, as the kernel does when
        // QEMU opens the path, or a directory link could smuggle the file out of the allowed roots.
        var resolved = SymlinkResolver.RealPath(
            Path.IsPathRooted(path) ? path : Path.Join(Path.GetFullPath(taskDir), path)
        );
        List<string> roots = [SymlinkResolver.RealPath(Path.GetFullPath(allocDir))];
        roots.AddRange(
            imagePaths
                .Where(p => !string.IsNullOrWhiteSpace(p))
                .Select(p => SymlinkResolver.RealPath(Path.GetFullPath(p)))
        );

        if (roots.Any(root => IsWithin(resolved, root)))
        {
            return resolved;
        }

        var shown = resolved == path ? $"\"{path}\"" : $"\"{path}\" (resolves to \"{resolved}\")";
        throw ConfigException.ForKey(
            key,
            $"{shown} is outside the allowed directories: {string.Join(", ", roots)} (the alloc dir and the plugin's image_paths)"
        );
    }

    /// <summary>
    /// Pure containment test on absolute, normalised paths: <c>/tmp/a.img</c> is within <c>/tmp</c>,
    /// <c>/tmpimage.img</c> is not.
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
