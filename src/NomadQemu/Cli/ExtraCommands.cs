using System.CommandLine;

namespace NomadQemu.Cli;

/// <summary>Commands added as the runner grows (run, validate, fingerprint).</summary>
internal static class ExtraCommands
{
    public static IEnumerable<Command> Create() => [];
}
