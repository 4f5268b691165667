using System.Globalization;

namespace NomadQemu.Bench.Measure;

/// <summary>What the kernel accounts for a process: CPU time, resident and proportional memory, parent.</summary>
public static class ProcFs
{
    /// <summary>USER_HZ: /proc/pid/stat counts CPU time in these ticks (100 on every Linux we run on).</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>utime + stime of every thread of the process, in seconds; NaN when the process is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = StatFields(pid);
        if (fields is null)
        {
            return double.NaN;
        }
        // Fields after the command: index 0 = state (field 3), so utime (14) is 11 and stime (15) is 12.
        return (
                long.Parse(fields[11], CultureInfo.InvariantCulture)
                + long.Parse(fields[12], CultureInfo.InvariantCulture)
            ) / TicksPerSecond;
    }

    public static int ParentPid(int pid)
    {
        var fields = StatFields(pid) ?? throw new InvalidOperationException($"process {pid} is gone");
        return int.Parse(fields[1], CultureInfo.InvariantCulture);
    }

    /// <summary>VmRSS in bytes.</summary>
    public static long RssBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>Proportional set size (shared pages divided among their users), bytes.</summary>
    public static long PssBytes(int pid) =>
        KilobytesField(Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "smaps_rollup"), "Pss:")
        * 1024;

    private static long StatusKilobytes(int pid, string field) =>
        KilobytesField(Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "status"), field);

    private static long KilobytesField(string path, string field)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"{path} has no {field} line");
    }

    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // The command (field 2) is in parentheses and may contain spaces: split after the last ')'.
        return text[(text.LastIndexOf(')') + 2)..].Split(' ');
    }
}
