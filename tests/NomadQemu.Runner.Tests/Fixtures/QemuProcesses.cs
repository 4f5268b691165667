namespace NomadQemu.Runner.Tests.Fixtures;

/// <summary>Finds QEMU processes by what their command line mentions (e.g. a test's data dir).</summary>
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
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (
                commandLine.Contains("qemu-system", StringComparison.Ordinal)
                && commandLine.Contains(path, StringComparison.Ordinal)
            )
            {
                found.Add(pid);
            }
        }
        return found;
    }
}
