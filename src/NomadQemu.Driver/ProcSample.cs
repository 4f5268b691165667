using NomadQemu.Driver.Native;

namespace NomadQemu.Driver;

/// <summary>CPU time and memory of one process from /proc, the figures Nomad shows in <c>alloc status</c>.</summary>
internal readonly record struct ProcSample(ulong UserTicks, ulong SystemTicks, ulong RssBytes, DateTimeOffset At)
{
    public static ProcSample? Read(int pid) =>
        ProcStat.Read(pid) is { } stat
            ? new ProcSample(
                stat.UserTicks,
                stat.SystemTicks,
                stat.RssPages * (ulong)Environment.SystemPageSize,
                DateTimeOffset.UtcNow
            )
            : null;
}
