using System.CommandLine;
using NomadQemu.Core.Config;
using NomadQemu.Driver;
using NomadQemu.Driver.Node;
using NomadQemu.Runner;

namespace NomadQemu.Cli;

/// <summary>`fingerprint`: what the plugin would report to Nomad about this machine (default plugin config).</summary>
internal static class FingerprintCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON: {\"health\", \"description\", \"attributes\"}.",
        };
        var dataDir = RunCommand.DataDirOption();
        var command = new Command(
            "fingerprint",
            "Show what the plugin would report to Nomad: health, description and node attributes (QEMU version, emulators, KVM). Exit 0 when healthy, 5 otherwise."
        )
        {
            json,
            dataDir,
        };
        command.SetAction(parsed =>
            CommandRunner.Execute(async () =>
            {
                var data = new RunnerDataDir(parsed.GetValue(dataDir)!);
                data.Create();
                using var loggers = new RunnerLoggerProvider(LogLevel.Warning);
                await using var driver = new QemuDriver(SupervisorCommand.DriverOptions(), loggers);
                driver.SetConfig(new PluginConfig { StateDir = data.State }, compute: null);
                var fingerprint = await driver.FingerprintAsync(CancellationToken.None);
                if (parsed.GetValue(json))
                {
                    Console.WriteLine(FingerprintReport.From(fingerprint).ToJson());
                }
                else
                {
                    Console.WriteLine($"health:      {fingerprint.Health.ToString().ToLowerInvariant()}");
                    Console.WriteLine($"description: {fingerprint.Description}");
                    Console.WriteLine("attributes:");
                    foreach (var (key, value) in fingerprint.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
                    {
                        Console.WriteLine($"  {key} = {value}");
                    }
                }
                return fingerprint.Health == DriverHealth.Healthy ? RunnerExit.Ok : RunnerExit.NodeUnhealthy;
            })
        );
        return command;
    }
}
