using NomadQemu.Artifacts;
using NomadQemu.Cli;
using NomadQemu.Core.Config;
using NomadQemu.Driver;
using NomadQemu.Driver.Node;

namespace NomadQemu.Runner;

/// <summary>
/// `run`: one job on this machine through the same driver core the plugin uses. Phases, each of which can
/// end the run with a one-line reason: load the job, fingerprint, plan (ports, env, encoded configs), lay
/// out alloc dirs, fetch artifacts, start every task, then supervise (<see cref="RunningJob"/>).
/// </summary>
internal sealed class JobRunner(RunOptions options, ConsoleSink console, RunSignals signals)
{
    public async Task<int> RunAsync()
    {
        var job = JobLoading.Load(options.JobFile, options.Vars);
        JobPlanner.CheckDrivers(job);
        var data = new RunnerDataDir(options.DataDir);
        data.Create();

        using var loggers = new RunnerLoggerProvider(options.Verbose ? LogLevel.Information : LogLevel.Warning);
        await using var driver = new QemuDriver(SupervisorCommand.DriverOptions(), loggers);
        driver.SetConfig(new PluginConfig { StateDir = data.State, KvmProbe = !options.NoKvm }, compute: null);

        // VMs of an earlier `run` on this data dir that was killed (SIGKILL, OOM, a crash) are stopped, not
        // adopted: their console and port forwards belonged to that run's terminal, and nobody waits on them.
        foreach (var runDir in driver.StopAbandonedTasks())
        {
            console.Line($"stopped a VM left running by an earlier run that was killed: {runDir}");
            RemoveAbandonedAlloc(data, runDir);
        }
        var fingerprint = await driver.FingerprintAsync(signals.Stop);
        console.Line($"qemu: {fingerprint.Description}");
        if (fingerprint.Health != DriverHealth.Healthy)
        {
            throw new RunnerException(RunnerExit.NodeUnhealthy, $"QEMU is not usable here: {fingerprint.Description}");
        }

        var allocs = new JobPlanner(options.JobFile, data.Allocs, new PortAllocator(options.BindAddress)).Plan(job);
        using var running = new RunningJob(driver, console, signals, options.JobFile);
        var succeeded = false;
        try
        {
            foreach (var alloc in allocs)
            {
                alloc.Directory.Create(alloc.Tasks.Select(t => t.Spec.Name));
                console.Line(
                    $"alloc {alloc.Directory.AllocId[..8]} (group \"{alloc.Group.Name}\"): {alloc.Directory.Path}"
                );
            }
            await FetchArtifactsAsync(data, allocs);
            if (signals.Stop.IsCancellationRequested)
            {
                console.Line("interrupted before any VM started");
                succeeded = true;
                return RunnerExit.Ok;
            }
            foreach (var alloc in allocs)
            {
                foreach (var task in alloc.Tasks)
                {
                    await running.StartAsync(alloc, task);
                    if (signals.Stop.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }
            var exitCode = await running.SuperviseAsync();
            succeeded = exitCode == RunnerExit.Ok;
            return exitCode;
        }
        catch (OperationCanceledException) when (signals.Stop.IsCancellationRequested)
        {
            console.Line("interrupted");
            succeeded = true;
            return RunnerExit.Ok;
        }
        finally
        {
            await running.TearDownAsync();
            CleanUp(allocs, keep: options.KeepAllocs || (!succeeded && running.StartFailed));
        }
    }

    /// <summary>The killed run's alloc dir (DATA/alloc/ID/TASK/.qemu → DATA/alloc/ID) goes with its VM.</summary>
    private void RemoveAbandonedAlloc(RunnerDataDir data, string runDir)
    {
        var allocDir = Path.GetDirectoryName(Path.GetDirectoryName(runDir));
        if (allocDir is null || Path.GetDirectoryName(allocDir) != data.Allocs || !Directory.Exists(allocDir))
        {
            return;
        }
        try
        {
            Directory.Delete(allocDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Line($"warning: could not remove {allocDir}: {e.Message}");
        }
    }

    private async Task FetchArtifactsAsync(RunnerDataDir data, IReadOnlyList<PlannedAlloc> allocs)
    {
        var work = allocs.SelectMany(a => a.Tasks.Select(t => (t, a.Directory.TaskDir(t.Spec.Name)))).ToList();
        if (!work.Any(w => w.t.Artifacts.Count > 0))
        {
            return;
        }
        var jobDirectory = Path.GetDirectoryName(Path.GetFullPath(options.JobFile))!;
        using var fetcher = new ArtifactFetcher(
            new ArtifactCache(data.Cache),
            new ArtifactFetcherOptions
            {
                LocalBaseDirectory = jobDirectory,
                DecompressionLimits = options.DecompressionLimits,
            }
        );
        await new ArtifactStage(fetcher, console).FetchAllAsync(work, signals.Stop);
    }

    private void CleanUp(IReadOnlyList<PlannedAlloc> allocs, bool keep)
    {
        foreach (var alloc in allocs)
        {
            if (keep)
            {
                if (Directory.Exists(alloc.Directory.Path))
                {
                    console.Line($"alloc dir kept: {alloc.Directory.Path}");
                }
                continue;
            }
            if (alloc.Directory.TryDelete() is { } problem)
            {
                console.Line($"warning: could not remove {alloc.Directory.Path}: {problem}");
            }
        }
    }
}
