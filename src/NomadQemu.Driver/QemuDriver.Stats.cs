using System.Runtime.CompilerServices;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>
    /// Resource usage of the QEMU process at the requested interval, until the task exits or the caller
    /// goes away. CPU percentages are of one core, as Nomad's executor reports them.
    /// </summary>
    public async IAsyncEnumerable<TaskUsage> StatsAsync(
        string taskId,
        TimeSpan interval,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        var handle = Get(taskId);
        if (interval < TimeSpan.FromMilliseconds(100))
        {
            interval = TimeSpan.FromSeconds(1);
        }
        var previous = ProcSample.Read(handle.Qemu.Pid);
        // The first sample at once, as Nomad's executors do: a stream opened now shows memory now, not one
        // interval later (CPU needs two samples, so it reads 0 until the next one).
        if (previous is { } first && handle.IsRunning)
        {
            yield return Usage(null, first);
        }
        while (handle.IsRunning && !cancellationToken.IsCancellationRequested)
        {
            var tick = Task.Delay(interval, cancellationToken);
            var exited = handle.Exited;
            try
            {
                await Task.WhenAny(tick, exited);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            if (cancellationToken.IsCancellationRequested || !handle.IsRunning)
            {
                yield break;
            }
            var current = ProcSample.Read(handle.Qemu.Pid);
            if (current is null)
            {
                yield break;
            }
            yield return Usage(previous, current.Value);
            previous = current;
        }
    }

    private TaskUsage Usage(ProcSample? previous, ProcSample current)
    {
        double user = 0,
            system = 0;
        if (previous is { } p)
        {
            var seconds = (current.At - p.At).TotalSeconds;
            if (seconds > 0)
            {
                user = (current.UserTicks - p.UserTicks) / ProcStat.TicksPerSecond / seconds * 100.0;
                system = (current.SystemTicks - p.SystemTicks) / ProcStat.TicksPerSecond / seconds * 100.0;
            }
        }
        var percent = user + system;
        return new TaskUsage(current.At, user, system, percent, _compute.TicksFor(percent), current.RssBytes);
    }
}
