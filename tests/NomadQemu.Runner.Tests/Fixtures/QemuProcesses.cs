namespace NomadQemu.Runner.Tests.Fixtures;

/// <summary>
/// Finds QEMU processes (by executable) that reach a test's data dir: through their command line, or through a
/// file they hold open (a jailed QEMU gets its disk as a descriptor and sees no host path at all).
/// </summary>
public static class QemuProcesses
{
    public static IReadOnlyList<int> Holding(string path)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var exe = new FileInfo(Path.Combine(dir, "exe")).LinkTarget ?? "";
                if (!Path.GetFileName(exe).StartsWith("qemu-system", StringComparison.Ordinal))
                {
                    continue;
                }
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(path, StringComparison.Ordinal) || HoldsFileUnder(dir, path))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    /// <summary>The real uid of <paramref name="pid"/> (first field of /proc/PID/status's Uid line).</summary>
    public static int RealUid(int pid) =>
        int.Parse(
            File.ReadLines($"/proc/{pid}/status")
                .First(l => l.StartsWith("Uid:", StringComparison.Ordinal))[4..]
                .Trim()
                .Split('\t')[0],
            System.Globalization.CultureInfo.InvariantCulture
        );

    private static bool HoldsFileUnder(string procDir, string path) =>
        Directory
            .EnumerateFiles(Path.Combine(procDir, "fd"))
            .Any(fd => new FileInfo(fd).LinkTarget?.StartsWith(path, StringComparison.Ordinal) == true);
}
