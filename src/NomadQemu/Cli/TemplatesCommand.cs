using System.CommandLine;
using System.Globalization;
using NomadQemu.Driver.WarmStart;
using NomadQemu.Runner;

namespace NomadQemu.Cli;

/// <summary>
/// `templates list|drop`: the warm-start template cache of the plugin (its state dir) or of `run` (its data dir).
/// </summary>
internal static class TemplatesCommand
{
    public static Command Create()
    {
        var command = new Command(
            "templates",
            "List or drop warm-start templates (memory snapshots of VMs, see the README's \"Warm starts\")."
        );
        command.Subcommands.Add(List());
        command.Subcommands.Add(Drop());
        return command;
    }

    private static Option<string?> StateDirOption() =>
        new("--state-dir")
        {
            Description =
                "The plugin's state_dir (default: the plugin's own default, /var/lib/nomad-driver-qemu as root). Ignored with --data-dir.",
        };

    private static Option<string?> RunDataDirOption() =>
        new("--data-dir") { Description = "Use the cache of `run` with this data dir instead of the plugin's." };

    private static string StateDir(ParseResult parsed, Option<string?> stateDir, Option<string?> dataDir) =>
        parsed.GetValue(dataDir) is { } data
            ? new RunnerDataDir(data).State
            : parsed.GetValue(stateDir) ?? TemplateCache.PluginDefaultStateDir();

    private static Command List()
    {
        var stateDir = StateDirOption();
        var dataDir = RunDataDirOption();
        var command = new Command("list", "List stored templates, most recently used first.") { stateDir, dataDir };
        command.SetAction(parsed =>
            CommandRunner.Execute(() =>
            {
                var templates = TemplateCache.List(StateDir(parsed, stateDir, dataDir));
                if (templates.Count == 0)
                {
                    Console.WriteLine("no templates");
                    return Task.FromResult(RunnerExit.Ok);
                }
                Console.WriteLine("KEY           MEMORY  STORED    BUILT                 LAST USED");
                foreach (var t in templates)
                {
                    Console.WriteLine(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{t.Key[..12]}  {t.MemoryMb, 4} MiB  {t.StoredBytes / (1024.0 * 1024), 5:0.0} MiB  {t.Created:yyyy-MM-dd HH:mm:ss}Z  {t.LastUsed:yyyy-MM-dd HH:mm:ss}Z"
                        )
                    );
                }
                return Task.FromResult(RunnerExit.Ok);
            })
        );
        return command;
    }

    private static Command Drop()
    {
        var stateDir = StateDirOption();
        var dataDir = RunDataDirOption();
        var keys = new Argument<string[]>("key")
        {
            Description = "Template keys, or unique starts of them (the 12 characters events and `list` show).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var all = new Option<bool>("--all") { Description = "Drop every template." };
        var command = new Command(
            "drop",
            "Drop templates: the next start of their VM boots cold and builds a new one. Running clones are not affected."
        )
        {
            keys,
            all,
            stateDir,
            dataDir,
        };
        command.SetAction(parsed =>
            CommandRunner.Execute(() =>
            {
                var names = parsed.GetValue(keys) ?? [];
                var everything = parsed.GetValue(all);
                if ((names.Length == 0) != everything)
                {
                    throw new RunnerException(
                        RunnerExit.BadJob,
                        "name the templates to drop, or give --all (not both)"
                    );
                }
                IReadOnlyList<string> dropped;
                try
                {
                    dropped = TemplateCache.Drop(StateDir(parsed, stateDir, dataDir), names, everything);
                }
                catch (ArgumentException e)
                {
                    throw new RunnerException(RunnerExit.BadJob, e.Message);
                }
                foreach (var key in dropped)
                {
                    Console.WriteLine($"dropped {key}");
                }
                return Task.FromResult(RunnerExit.Ok);
            })
        );
        return command;
    }
}
