using System.Diagnostics;
using Google.Protobuf;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 9: the plugin's contract edges. Launch until the first PluginInfo is answered (split into phases:
/// the AOT runtime's own start and exit, measured with the `version` command; launch → handshake; handshake
/// → PluginInfo), idle RSS; Shutdown → exit with VMs and streams open against an idle plugin; restart →
/// first fingerprint with the KVM verdict in the state dir against an empty state dir.
/// </summary>
public static class ContractItem
{
    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var floor = await NativeFloor.BuildAsync(context);
        var runtimeOnly = new Sample("ms");
        var toHandshake = new Sample("ms");
        var toInfo = new Sample("ms");
        var native = new Sample("ms");
        var idleRss = new Sample("MiB");
        var nativeRss = new Sample("MiB");
        var fromRoot = new Sample("ms");
        for (var i = 0; i < context.Options.PluginLaunches; i++)
        {
            await using (
                var rooted = await HandshakeLaunch.StartAsync(context.Options.Binary, context.Cancellation, "/")
            )
            {
                fromRoot.Add(rooted.Seconds * 1000);
            }
            var version = Stopwatch.StartNew();
            await Command.RunAsync(context.Options.Binary, ["version"], context.Cancellation);
            runtimeOnly.Add(version.Elapsed.TotalMilliseconds);

            using var socketDir = new ShortTempDir();
            var watch = Stopwatch.StartNew();
            await using (
                var plugin = await PluginProcess.StartAsync(socketDir.Path, cancellationToken: context.Cancellation)
            )
            {
                toHandshake.Add(watch.Elapsed.TotalMilliseconds);
                await plugin.Base.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: context.Cancellation);
                toInfo.Add(watch.Elapsed.TotalMilliseconds);
                if (i < context.Options.PluginRssSamples)
                {
                    await Task.Delay(1000, context.Cancellation);
                    idleRss.Add(ProcFs.RssBytes(plugin.Pid) / 1048576.0);
                }
            }
            await using (var line = await HandshakeLaunch.StartAsync(floor, context.Cancellation))
            {
                native.Add(line.Seconds * 1000);
                if (i < context.Options.PluginRssSamples)
                {
                    await Task.Delay(1000, context.Cancellation);
                    nativeRss.Add(ProcFs.RssBytes(line.Pid) / 1048576.0);
                }
            }
        }
        section.Add("launch → first PluginInfo answered", toInfo, "native C program → first line", native);
        section.Add("  of which launch → handshake line", toHandshake, "native C program → first line", native);
        section.Add(
            "  of which AOT runtime start + exit (`version`)",
            runtimeOnly,
            "native C program → first line",
            native
        );
        section.Add("launch → handshake line, working directory /", fromRoot, "native C program → first line", native);
        section.Add("idle RSS 1 s after PluginInfo", idleRss, "native C program RSS", nativeRss);

        await ShutdownAsync(context, section);
        await RestartAsync(context, section);
    }

    /// <summary>go-plugin's Kill(): Shutdown, close the connection; the clock stops when the process is gone.</summary>
    private static async Task ShutdownAsync(BenchContext context, ReportSection section)
    {
        var busy = new Sample("ms");
        var idle = new Sample("ms");
        var vms = context.Options.ContractVms;
        for (var round = 0; round < context.Options.ContractRounds; round++)
        {
            var (session, stateDir) = await context.StartSessionAsync();
            using var _ = stateDir;
            var tasks = Enumerable.Range(0, vms).Select(_ => new VmTask()).ToList();
            var handles = new List<TaskHandle>();
            try
            {
                foreach (var task in tasks)
                {
                    var started = await session.Driver.StartTaskAsync(
                        new StartTaskRequest { Task = task.TaskConfig(DriverVm.FastConfig(task), BootItem.MemoryMb) },
                        cancellationToken: context.Cancellation
                    );
                    handles.Add(started.Handle);
                }
                using var calls = new CancellationTokenSource();
                var open = tasks
                    .SelectMany(t =>
                        new object[]
                        {
                            session.Driver.WaitTaskAsync(
                                new WaitTaskRequest { TaskId = t.TaskId },
                                cancellationToken: calls.Token
                            ),
                            session.Driver.TaskStats(
                                new TaskStatsRequest { TaskId = t.TaskId, CollectionInterval = VmTask.Seconds(1) },
                                cancellationToken: calls.Token
                            ),
                        }
                    )
                    .ToList();
                await Task.Delay(500, context.Cancellation);
                busy.Add(await TimeShutdownAsync(session.Plugin));
                await calls.CancelAsync();
            }
            finally
            {
                await session.DisposeAsync();
                await DestroyAsync(stateDir.Path, handles, tasks);
            }

            var (quiet, quietDir) = await context.StartSessionAsync();
            using (quietDir)
            {
                idle.Add(await TimeShutdownAsync(quiet.Plugin));
                await quiet.DisposeAsync();
            }
        }
        section.Add(
            $"Shutdown → exit, {vms} VMs running (WaitTask + TaskStats each)",
            busy,
            "Shutdown → exit, no task",
            idle
        );
    }

    private static async Task<double> TimeShutdownAsync(PluginProcess plugin)
    {
        var watch = Stopwatch.StartNew();
        await plugin.Controller.ShutdownAsync(new NomadQemu.Protocol.GoPlugin.Empty());
        plugin.Channel.Dispose();
        if (!await plugin.WaitForExitAsync(TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("the plugin did not exit within 10 s of Shutdown");
        }
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The next instance recovers the VMs the stopped one left, then destroys them.</summary>
    private static async Task DestroyAsync(string stateDir, List<TaskHandle> handles, List<VmTask> tasks)
    {
        try
        {
            await LeftoverVms.DestroyAsync(NomadMsgpack.PluginConfig(stateDir: stateDir), handles);
        }
        finally
        {
            foreach (var task in tasks)
            {
                task.Dispose();
            }
        }
    }

    /// <summary>A new instance on a state dir that holds the KVM verdict, against one whose verdict was removed.</summary>
    private static async Task RestartAsync(BenchContext context, ReportSection section)
    {
        var cached = new Sample("ms");
        var cold = new Sample("ms");
        using var stateDir = new ShortTempDir();
        var verdict = Path.Combine(stateDir.Path, "kvm-verdict.json");
        await FirstFingerprintAsync(context, stateDir.Path);
        for (var i = 0; i < context.Options.PluginLaunches; i++)
        {
            cached.Add(await FirstFingerprintAsync(context, stateDir.Path));
            File.Delete(verdict);
            cold.Add(await FirstFingerprintAsync(context, stateDir.Path));
        }
        section.Add(
            "restart → first fingerprint, KVM verdict in the state dir",
            cached,
            "same, verdict removed (probe runs)",
            cold
        );
        section.Note(
            File.Exists("/dev/kvm")
                ? "/dev/kvm exists here: the cold case runs the probe guest under KVM."
                : "No /dev/kvm on this machine: the probe ends at its first check, so cached and cold differ only by that; on a host where KVM guests hang the cold case costs up to the 5 s probe timeout."
        );
    }

    private static async Task<double> FirstFingerprintAsync(BenchContext context, string stateDir)
    {
        using var socketDir = new ShortTempDir();
        var watch = Stopwatch.StartNew();
        await using var plugin = await PluginProcess.StartAsync(
            socketDir.Path,
            cancellationToken: context.Cancellation
        );
        await plugin.Base.SetConfigAsync(
            new SetConfigRequest
            {
                MsgpackConfig = ByteString.CopyFrom(NomadMsgpack.PluginConfig(stateDir: stateDir)),
                PluginApiVersion = "v0.1.0",
            },
            cancellationToken: context.Cancellation
        );
        using var stream = plugin.Driver.Fingerprint(new FingerprintRequest(), cancellationToken: context.Cancellation);
        await stream.ResponseStream.MoveNext(context.Cancellation);
        return watch.Elapsed.TotalMilliseconds;
    }
}
