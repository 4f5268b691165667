using NomadQemu.Driver;
using NomadQemu.InProcess.Tests.Support;

namespace NomadQemu.InProcess.Tests.Core;

/// <summary>TaskStats read from the real /proc of the (fake) QEMU process.</summary>
public sealed class StatsTests : IDisposable
{
    private readonly FakeNode _node = new();
    private readonly FakeTask _task = new();

    [Fact]
    public async Task StatsAsync_BusyQemu_ReportsItsCpuAndMemory()
    {
        await using var driver = _node.NewDriver();
        await driver.StartTaskAsync(_task.Request("burn-cpu"), Timeouts.Token());
        var before = DateTimeOffset.UtcNow;

        var samples = new List<TaskUsage>();
        await foreach (var usage in driver.StatsAsync(_task.TaskId, TimeSpan.FromMilliseconds(300), Timeouts.Token()))
        {
            samples.Add(usage);
            if (samples.Count == 3)
            {
                break;
            }
        }

        var last = samples[^1];
        // One thread spins all the time: even on a crowded 2-core box it gets a visible share of a core.
        Assert.InRange(last.Percent, 5, 400);
        Assert.Equal(last.UserPercent + last.SystemPercent, last.Percent, 6);
        Assert.True(last.TotalTicks > 0, $"cpu MHz-ticks derived from {last.Percent} %");
        Assert.InRange(last.RssBytes, 8UL << 20, 4UL << 30);
        Assert.InRange(last.Timestamp, before, DateTimeOffset.UtcNow);
        Assert.True(samples[1].Timestamp > samples[0].Timestamp, "each sample is a new reading");
    }

    public void Dispose()
    {
        _task.Dispose();
        _node.Dispose();
    }
}
