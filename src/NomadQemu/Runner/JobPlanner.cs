using NomadQemu.Artifacts;
using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Driver;
using NomadQemu.JobFiles;

namespace NomadQemu.Runner;

/// <summary>
/// Turns a job into allocations and StartTask requests, exactly as a Nomad client would fill them: ports,
/// environment, interpolated and schema-encoded config, resources. Pure planning: nothing is created on disk.
/// </summary>
internal sealed class JobPlanner(string jobFile, string allocsRoot, PortAllocator ports)
{
    public const string QemuDriverName = "qemu";

    /// <summary>Refuses jobs the runner cannot run, naming the task at fault.</summary>
    /// <exception cref="RunnerException">A task with another driver, or a job with no tasks.</exception>
    public static void CheckDrivers(JobSpec job)
    {
        var tasks = job.Groups.SelectMany(g => g.Tasks).ToList();
        if (tasks.Count == 0)
        {
            throw new RunnerException(RunnerExit.BadJob, $"{job.Position}: job \"{job.Id}\" has no tasks");
        }
        foreach (var task in tasks.Where(t => t.Driver != QemuDriverName))
        {
            throw new RunnerException(
                RunnerExit.BadJob,
                $"{task.Position}: task \"{task.Name}\" uses driver \"{task.Driver}\"; this runner only runs driver = \"{QemuDriverName}\" tasks"
            );
        }
    }

    public IReadOnlyList<PlannedAlloc> Plan(JobSpec job)
    {
        CheckDrivers(job);
        var allocs = new List<PlannedAlloc>();
        foreach (var group in job.Groups)
        {
            for (var index = 0; index < group.Count; index++)
            {
                var directory = new AllocDirectory(allocsRoot, AllocDirectory.NewAllocId());
                var groupPorts = Allocate(group.Network);
                var tasks = group
                    .Tasks.Select(task => PlanTask(job, group, index, task, directory, groupPorts))
                    .ToList();
                allocs.Add(new PlannedAlloc(group, index, directory, tasks));
            }
        }
        return allocs;
    }

    private PlannedTask PlanTask(
        JobSpec job,
        GroupSpec group,
        int index,
        TaskSpec task,
        AllocDirectory directory,
        IReadOnlyList<AllocatedPort> groupPorts
    )
    {
        if (task.Resources.Cores > Environment.ProcessorCount)
        {
            throw new RunnerException(
                RunnerExit.BadJob,
                $"{task.Position}: task \"{task.Name}\": resources.cores = {task.Resources.Cores} but this machine has {Environment.ProcessorCount} CPUs"
            );
        }
        var legacy = task.Resources.Networks.Select(network => (Network: network, Ports: Allocate(network))).ToList();
        var allPorts = groupPorts.Concat(legacy.SelectMany(l => l.Ports)).ToList();
        var env = TaskEnvironment.Build(job, group, index, task, directory, allPorts);

        byte[] config;
        try
        {
            config = TaskConfigEncoder.Encode(
                (JobFiles.Hcl.HclObject)RuntimeInterpolator.Interpolate(task.Config, env)
            );
        }
        catch (ConfigException e)
        {
            var located = ConfigKeyLocator.ErrorAt(jobFile, group, task, e.Key, $"task \"{task.Name}\": {e.Message}");
            throw new RunnerException(RunnerExit.BadJob, located.Format(), e);
        }

        var request = new TaskRequest
        {
            TaskId = $"{directory.AllocId}/{task.Name}/{Guid.NewGuid().ToString("N")[..8]}",
            TaskName = task.Name,
            AllocId = directory.AllocId,
            AllocDir = directory.Path,
            JobName = job.Name,
            JobId = job.Id,
            Namespace = "default",
            GroupName = group.Name,
            StdoutPath = directory.Fifo(task.Name, "stdout"),
            StderrPath = directory.Fifo(task.Name, "stderr"),
            Env = env,
            DriverConfig = config,
            MemoryMb = task.Resources.MemoryMb,
            MemoryMaxMb = task.Resources.MemoryMaxMb,
            CpusetCpus = task.Resources.Cores > 0 ? TaskEnvironment.CpusetFor(task.Resources.Cores) : "",
            GroupPorts = groupPorts.Select(p => new GroupPort(p.Label, p.HostPort, p.To ?? 0, p.HostIp)).ToList(),
            LegacyNetworks = legacy
                .Select(l => new LegacyNetwork(
                    ports.BindAddress.ToString(),
                    l.Ports.Where(p => l.Network.Ports.Any(s => s.Label == p.Label && s.Static is not null))
                        .Select(p => new LegacyPort(p.Label, p.HostPort))
                        .ToList(),
                    l.Ports.Where(p => l.Network.Ports.Any(s => s.Label == p.Label && s.Static is null))
                        .Select(p => new LegacyPort(p.Label, p.HostPort))
                        .ToList()
                ))
                .ToList(),
        };
        var artifacts = task
            .Artifacts.Select(a => new ArtifactRequest
            {
                Source = RuntimeInterpolator.Interpolate(a.Source, env),
                Destination = RuntimeInterpolator.Interpolate(a.Destination, env),
                Mode = a.Mode,
                Options = a.Options.ToDictionary(o => o.Key, o => RuntimeInterpolator.Interpolate(o.Value, env)),
                Headers = a.Headers.ToDictionary(h => h.Key, h => RuntimeInterpolator.Interpolate(h.Value, env)),
            })
            .ToList();
        return new PlannedTask(task, request, allPorts, artifacts);
    }

    private List<AllocatedPort> Allocate(NetworkSpec? network)
    {
        if (network is null)
        {
            return [];
        }
        var hostIp = ports.BindAddress.ToString();
        return network
            .Ports.Select(port => new AllocatedPort(
                port.Label,
                hostIp,
                port.Static is int fixedPort ? ports.Reserve(port.Label, fixedPort) : ports.Dynamic(port.Label),
                port.To
            ))
            .ToList();
    }
}
