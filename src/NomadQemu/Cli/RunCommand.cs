using System.CommandLine;
using System.Net;
using NomadQemu.Runner;

namespace NomadQemu.Cli;

/// <summary>`run JOBFILE`: runs a job's qemu tasks on this machine until Ctrl-C or until a VM exits.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var jobFile = new Argument<string>("JOBFILE")
        {
            Description = "A Nomad job file (HCL2 or Nomad's JSON job format).",
        };
        var vars = new Option<string[]>("--var")
        {
            Description = "Set an HCL variable: --var name=value (repeatable; NOMAD_VAR_name also works).",
        };
        var dataDir = DataDirOption();
        var bind = new Option<string>("--bind")
        {
            Description = "Host address forwarded ports listen on.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var keep = new Option<bool>("--keep-allocs")
        {
            Description =
                "Keep alloc dirs (console logs, disk overlays) after the run; they are kept anyway when a VM fails to start.",
        };
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Show the driver's informational log on stderr.",
        };
        var noKvm = new Option<bool>("--no-kvm")
        {
            Description =
                "Do not probe or use KVM (the plugin's kvm_probe = false): accelerator \"auto\" then means TCG.",
        };
        var command = new Command(
            "run",
            """
            Run a job's qemu tasks on this machine, without a Nomad cluster.
            Fetches artifacts (checksums verified, cached), starts every VM through the same driver as the plugin,
            prints forwarded URLs and streams the consoles. Ctrl-C (or SIGTERM) powers the VMs off gracefully within
            each task's kill_timeout; press it again to kill them. Exit codes: 0 graceful end, 2 bad job or config,
            3 artifact failure, 4 VM failed to start, 5 QEMU unusable, else the VM's own exit code when it ends by itself.
            VMs left running by an earlier run on the same --data-dir that was killed (SIGKILL, a crash) are stopped
            at start, not adopted: nothing of theirs (console, forwarded ports) is attached any more. SIGINT works
            even when the shell started this as a background job with SIGINT ignored.
            """
        )
        {
            jobFile,
            vars,
            dataDir,
            bind,
            keep,
            verbose,
            noKvm,
        };
        command.SetAction(parsed =>
            CommandRunner.Execute(async () =>
            {
                if (!IPAddress.TryParse(parsed.GetValue(bind), out var address))
                {
                    throw new RunnerException(
                        RunnerExit.BadJob,
                        $"--bind \"{parsed.GetValue(bind)}\" is not an IP address"
                    );
                }
                var options = new RunOptions
                {
                    JobFile = parsed.GetValue(jobFile)!,
                    Vars = JobLoading.ParseVars(parsed.GetValue(vars) ?? []),
                    DataDir = parsed.GetValue(dataDir)!,
                    BindAddress = address,
                    KeepAllocs = parsed.GetValue(keep),
                    Verbose = parsed.GetValue(verbose),
                    NoKvm = parsed.GetValue(noKvm),
                };
                var console = ConsoleSink.Stdout;
                using var signals = new RunSignals(console.Line);
                return await new JobRunner(options, console, signals).RunAsync();
            })
        );
        return command;
    }

    public static Option<string> DataDirOption() =>
        new("--data-dir")
        {
            Description = "Where alloc dirs, the artifact cache and driver state live.",
            DefaultValueFactory = _ => RunnerDataDir.DefaultRoot(),
        };
}
