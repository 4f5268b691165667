using System.Globalization;

namespace NomadQemu.Driver;

/// <summary>CPU time and memory of one process from /proc, the figures Nomad shows in <c>alloc status</c>.</summary>
public readonly record struct ProcSample(ulong UserTicks, ulong SystemTicks, ulong RssBytes, DateTimeOffset At)
{
    /// <summary>Linux USER_HZ; the kernel reports /proc times in these units on every mainstream arch.</summary>
    public const double TicksPerSecond = 100.0;

    public static ProcSample? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14/15 (utime/stime) are at offsets 11/12 after the command name; 24 (rss pages) at 21.
            var user = ulong.Parse(fields[11], CultureInfo.InvariantCulture);
            var system = ulong.Parse(fields[12], CultureInfo.InvariantCulture);
            var rssPages = ulong.Parse(fields[21], CultureInfo.InvariantCulture);
            return new ProcSample(user, system, rssPages * (ulong)Environment.SystemPageSize, DateTimeOffset.UtcNow);
        }
        catch (Exception e)
            when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>One TaskStats sample in Nomad's terms (percentages of one core).</summary>
public sealed record TaskUsage(
    DateTimeOffset Timestamp,
    double UserPercent,
    double SystemPercent,
    double Percent,
    double TotalTicks,
    ulong RssBytes
);
