using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary>
/// Turns <c>emulator</c> into an arch and checks it against the plugin's <c>emulators_allowlist</c>. Unlike the
/// built-in driver, the <c>qemu-system-</c> prefix is trimmed and the default applied BEFORE the allowlist check,
/// so an omitted emulator or the full binary name passes when its arch is allowed.
/// </summary>
public static class EmulatorGuard
{
    public const string BinaryPrefix = "qemu-system-";
    public const string DefaultArch = "x86_64";

    /// <summary><c>null</c>/<c>""</c> → <c>x86_64</c>; <c>qemu-system-aarch64</c> → <c>aarch64</c>.</summary>
    public static string Normalize(string? emulator)
    {
        var value = (emulator ?? "").Trim();
        if (value.StartsWith(BinaryPrefix, StringComparison.Ordinal))
        {
            value = value[BinaryPrefix.Length..];
        }

        return value.Length == 0 ? DefaultArch : value;
    }

    /// <summary>The binary looked up on PATH for an arch.</summary>
    public static string BinaryName(string arch) => BinaryPrefix + arch;

    /// <summary>Normalises, checks the name is a plain arch (no path), and checks the allowlist (empty = all).</summary>
    /// <returns>The arch, e.g. <c>aarch64</c>.</returns>
    /// <exception cref="ConfigException">Not a plain arch name, or not allowed.</exception>
    public static string Check(string? emulator, IReadOnlyList<string> allowlist)
    {
        var arch = Normalize(emulator);
        if (
            !char.IsAsciiLetterOrDigit(arch[0])
            || !arch.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
        )
        {
            throw ConfigException.ForKey(
                TaskConfigSchema.Emulator,
                $"\"{emulator}\" is not an emulator arch name such as x86_64 or aarch64"
            );
        }

        List<string> allowed = [.. allowlist.Select(Normalize).Distinct(StringComparer.Ordinal)];
        if (allowed.Count > 0 && !allowed.Contains(arch, StringComparer.Ordinal))
        {
            throw ConfigException.ForKey(
                TaskConfigSchema.Emulator,
                $"\"{arch}\" is not in the plugin's emulators_allowlist; allowed: {string.Join(", ", allowed)}"
            );
        }

        return arch;
    }
}
