using System.CommandLine;
using System.Net;
using NomadQemu.Artifacts;
using NomadQemu.Core.Config;
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
        var sizeLimit = new Option<string>("--decompression-size-limit")
        {
            Description =
                "Most bytes one artifact archive (or .gz file) may unpack to, as Nomad's decompression_size_limit: "
                + "100GB, 512MiB, ... (decimal units are powers of 1000, KiB/MiB/GiB of 1024); 0 = no limit.",
            DefaultValueFactory = _ => "100GB",
        };
        var countLimit = new Option<int>("--decompression-file-count-limit")
        {
            Description =
                "Most entries (files, directories, links) one artifact archive may hold, as Nomad's "
                + "decompression_file_count_limit; 0 = no limit.",
            DefaultValueFactory = _ => DecompressionLimits.DefaultFileCountLimit,
        };
        var command = new Command(
            "run",
            """
            Run a job's qemu tasks on this machine, without a Nomad cluster.
            Fetches artifacts (checksums verified, cached), starts every VM through the same driver as the plugin,
            prints forwarded URLs and streams the consoles. Artifacts are written only beneath the task dir (the kernel
            resolves every path, link and destination beneath it), archive links must resolve inside the destination,
            device files are refused, unpacking stops at the decompression limits, redirects stop after 10 hops and carry
            the job's headers to the first origin only, and cache hits are re-hashed (sha256) before use.
            The VMs start once every artifact is in place. Ctrl-C (or SIGTERM) powers the VMs off gracefully within
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
            sizeLimit,
            countLimit,
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
                if (!ByteSize.TryParse(parsed.GetValue(sizeLimit), out var sizeLimitBytes) || sizeLimitBytes < 0)
                {
                    throw new RunnerException(
                        RunnerExit.BadJob,
                        $"--decompression-size-limit \"{parsed.GetValue(sizeLimit)}\" is not a size (e.g. 100GB, 512MiB, 0 for no limit)"
                    );
                }
                if (parsed.GetValue(countLimit) < 0)
                {
                    throw new RunnerException(
                        RunnerExit.BadJob,
                        $"--decompression-file-count-limit {parsed.GetValue(countLimit)} is negative (0 means no limit)"
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
                    DecompressionLimits = new DecompressionLimits
                    {
                        SizeLimit = sizeLimitBytes,
                        FileCountLimit = parsed.GetValue(countLimit),
                    },
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
