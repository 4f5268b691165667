using System.CommandLine;

namespace NomadQemu.Cli;

/// <summary>The standalone runner's commands: run, validate, fingerprint, templates, and the demo's hidden serve-dir.</summary>
internal static class ExtraCommands
{
    public static IEnumerable<Command> Create() =>
        [
            RunCommand.Create(),
            ValidateCommand.Create(),
            FingerprintCommand.Create(),
            TemplatesCommand.Create(),
            ServeDirCommand.Create(),
        ];
}
