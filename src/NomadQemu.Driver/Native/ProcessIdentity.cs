namespace NomadQemu.Driver.Native;

/// <summary>
/// A pid plus its start time (clock ticks since boot, field 22 of /proc/pid/stat). Pids are recycled;
/// the pair is not, so a recovered task is never mistaken for an unrelated process that got the pid.
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartTicks)
{
    public static ProcessIdentity? Of(int pid) =>
        ReadStartTicks(pid) is { } ticks ? new ProcessIdentity(pid, ticks) : null;

    /// <summary>True while the very process we recorded is alive (not a zombie, not a recycled pid).</summary>
    public bool IsAlive() => ProcStat.Read(Pid) is { } stat && stat.StartTicks == StartTicks && !stat.HasExited;

    public static ulong? ReadStartTicks(int pid) => ProcStat.Read(pid)?.StartTicks;

    /// <summary>Signals the recorded process only while it is still that process: a recycled pid is never hit.</summary>
    /// <returns>True when the signal was sent.</returns>
    public bool TrySignal(int signal) => IsAlive() && LibC.kill(Pid, signal) == 0;

    /// <summary>Waits (bounded) until the recorded process is gone; true when it is.</summary>
    public bool WaitGone(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            Thread.Sleep(20);
        }
        return true;
    }
}
