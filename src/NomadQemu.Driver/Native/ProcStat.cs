using System.Globalization;

namespace NomadQemu.Driver.Native;

/// <summary>
/// The fields of <c>/proc/&lt;pid&gt;/stat</c> the driver uses (proc(5) numbering): 3 state, 14 utime, 15 stime,
/// 22 starttime, 24 rss. The one place that reads and parses that file.
/// </summary>
internal readonly record struct ProcStat(
    char State,
    ulong UserTicks,
    ulong SystemTicks,
    ulong StartTicks,
    ulong RssPages
)
{
    /// <summary>Linux USER_HZ: /proc reports times in these ticks on every mainstream arch.</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>A zombie or dead process has exited even though its pid is still listed.</summary>
    public bool HasExited => State is 'Z' or 'X';

    /// <summary>The process's stat line, or null when the process is gone or unreadable.</summary>
    public static ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return TryParse(text);
    }

    /// <summary>The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.</summary>
    public static ProcStat? TryParse(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 > text.Length)
        {
            return null;
        }
        // fields[0] is field 3, so field N is fields[N - 3].
        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 22 || fields[0].Length == 0)
        {
            return null;
        }
        return
            ulong.TryParse(fields[11], CultureInfo.InvariantCulture, out var user)
            && ulong.TryParse(fields[12], CultureInfo.InvariantCulture, out var system)
            && ulong.TryParse(fields[19], CultureInfo.InvariantCulture, out var start)
            && ulong.TryParse(fields[21], CultureInfo.InvariantCulture, out var rss)
            ? new ProcStat(fields[0][0], user, system, start, rss)
            : null;
    }
}
