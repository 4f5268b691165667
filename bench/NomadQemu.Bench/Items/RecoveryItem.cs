using System.Diagnostics;
using Google.Protobuf;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 10: a plugin SIGKILLed with VMs running and a new instance taking them back (RecoverTask with the handle
/// as Nomad stores it, then a QMP command each), against the bare launch-to-handshake of the same executable;
/// and what one VM's supervisor costs in memory next to its QEMU.
/// </summary>
public static class RecoveryItem
{
    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var vmCounts = context.Options.Quick ? new[] { 1 } : [1, 10];
        var handshake = new Sample("ms");
        var supervisorRss = new Sample("MiB");
        var supervisorPss = new Sample("MiB");
        var qemuRss = new Sample("MiB");
        foreach (var count in vmCounts)
        {
            var serving = new Sample("ms");
            var recovered = new Sample("ms");
            var controlled = new Sample("ms");
            for (var round = 0; round < context.Options.RecoveryRounds; round++)
            {
                var run = await RecoverOnceAsync(context, count);
                serving.Add(run.Serving);
                recovered.Add(run.Recovered);
                controlled.Add(run.Controlled);
                supervisorRss.Add(run.SupervisorRss);
                supervisorPss.Add(run.SupervisorPss);
                qemuRss.Add(run.QemuRss);
                await using var bare = await HandshakeLaunch.StartAsync(context.Options.Binary, context.Cancellation);
                handshake.Add(bare.Seconds * 1000);
            }
            section.Add(
                $"{count} VM(s): new plugin serving (start, SetConfig, first Fingerprint)",
                serving,
                "bare launch → handshake",
                handshake
            );
            section.Add($"{count} VM(s): every RecoverTask returned", recovered, "bare launch → handshake", handshake);
            section.Add(
                $"{count} VM(s): every VM answered a QMP command",
                controlled,
                "bare launch → handshake",
                handshake
            );
        }
        section.Add("per-VM supervisor RSS", supervisorRss, "its QEMU's RSS (128 MB guest, TCG)", qemuRss);
        section.Note(
            $"Supervisor PSS (its share of pages shared with other supervisors): median {supervisorPss.Median:0.00} MiB."
        );
        section.Note("The first Fingerprint runs the KVM probe, which dominates \"serving\" where KVM is broken.");
    }

    private sealed record Run(
        double Serving,
        double Recovered,
        double Controlled,
        double SupervisorRss,
        double SupervisorPss,
        double QemuRss
    );

    private static async Task<Run> RecoverOnceAsync(BenchContext context, int count)
    {
        var ct = context.Cancellation;
        using var stateDir = new ShortTempDir();
        var config = NomadMsgpack.PluginConfig(stateDir: stateDir.Path);
        var tasks = Enumerable.Range(0, count).Select(i => new VmTask($"r{i}")).ToList();
        PluginSession? session = null;
        var handles = new List<TaskHandle>();
        var killed = false;
        try
        {
            session = await PluginSession.StartAsync(config, cancellationToken: ct);
            foreach (var task in tasks)
            {
                var started = await session.Driver.StartTaskAsync(
                    new StartTaskRequest { Task = task.TaskConfig(DriverVm.FastConfig(task), 128) },
                    cancellationToken: ct
                );
                handles.Add(started.Handle);
            }
            var inspect = await session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = tasks[0].TaskId },
                cancellationToken: ct
            );
            var supervisorPid = int.Parse(
                inspect.Driver.Attributes["supervisor_pid"],
                System.Globalization.CultureInfo.InvariantCulture
            );
            var qemuPid = int.Parse(
                inspect.Driver.Attributes["qemu_pid"],
                System.Globalization.CultureInfo.InvariantCulture
            );

            // SIGKILL, as a crashing agent or an OOM kill would.
            killed = true;
            session.Plugin.Kill();
            await session.Plugin.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await session.DisposeAsync();
            session = null;

            var watch = Stopwatch.StartNew();
            session = await PluginSession.StartAsync(config, cancellationToken: ct);
            var serving = watch.Elapsed.TotalMilliseconds;
            await Task.WhenAll(
                handles.Select(async handle =>
                {
                    // As Nomad stores the handle: the driver config is EMPTY on RecoverTask.
                    var stored = handle.Clone();
                    stored.Config.MsgpackDriverConfig = ByteString.Empty;
                    await session.Driver.RecoverTaskAsync(
                        new RecoverTaskRequest { Handle = stored },
                        cancellationToken: ct
                    );
                })
            );
            var recovered = watch.Elapsed.TotalMilliseconds;
            // SIGCONT is "cont" over QMP: harmless on a running VM, and proves the new instance controls it.
            await Task.WhenAll(
                tasks.Select(async t =>
                    await session.Driver.SignalTaskAsync(
                        new SignalTaskRequest { TaskId = t.TaskId, Signal = "SIGCONT" },
                        cancellationToken: ct
                    )
                )
            );
            var controlled = watch.Elapsed.TotalMilliseconds;
            return new Run(
                serving,
                recovered,
                controlled,
                ProcFs.RssBytes(supervisorPid) / 1048576.0,
                ProcFs.PssBytes(supervisorPid) / 1048576.0,
                ProcFs.RssBytes(qemuPid) / 1048576.0
            );
        }
        finally
        {
            if (session is not null)
            {
                // Its reaper stops and destroys every task started or recovered through it.
                await session.DisposeAsync();
            }
            else if (killed)
            {
                // Killed, and the new instance never took the VMs back: one must, to destroy them.
                await LeftoverVms.DestroyAsync(config, handles);
            }
            foreach (var task in tasks)
            {
                task.Dispose();
            }
        }
    }
}
