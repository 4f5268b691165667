using System.Globalization;

namespace NomadQemu.TestKit;

/// <summary>
/// Finds live processes by reading /proc directly, independent of the driver's own bookkeeping (so a leak the
/// driver does not know about is still seen): those whose argv mentions a path, or that hold a file under it
/// open. A jailed QEMU names no host path in its argv (its files arrive as descriptors), but the links of its
/// open descriptors show the host path to a reader outside the jail.
/// </summary>
public static class ProcScan
{
    /// <summary>A live process: its pid, the file name of its executable ("" when unreadable) and its argv joined by spaces.</summary>
    public sealed record Found(int Pid, string Executable, string CommandLine);

    /// <summary>Live processes (not zombies, not this test process) whose argv or open files mention <paramref name="fragment"/>.</summary>
    public static IReadOnlyList<Found> Mentioning(string fragment)
    {
        var found = new List<Found>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (
                !int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId
            )
            {
                continue;
            }
            var commandLine = Read(Path.Combine(dir, "cmdline"))?.Replace('\0', ' ').Trim();
            if (
                commandLine is { Length: > 0 }
                && (commandLine.Contains(fragment, StringComparison.Ordinal) || HoldsFileUnder(dir, fragment))
                && !IsZombie(pid)
            )
            {
                found.Add(new Found(pid, Executable(dir), commandLine));
            }
        }
        return found;
    }

    /// <summary>True when the process is gone or a zombie: either way it runs no more.</summary>
    public static bool IsZombie(int pid)
    {
        var stat = Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        if (stat is null)
        {
            return true;
        }
        var state = stat[(stat.LastIndexOf(')') + 2)..][0];
        return state is 'Z' or 'X';
    }

    private static bool HoldsFileUnder(string procDir, string fragment)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(procDir, "fd")))
            {
                if (new FileInfo(fd).LinkTarget?.Contains(fragment, StringComparison.Ordinal) == true)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // gone, or not ours to read
        }
        return false;
    }

    private static string Executable(string procDir)
    {
        try
        {
            return Path.GetFileName(new FileInfo(Path.Combine(procDir, "exe")).LinkTarget ?? "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string? Read(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
