using System.Globalization;
using NomadQemu.JobFiles;

namespace NomadQemu.Runner;

/// <summary>
/// Builds a task's environment the way a Nomad client does for a non-isolated driver: absolute host paths
/// for the directories, identity, limits, ports and meta, then the task's own <c>env</c> block
/// interpolated against all of that.
/// </summary>
internal static class TaskEnvironment
{
    public static Dictionary<string, string> Build(
        JobSpec job,
        GroupSpec group,
        int index,
        TaskSpec task,
        AllocDirectory alloc,
        IReadOnlyList<AllocatedPort> ports
    )
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["NOMAD_ALLOC_DIR"] = alloc.SharedDir,
            ["NOMAD_TASK_DIR"] = alloc.LocalDir(task.Name),
            ["NOMAD_SECRETS_DIR"] = alloc.SecretsDir(task.Name),
            ["NOMAD_ALLOC_ID"] = alloc.AllocId,
            ["NOMAD_SHORT_ALLOC_ID"] = alloc.AllocId[..8],
            ["NOMAD_ALLOC_NAME"] = $"{job.Name}.{group.Name}[{index}]",
            ["NOMAD_ALLOC_INDEX"] = Text(index),
            ["NOMAD_TASK_NAME"] = task.Name,
            ["NOMAD_GROUP_NAME"] = group.Name,
            ["NOMAD_JOB_NAME"] = job.Name,
            ["NOMAD_JOB_ID"] = job.Id,
            ["NOMAD_NAMESPACE"] = "default",
            ["NOMAD_REGION"] = "global",
            ["NOMAD_DC"] = "dc1",
            ["NOMAD_CPU_LIMIT"] = Text(task.Resources.Cpu),
            ["NOMAD_MEMORY_LIMIT"] = Text(task.Resources.MemoryMb),
        };
        if (task.Resources.MemoryMaxMb > 0)
        {
            env["NOMAD_MEMORY_MAX_LIMIT"] = Text(task.Resources.MemoryMaxMb);
        }
        if (task.Resources.Cores > 0)
        {
            env["NOMAD_CPU_CORES"] = CpusetFor(task.Resources.Cores);
        }
        foreach (var port in ports)
        {
            var label = port.Label;
            // As Nomad: NOMAD_PORT_ is the port the task listens on (the `to` side when mapped).
            env[$"NOMAD_PORT_{label}"] = Text(port.To is > 0 ? port.To.Value : port.HostPort);
            env[$"NOMAD_HOST_PORT_{label}"] = Text(port.HostPort);
            env[$"NOMAD_IP_{label}"] = port.HostIp;
            env[$"NOMAD_HOST_IP_{label}"] = port.HostIp;
            env[$"NOMAD_ADDR_{label}"] = $"{port.HostIp}:{Text(port.HostPort)}";
            env[$"NOMAD_HOST_ADDR_{label}"] = $"{port.HostIp}:{Text(port.HostPort)}";
        }
        foreach (var (key, value) in task.Meta)
        {
            env[$"NOMAD_META_{key}"] = value;
        }
        var baseEnv = new Dictionary<string, string>(env, StringComparer.Ordinal);
        foreach (var (key, value) in task.Env)
        {
            env[key] = RuntimeInterpolator.Interpolate(value, baseEnv);
        }
        return env;
    }

    /// <summary>Reserved cores as a cpuset: the first N CPUs, "0-(N-1)".</summary>
    public static string CpusetFor(int cores) => cores <= 1 ? "0" : $"0-{Text(cores - 1)}";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
