using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary>
/// Checks a job's <c>args</c>. Every element whose trimmed form starts with <c>-</c> must be in the plugin's
/// <c>args_allowlist</c> (empty = allow all), as in the built-in driver (CVE-2021-43415). Some flags are refused
/// whatever the allowlist says, because they take the VM away from the driver.
/// </summary>
public static class ArgsGuard
{
    /// <summary>
    /// Never allowed: <c>-daemonize</c> (QEMU forks and the supervised process exits at once), <c>-pidfile</c>
    /// (the driver owns the pid), <c>-runas</c>, <c>-chroot</c> and <c>-run-with</c> (drop privileges or change root
    /// after start-up, so the driver's sockets and files stop working). Extra monitors (<c>-qmp</c>, <c>-monitor</c>,
    /// <c>-mon</c>) are left to the allowlist: QEMU serves several, and the driver's own QMP socket keeps working.
    /// </summary>
    public static IReadOnlyList<string> AlwaysRefused { get; } =
    ["-daemonize", "-pidfile", "-runas", "-chroot", "-run-with"];

    /// <summary>Trims and maps QEMU's equivalent <c>--flag</c> spelling to <c>-flag</c>.</summary>
    public static string NormalizeFlag(string arg)
    {
        var trimmed = arg.Trim();
        return trimmed.StartsWith("--", StringComparison.Ordinal) ? trimmed[1..] : trimmed;
    }

    /// <summary>True when the user's args already contain <paramref name="flag"/> (either spelling).</summary>
    public static bool Contains(IReadOnlyList<string> args, string flag) => args.Any(a => NormalizeFlag(a) == flag);

    /// <exception cref="ConfigException">A refused flag, or a flag outside a non-empty allowlist.</exception>
    public static void Check(IReadOnlyList<string> args, IReadOnlyList<string> allowlist)
    {
        HashSet<string> allowed = [.. allowlist.Select(NormalizeFlag)];
        foreach (var arg in args)
        {
            var flag = NormalizeFlag(arg);
            if (!flag.StartsWith('-'))
            {
                continue; // a value, e.g. "file=...": only flags are checked, as in the built-in driver
            }

            if (flag == "-sandbox")
            {
                // A second -sandbox would replace the driver's seccomp filter (e.g. with "off").
                throw ConfigException.ForKey(
                    TaskConfigSchema.Args,
                    $"\"{arg.Trim()}\" is never allowed: the driver sets QEMU's seccomp filter itself (plugin config \"{PluginConfigSchema.Sandbox}\")"
                );
            }

            if (AlwaysRefused.Contains(flag, StringComparer.Ordinal))
            {
                throw ConfigException.ForKey(
                    TaskConfigSchema.Args,
                    $"\"{arg.Trim()}\" is never allowed: it takes the VM out of the driver's supervision"
                );
            }

            if (allowed.Count > 0 && !allowed.Contains(flag))
            {
                throw ConfigException.ForKey(
                    TaskConfigSchema.Args,
                    $"\"{arg.Trim()}\" is not in the plugin's args_allowlist; allowed: {string.Join(", ", allowlist)}"
                );
            }
        }
    }
}
