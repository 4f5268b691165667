using System.Globalization;

namespace NomadQemu.Driver.Native;

/// <summary>
/// A pid plus its start time (clock ticks since boot, field 22 of /proc/pid/stat). Pids are recycled;
/// the pair is not, so a recovered task is never mistaken for an unrelated process that got the pid.
/// </summary>
public readonly record struct ProcessIdentity(int Pid, ulong StartTicks)
{
    public static ProcessIdentity? Of(int pid) =>
        ReadStartTicks(pid) is { } ticks ? new ProcessIdentity(pid, ticks) : null;

    /// <summary>True while the very process we recorded is alive (not a zombie, not a recycled pid).</summary>
    public bool IsAlive()
    {
        var stat = ReadStat(Pid);
        if (stat is null)
        {
            return false;
        }
        var (state, ticks) = ParseStateAndStart(stat);
        return ticks == StartTicks && state != 'Z' && state != 'X';
    }

    public static ulong? ReadStartTicks(int pid) =>
        ReadStat(pid) is { } stat ? ParseStateAndStart(stat).StartTicks : null;

    private static string? ReadStat(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The command name (field 2) may contain spaces and parentheses: parse after the last ')'.</summary>
    internal static (char State, ulong StartTicks) ParseStateAndStart(string stat)
    {
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        return (fields[0][0], ulong.Parse(fields[19], CultureInfo.InvariantCulture));
    }
}
