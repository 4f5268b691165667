namespace NomadQemu.Runner.Tests.Fixtures;

/// <summary>
/// Finds QEMU processes (by executable) that reach a test's data dir: through their command line, or through a
/// file they hold open (a jailed QEMU gets its disk as a descriptor and sees no host path at all).
/// </summary>
public static class QemuProcesses
{
    public static IReadOnlyList<int> Holding(string path) =>
        [
            .. ProcScan
                .Mentioning(path)
                .Where(p => p.Executable.StartsWith("qemu-system", StringComparison.Ordinal))
                .Select(p => p.Pid),
        ];

    /// <summary>The real uid of <paramref name="pid"/> (first field of /proc/PID/status's Uid line).</summary>
    public static int RealUid(int pid) =>
        int.Parse(
            File.ReadLines($"/proc/{pid}/status")
                .First(l => l.StartsWith("Uid:", StringComparison.Ordinal))[4..]
                .Trim()
                .Split('\t')[0],
            System.Globalization.CultureInfo.InvariantCulture
        );
}
