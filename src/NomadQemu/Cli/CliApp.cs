using System.CommandLine;

namespace NomadQemu.Cli;

/// <summary>The human-facing commands of the same executable.</summary>
internal static class CliApp
{
    public const string NotAPluginMessage = """
        This binary is a Nomad task-driver plugin (QEMU/KVM) and a standalone VM job runner.

        As a Nomad plugin, it is not meant to be executed directly. Install it instead:
          1. copy it into the Nomad client's plugin_dir (e.g. /opt/nomad/plugins/qemu);
          2. reference it in the agent configuration (Nomad 1.10+ loads only configured plugins):
               plugin "qemu" {
                 config {
                   image_paths = ["/var/lib/vm-images"]
                 }
               }
          3. restart the Nomad agent; jobs then use driver = "qemu".

        On one machine without a cluster, run a job file directly:
          nomad-driver-qemu run JOBFILE

        Commands: run, validate, fingerprint, templates, version. Use --help for details.
        """;

    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("QEMU/KVM task driver for Nomad, and a standalone runner for VM job files.");
        root.SetAction(_ =>
        {
            Console.Error.WriteLine(NotAPluginMessage);
            return 1;
        });

        var version = new Command("version", "Print the driver version.");
        version.SetAction(_ =>
        {
            Console.WriteLine($"nomad-driver-qemu {BuildInfo.Version}");
            return 0;
        });
        root.Subcommands.Add(version);

        root.Subcommands.Add(SupervisorCommand.Create());

        foreach (var command in ExtraCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        return root.Parse(args).InvokeAsync();
    }
}
