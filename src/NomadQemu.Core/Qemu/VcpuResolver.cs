using System.Globalization;

namespace NomadQemu.Core.Qemu;

/// <summary>vCPU count: the job's <c>vcpus</c>, else the number of reserved cores, else 1.</summary>
public static class VcpuResolver
{
    /// <param name="configured">The job's <c>vcpus</c>.</param>
    /// <param name="reservedCpuset">Nomad's <c>LinuxResources.cpuset_cpus</c> for reserved cores, e.g. <c>"0-3,8"</c>; null or empty when none.</param>
    public static int Resolve(int? configured, string? reservedCpuset)
    {
        if (configured is > 0)
        {
            return configured.Value;
        }

        var cores = CountCpus(reservedCpuset);
        return cores > 0 ? cores : 1;
    }

    /// <summary>Counts the CPUs in a cpuset list (<c>"0-3,8,10-11"</c> → 7). Malformed parts are ignored.</summary>
    public static int CountCpus(string? cpuset)
    {
        HashSet<int> cpus = [];
        foreach (
            var part in (cpuset ?? "").Split(
                ',',
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            )
        )
        {
            var range = part.Split('-');
            if (
                range.Length is 1 or 2
                && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                && int.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                && last >= first
                && last - first < 65_536
            )
            {
                for (var cpu = first; cpu <= last; cpu++)
                {
                    cpus.Add(cpu);
                }
            }
        }

        return cpus.Count;
    }
}
