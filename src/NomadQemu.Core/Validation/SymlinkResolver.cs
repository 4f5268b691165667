using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary>
/// realpath(3) for paths that may not fully exist: every existing symlink along the path is followed (including
/// directory links in the middle and <c>..</c> after a link, as the kernel would), the missing tail is kept as is.
/// </summary>
internal static class SymlinkResolver
{
    // Linux's MAXSYMLINKS: beyond this the kernel reports ELOOP.
    private const int MaxLinkHops = 40;

    public static string RealPath(string absolutePath)
    {
        Stack<string> pending = new(absolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = "/";
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var candidate = Path.Join(current, part);
            var target = ReadLink(candidate);
            if (target is null)
            {
                current = candidate;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new ConfigException(null, $"too many levels of symbolic links resolving \"{absolutePath}\"");
            }

            if (target.StartsWith('/'))
            {
                current = "/";
            }

            foreach (var targetPart in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(targetPart);
            }
        }

        return current;
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // missing or unreadable: nothing to follow, keep the name
        }
    }
}
