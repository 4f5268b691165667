using NomadQemu.Cli;
using NomadQemu.Core.Config;
using NomadQemu.Driver;

namespace NomadQemu.Runner;

/// <summary>
/// `validate`: everything `run` checks before it starts a VM, with no side effects outside a scratch dir.
/// Each qemu task's config is encoded exactly as for a run and planned by the driver (schema, allowlists,
/// emulator, accelerator, ports, image guards). Images that an artifact will provide do not exist yet, so
/// an empty placeholder stands in for them inside the scratch task dir.
/// </summary>
internal sealed class JobValidator(string jobFile, IReadOnlyDictionary<string, string> vars, ConsoleSink console)
{
    /// <exception cref="RunnerException">The first problem found.</exception>
    public async Task ValidateAsync(CancellationToken cancellationToken)
    {
        var job = JobLoading.Load(jobFile, vars);
        JobPlanner.CheckDrivers(job);
        var scratch = Path.Combine(Path.GetTempPath(), "nqv" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var data = new RunnerDataDir(scratch);
            data.Create();
            using var loggers = new RunnerLoggerProvider(LogLevel.Warning);
            await using var driver = new QemuDriver(SupervisorCommand.DriverOptions(), loggers);
            driver.SetConfig(new PluginConfig { StateDir = data.State }, compute: null);
            // Ports are checked for clashes but never held: validate may run next to the job it checks.
            var allocs = new JobPlanner(
                jobFile,
                data.Allocs,
                new PortAllocator(System.Net.IPAddress.Loopback, checkAvailability: false)
            ).Plan(job);
            foreach (var alloc in allocs.DistinctBy(a => a.Group.Name))
            {
                alloc.Directory.Create(alloc.Tasks.Select(t => t.Spec.Name));
                foreach (var task in alloc.Tasks)
                {
                    await PlanAsync(driver, alloc, task, cancellationToken);
                }
            }
            var taskCount = job.Groups.Sum(g => g.Tasks.Count);
            console.Line($"job \"{job.Id}\": {job.Groups.Count} group(s), {taskCount} qemu task(s)");
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException) { }
        }
    }

    private async Task PlanAsync(
        QemuDriver driver,
        PlannedAlloc alloc,
        PlannedTask task,
        CancellationToken cancellationToken
    )
    {
        if (task.Artifacts.Count > 0)
        {
            StandInForArtifacts(alloc, task);
        }
        try
        {
            var plan = await driver.ValidateAsync(task.Request, cancellationToken);
            console.Line(
                $"task \"{task.Spec.Name}\": ok (accelerator {plan.Accelerator}, {plan.Forwards.Count} forwarded port(s))"
            );
        }
        catch (DriverException e)
        {
            var key = (e.InnerException as ConfigException)?.Key;
            var located = ConfigKeyLocator.ErrorAt(
                jobFile,
                alloc.Group,
                task.Spec,
                key,
                $"task \"{task.Spec.Name}\": {e.Message}"
            );
            throw new RunnerException(RunnerExit.BadJob, located.Format(), e);
        }
    }

    /// <summary>Empty files where the config expects artifact-provided files, but only inside the scratch task dir.</summary>
    private static void StandInForArtifacts(PlannedAlloc alloc, PlannedTask task)
    {
        var config = TaskConfig.Decode(task.Request.DriverConfig);
        var taskDir = Path.GetFullPath(alloc.Directory.TaskDir(task.Spec.Name));
        foreach (var path in new[] { config.ImagePath, config.Kernel, config.Initrd })
        {
            if (path is null || Path.IsPathRooted(path))
            {
                continue;
            }
            var full = Path.GetFullPath(Path.Combine(taskDir, path));
            if (full.StartsWith(taskDir + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !File.Exists(full))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllBytes(full, []);
            }
        }
    }
}
