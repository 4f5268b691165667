using System.Reflection;

namespace NomadQemu.Cli;

internal static class BuildInfo
{
    /// <summary>The semantic version reported to Nomad; must be ≥ 0.1.0 (not a pre-release) to replace the built-in qemu driver.</summary>
    public static string Version { get; } =
        typeof(BuildInfo)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
