namespace NomadQemu.Driver.Node;

/// <summary>
/// Finds the <c>qemu-system-*</c> binaries on PATH. Unlike the built-in driver (which stops at the first
/// PATH directory with any match), every directory is searched and the first binary of each name wins,
/// the way a shell would resolve it.
/// </summary>
internal static class EmulatorDiscovery
{
    public const string Prefix = "qemu-system-";

    /// <summary>Arch name (e.g. <c>x86_64</c>) → absolute path, in PATH order, filtered by the allowlist when it is not empty.</summary>
    public static IReadOnlyDictionary<string, string> Find(string? pathVariable, IReadOnlyCollection<string> allowlist)
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var allowed = allowlist.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        foreach (var file in PathSearch.FindAll(pathVariable, Prefix))
        {
            var arch = Path.GetFileName(file)[Prefix.Length..];
            if (arch.Length > 0 && !found.ContainsKey(arch) && (allowed.Count == 0 || allowed.Contains(arch)))
            {
                found[arch] = file;
            }
        }
        return found;
    }

    /// <summary>Accepts both <c>aarch64</c> and <c>qemu-system-aarch64</c>, as jobs and allowlists may use either.</summary>
    public static string Normalize(string emulator) =>
        emulator.StartsWith(Prefix, StringComparison.Ordinal) ? emulator[Prefix.Length..] : emulator;
}
