using System.Diagnostics;
using System.Globalization;
using NomadQemu.Chaos.Tests.Support;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.Benchmarks;

/// <summary>
/// A measurement, not a gate (it only runs with NOMAD_QEMU_CHAOS_BENCH=1): how long a new plugin instance
/// takes to take back N running VMs, and what the per-VM supervisor costs in memory next to the plugin.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class RecoveryBenchmark(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ChaosNode _node = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public async Task RecoverRunningVms_TimeAndMemoryPerVm(int count)
    {
        Assert.SkipUnless(
            Environment.GetEnvironmentVariable("NOMAD_QEMU_CHAOS_BENCH") == "1",
            "benchmark; run with NOMAD_QEMU_CHAOS_BENCH=1"
        );
        await _node.StartPluginAsync();
        await Task.Delay(1000, Ct);
        var alone = Measure(_node.Session.Plugin.Pid);

        var tasks = Enumerable.Range(0, count).Select(i => _node.NewTask($"b{i}")).ToArray();
        var handles = new List<TaskHandle>();
        foreach (var task in tasks)
        {
            handles.Add((await _node.StartVmAsync(task)).Handle);
        }
        var withVms = Measure(_node.Session.Plugin.Pid);
        var supervisors = new List<(long Rss, long? Pss)>();
        var qemus = new List<long>();
        foreach (var task in tasks)
        {
            var inspect = await _node.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            supervisors.Add(
                Measure(int.Parse(inspect.Driver.Attributes["supervisor_pid"], CultureInfo.InvariantCulture))
            );
            qemus.Add(
                HostProcesses.RssKib(int.Parse(inspect.Driver.Attributes["qemu_pid"], CultureInfo.InvariantCulture))
            );
        }

        // How much of "serving" is the bare process start and handshake (the rest is SetConfig and the first
        // Fingerprint, whose KVM probe dominates on a host where KVM is broken).
        var handshakeWatch = Stopwatch.StartNew();
        using (var socketDir = new ShortTempDir())
        {
            await using var bare = await PluginProcess.StartAsync(socketDir.Path, cancellationToken: Ct);
            handshakeWatch.Stop();
        }

        await _node.KillPluginAsync();
        var watch = Stopwatch.StartNew();
        await _node.StartPluginAsync();
        var serving = watch.Elapsed;
        await Task.WhenAll(handles.Select(_node.RecoverAsync));
        var recovered = watch.Elapsed;
        // QMP is re-attached when a command over it succeeds: SIGCONT is "cont", harmless on a running VM.
        await Task.WhenAll(
            tasks.Select(async t =>
            {
                var inspect = await _node.Driver.InspectTaskAsync(
                    new InspectTaskRequest { TaskId = t.TaskId },
                    cancellationToken: Ct
                );
                Assert.Equal(TaskState.Running, inspect.Task.State);
                await _node.Driver.SignalTaskAsync(
                    new SignalTaskRequest { TaskId = t.TaskId, Signal = "SIGCONT" },
                    cancellationToken: Ct
                );
            })
        );
        var controlled = watch.Elapsed;
        var afterRecovery = Measure(_node.Session.Plugin.Pid);

        var report = string.Create(
            CultureInfo.InvariantCulture,
            $"recovery of {count} running VM(s): new plugin serving (start + SetConfig + first Fingerprint) {serving.TotalMilliseconds:0} ms "
                + $"(bare start to handshake {handshakeWatch.Elapsed.TotalMilliseconds:0} ms), all RecoverTask returned {recovered.TotalMilliseconds:0} ms "
                + $"(+{(recovered - serving).TotalMilliseconds:0}), all QMP controls confirmed {controlled.TotalMilliseconds:0} ms (+{(controlled - recovered).TotalMilliseconds:0})\n"
                + $"plugin alone: RSS {alone.Rss / 1024.0:0.0} MiB, PSS {alone.Pss / 1024.0:0.0} MiB; with {count} VMs: RSS {withVms.Rss / 1024.0:0.0} MiB; recovered instance with {count} VMs: RSS {afterRecovery.Rss / 1024.0:0.0} MiB, PSS {afterRecovery.Pss / 1024.0:0.0} MiB\n"
                + $"per-VM supervisor: RSS avg {supervisors.Average(s => s.Rss) / 1024.0:0.0} MiB (max {supervisors.Max(s => s.Rss) / 1024.0:0.0}), PSS avg {supervisors.Average(s => s.Pss ?? 0) / 1024.0:0.00} MiB; "
                + $"QEMU itself (128 MB guest, TCG): RSS avg {qemus.Average() / 1024.0:0.0} MiB"
        );
        output.WriteLine(report);
        TestContext.Current.SendDiagnosticMessage(report);

        foreach (var task in tasks)
        {
            await _node.Driver.StopTaskAsync(
                new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(0) },
                cancellationToken: Ct
            );
            await _node.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
        }
        Assert.All(tasks, t => Assert.False(Directory.Exists(t.RunDir)));
    }

    private static (long Rss, long? Pss) Measure(int pid) => (HostProcesses.RssKib(pid), HostProcesses.PssKib(pid));
}
