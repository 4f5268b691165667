using System.Globalization;

namespace NomadQemu.Driver.Supervision;

/// <summary>
/// Puts the task's memory limit (guest RAM plus QEMU's overhead, see <see cref="Core.Qemu.MemoryPlan"/>) on the
/// cgroup QEMU runs in. Nomad hands an external driver the task's cgroup (<c>cpuset_cgroup</c>) and leaves the
/// limits to it. On cgroup v2 that is the task's unified cgroup: <c>memory.max</c> is written there. On v1 it is
/// only the cpuset one and no memory cgroup exists for the task, so one is made beneath the driver's own memory
/// cgroup (named after the task's cgroup) and QEMU joins it too; the supervisor removes it when QEMU is gone,
/// and DestroyTask when a SIGKILLed supervisor could not.
/// </summary>
internal static class TaskMemoryCgroup
{
    private const string V1MemoryRoot = "/sys/fs/cgroup/memory";
    private const string V1NamePrefix = "nomad-qemu-";

    /// <summary>Where the limit went, for the supervisor to join and to read OOM kills from.</summary>
    public sealed record Applied(string Path, bool Created, string Version);

    /// <summary>Applies the limit; null when the task has no cgroup (the runner, or a client without cgroups).</summary>
    /// <exception cref="IOException">The limit could not be written.</exception>
    public static Applied? Apply(string? taskCgroup, long limitBytes)
    {
        if (string.IsNullOrEmpty(taskCgroup))
        {
            return null;
        }
        var text = limitBytes.ToString(CultureInfo.InvariantCulture);
        if (File.Exists(Path.Combine(taskCgroup, "memory.max")))
        {
            File.WriteAllText(Path.Combine(taskCgroup, "memory.max"), text);
            return new Applied(taskCgroup, Created: false, "v2");
        }
        if (OwnV1MemoryCgroup() is not { } own)
        {
            return null;
        }
        var name = V1NamePrefix + Path.GetFileName(taskCgroup.TrimEnd('/'));
        var path = Path.Combine(own, name);
        var created = !Directory.Exists(path);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "memory.limit_in_bytes"), text);
        return new Applied(path, created, "v1");
    }

    /// <summary>This process's cgroup v1 memory directory, from <c>/proc/self/cgroup</c>; null without a v1 memory controller.</summary>
    private static string? OwnV1MemoryCgroup()
    {
        if (!File.Exists(Path.Combine(V1MemoryRoot, "memory.limit_in_bytes")))
        {
            return null;
        }
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains("memory"))
            {
                return V1MemoryRoot + parts[2].TrimEnd('/');
            }
        }
        return null;
    }

    /// <summary>OOM kills counted in a memory cgroup: v2 <c>memory.events</c>, v1 <c>memory.oom_control</c>.</summary>
    public static long OomKills(string? cgroup)
    {
        if (string.IsNullOrEmpty(cgroup))
        {
            return 0;
        }
        foreach (var file in (string[])["memory.events", "memory.oom_control"])
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(cgroup, file)))
                {
                    if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                    {
                        return long.Parse(line.AsSpan(9), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return 0;
    }

    /// <summary>Removes a memory cgroup the driver made, once the caller (the supervisor) has moved out of it.</summary>
    public static void RemoveCreated(string path)
    {
        var parent = Path.GetDirectoryName(path);
        try
        {
            if (parent is not null)
            {
                File.WriteAllText(
                    Path.Combine(parent, "cgroup.procs"),
                    Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
                );
            }
            Directory.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Removes a v1 memory cgroup the driver made that its supervisor could not remove (it was SIGKILLed), once
    /// it is empty, and only when it is one of the driver's: directly beneath the driver's own memory cgroup and
    /// named as the driver names them. The kernel refuses to remove a cgroup with processes in it; a QEMU that
    /// has just been killed can still be counted for a moment, so this retries briefly.
    /// </summary>
    public static async Task RemoveLeftoverAsync(string path, CancellationToken cancellationToken)
    {
        if (
            OwnV1MemoryCgroup() is not { } own
            || Path.GetFullPath(path) != path
            || Path.GetDirectoryName(path) != own
            || !Path.GetFileName(path).StartsWith(V1NamePrefix, StringComparison.Ordinal)
        )
        {
            return;
        }
        for (var attempt = 0; attempt < 20 && Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path);
                return;
            }
            catch (IOException)
            {
                // EBUSY while a process is still counted in it.
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
            await Task.Delay(50, cancellationToken);
        }
    }
}
