namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Result of <c>guest-info</c>: the agent's version and the commands it knows.</summary>
/// <param name="Version">The agent's version string, e.g. "7.2.22".</param>
/// <param name="SupportedCommands">Every command the agent knows, including disabled ones.</param>
public sealed record GuestAgentInfo(string Version, IReadOnlyList<GuestAgentCommandInfo> SupportedCommands)
{
    /// <summary>True when the agent knows <paramref name="command"/> and it is not disabled (blocked) in the guest.</summary>
    public bool IsEnabled(string command) => SupportedCommands.Any(c => c.Enabled && c.Name == command);

    /// <summary>
    /// True when <see cref="Version"/> starts with a "major.minor" at least the one given; false when it does not
    /// parse (an unknown agent is not assumed to be new).
    /// </summary>
    public bool IsAtLeast(int major, int minor) =>
        TryParseVersion(Version, out var actualMajor, out var actualMinor)
        && (actualMajor > major || (actualMajor == major && actualMinor >= minor));

    /// <summary>Reads the leading "major.minor" of a version string such as "7.2.22" or "8.1.0-rc1".</summary>
    internal static bool TryParseVersion(string version, out int major, out int minor)
    {
        major = 0;
        minor = 0;
        var parts = version.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], out major))
        {
            return false;
        }

        var digits = parts[1].AsSpan();
        var end = 0;
        while (end < digits.Length && char.IsAsciiDigit(digits[end]))
        {
            end++;
        }

        return end > 0 && int.TryParse(digits[..end], out minor);
    }
}
