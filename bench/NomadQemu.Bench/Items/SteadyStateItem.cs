using System.Diagnostics;
using Grpc.Core;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 7: the plugin's CPU per wall second while Nomad streams TaskStats (1 s interval) for every running VM,
/// against the same plugin with the same VMs and no streams; idle and streaming windows alternate.
/// </summary>
public static class SteadyStateItem
{
    public static async Task RunAsync(BenchContext context, ReportSection section, LiveFleet fleet)
    {
        var pluginPid = fleet.Session.Plugin.Pid;
        var window = context.Options.SteadyWindow;
        var idle = new Sample("CPU s/s");
        var streaming = new Sample("CPU s/s");
        var guests = new Sample("CPU s/s");
        var received = 0L;
        var expected = 0.0;
        await Task.Delay(TimeSpan.FromSeconds(3), context.Cancellation); // let the last boots settle
        for (var w = 0; w < context.Options.SteadyWindows; w++)
        {
            var qemuBefore = fleet.Vms.Sum(vm => ProcFs.CpuSeconds(vm.QemuPid));
            idle.Add(await PluginCpuPerSecondAsync(pluginPid, window, context.Cancellation));
            guests.Add((fleet.Vms.Sum(vm => ProcFs.CpuSeconds(vm.QemuPid)) - qemuBefore) / window.TotalSeconds);

            using var streams = new CancellationTokenSource();
            var counters = new long[fleet.Vms.Count];
            var pumps = fleet
                .Vms.Select((vm, i) => PumpAsync(fleet.Session, vm.Task.TaskId, counters, i, streams.Token))
                .ToList();
            await Task.Delay(TimeSpan.FromSeconds(2), context.Cancellation); // streams open and past their first sample
            var countBefore = counters.Sum();
            streaming.Add(await PluginCpuPerSecondAsync(pluginPid, window, context.Cancellation));
            received += counters.Sum() - countBefore;
            expected += fleet.Vms.Count * window.TotalSeconds;
            await streams.CancelAsync();
            await Task.WhenAll(pumps);
        }
        var vms = fleet.Vms.Count;
        section.Add(
            $"plugin CPU, {vms} TaskStats streams at 1 s",
            streaming,
            "same plugin, same VMs, no streams",
            idle
        );
        section.Add(
            $"plugin CPU, {vms} TaskStats streams at 1 s",
            streaming,
            $"the {vms} guests' own QEMU CPU (idle guests, TCG)",
            guests
        );
        section.Note(
            $"Windows of {window.TotalSeconds:0} s, {context.Options.SteadyWindows} of each, alternating idle → streaming; CPU = utime + stime of the plugin process from /proc (10 ms ticks). Stats received while measured: {received} of about {expected:0} expected."
        );
    }

    private static async Task<double> PluginCpuPerSecondAsync(
        int pid,
        TimeSpan window,
        CancellationToken cancellationToken
    )
    {
        var before = ProcFs.CpuSeconds(pid);
        var watch = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        return (ProcFs.CpuSeconds(pid) - before) / watch.Elapsed.TotalSeconds;
    }

    private static async Task PumpAsync(
        PluginSession session,
        string taskId,
        long[] counters,
        int index,
        CancellationToken cancellationToken
    )
    {
        try
        {
            using var call = session.Driver.TaskStats(
                new TaskStatsRequest { TaskId = taskId, CollectionInterval = VmTask.Seconds(1) },
                cancellationToken: cancellationToken
            );
            await foreach (var _ in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                Interlocked.Increment(ref counters[index]);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled) { }
        catch (OperationCanceledException) { }
    }
}
