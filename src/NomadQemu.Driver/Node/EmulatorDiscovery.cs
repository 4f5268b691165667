namespace NomadQemu.Driver.Node;

/// <summary>
/// Finds the <c>qemu-system-*</c> binaries on PATH. Unlike the built-in driver (which stops at the first
/// PATH directory with any match), every directory is searched and the first binary of each name wins,
/// the way a shell would resolve it.
/// </summary>
public static class EmulatorDiscovery
{
    public const string Prefix = "qemu-system-";

    /// <summary>Arch name (e.g. <c>x86_64</c>) → absolute path, in PATH order, filtered by the allowlist when it is not empty.</summary>
    public static IReadOnlyDictionary<string, string> Find(string? pathVariable, IReadOnlyCollection<string> allowlist)
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var allowed = allowlist.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        foreach (var dir in (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] candidates;
            try
            {
                candidates = Directory.GetFiles(dir, Prefix + "*");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                continue;
            }
            foreach (var file in candidates)
            {
                var arch = Path.GetFileName(file)[Prefix.Length..];
                if (arch.Length == 0 || found.ContainsKey(arch) || !IsExecutable(file))
                {
                    continue;
                }
                if (allowed.Count > 0 && !allowed.Contains(arch))
                {
                    continue;
                }
                found[arch] = file;
            }
        }
        return found;
    }

    /// <summary>Accepts both <c>aarch64</c> and <c>qemu-system-aarch64</c>, as jobs and allowlists may use either.</summary>
    public static string Normalize(string emulator) =>
        emulator.StartsWith(Prefix, StringComparison.Ordinal) ? emulator[Prefix.Length..] : emulator;

    private static bool IsExecutable(string file)
    {
        try
        {
            var mode = File.GetUnixFileMode(file);
            return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
