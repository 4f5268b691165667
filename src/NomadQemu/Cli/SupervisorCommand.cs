using System.CommandLine;
using NomadQemu.Driver;
using NomadQemu.Driver.Supervision;
using NomadQemu.Plugin;

namespace NomadQemu.Cli;

/// <summary>
/// The hidden <c>__supervise RUNDIR</c> command: this same executable, re-run by the driver core as the
/// per-VM supervisor. Owns the command's name and the environment the supervisor starts with, and builds
/// the <see cref="DriverOptions"/> every front (plugin, run, validate, fingerprint) gives the core.
/// </summary>
internal static class SupervisorCommand
{
    private const string Name = "__supervise";

    public static DriverOptions DriverOptions() =>
        new()
        {
            SupervisorExecutable = Environment.ProcessPath ?? "nomad-driver-qemu",
            SupervisorArguments = [Name],
            SupervisorEnvironment = new Dictionary<string, string?>
            {
                // A supervisor is one per VM and lives as long as it: keep its GC heap small (64 MiB cap).
                ["DOTNET_GCHeapHardLimit"] = "0x4000000",
                // Without the cookie our binary never mistakes itself for a plugin launch.
                [Handshake.MagicCookieKey] = null,
            },
        };

    public static Command Create()
    {
        var runDir = new Argument<string>("run-dir");
        var command = new Command(Name, "Internal: supervise one VM (started by the driver).") { runDir };
        command.Hidden = true;
        command.SetAction(parsed => Supervisor.Run(parsed.GetValue(runDir)!));
        return command;
    }
}
