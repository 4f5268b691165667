using System.Diagnostics;
using System.Globalization;
using NomadQemu.Chaos.Tests.Support;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.Recovery;

/// <summary>
/// The plugin SIGKILLed with VMs running, then a new instance recovering them from the handles Nomad stored
/// (driver config EMPTY, as Nomad sends it): the VMs never notice, their console keeps reaching the log
/// FIFOs while no plugin runs, and every control works on the recovered tasks.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class PluginCrashRecoveryTests : IAsyncLifetime
{
    private readonly ChaosNode _node = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(90);

    public async ValueTask InitializeAsync() => await _node.StartPluginAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task PluginKilled_ThreeRunningVms_RecoveredWithoutReboot_LogsFlowed_GracefulStopExitsZero()
    {
        var tasks = Enumerable.Range(0, 3).Select(i => _node.NewTask($"vm{i}")).ToArray();
        var handles = await Task.WhenAll(tasks.Select(async t => (await _node.StartVmAsync(t)).Handle));
        // READY comes after the guest armed its power button, so the graceful stop at the end is reliable.
        await Task.WhenAll(tasks.Select(t => t.Stdout.WaitForAsync("TEST-GUEST-READY", s_boot, Ct)));
        var bootIds = await Task.WhenAll(tasks.Select(t => t.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct)));
        var uptimes = await Task.WhenAll(tasks.Select(UptimeAsync));
        var qemuPids = await Task.WhenAll(tasks.Select(t => _node.QemuPidAsync(t.TaskId)));

        await _node.KillPluginAsync();
        var ticksAtKill = tasks.Select(t => ChaosNode.LastTick(t.Stdout.Text)).ToArray();

        // No plugin now. The VMs run on, serve, and keep logging into Nomad's FIFOs.
        Assert.All(qemuPids, pid => Assert.True(HostProcesses.IsAlive(pid), $"QEMU {pid} died with the plugin"));
        for (var i = 0; i < tasks.Length; i++)
        {
            await tasks[i].Stdout.WaitForAsync($"TEST-GUEST-TICK {ticksAtKill[i] + 2}", TestEnvironment.Scaled(20), Ct);
        }
        Assert.All(
            await Task.WhenAll(tasks.Select(t => t.WaitForPageAsync("/", TestEnvironment.Scaled(10), Ct))),
            page => Assert.Contains("nomad-qemu test guest", page)
        );

        await _node.StartPluginAsync();
        foreach (var handle in handles)
        {
            await _node.RecoverAsync(handle);
        }
        // Idempotent: Nomad re-sends RecoverTask after re-dialing a live plugin.
        await _node.RecoverAsync(handles[0]);
        await _node.RecoverAsync(handles[0]);

        for (var i = 0; i < tasks.Length; i++)
        {
            var inspect = await _node.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = tasks[i].TaskId },
                cancellationToken: Ct
            );
            Assert.Equal(TaskState.Running, inspect.Task.State);
            Assert.Equal(qemuPids[i].ToString(CultureInfo.InvariantCulture), inspect.Driver.Attributes["qemu_pid"]);
            Assert.Equal(
                bootIds[i],
                await tasks[i].WaitForPageAsync("/cgi-bin/bootid", TestEnvironment.Scaled(10), Ct)
            );
            var uptime = await UptimeAsync(tasks[i]);
            Assert.True(
                uptime > uptimes[i],
                $"{tasks[i].TaskName}: uptime {uptime} s is not above {uptimes[i]} s before the crash"
            );
        }

        var waits = tasks
            .Select(t =>
                _node
                    .Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = t.TaskId }, cancellationToken: Ct)
                    .ResponseAsync
            )
            .ToArray();
        await Task.WhenAll(
            tasks.Select(t =>
                _node
                    .Driver.StopTaskAsync(
                        new StopTaskRequest
                        {
                            TaskId = t.TaskId,
                            Timeout = VmTask.Seconds(40),
                            Signal = "SIGTERM",
                        },
                        cancellationToken: Ct
                    )
                    .ResponseAsync
            )
        );
        foreach (var (task, wait) in tasks.Zip(waits))
        {
            var result = await wait.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.True(
                result.Result.ExitCode == 0 && result.Result.Signal == 0 && result.Err == "",
                $"{task.TaskName}: exit {result.Result.ExitCode} signal {result.Result.Signal} err \"{result.Err}\""
            );
            Assert.Contains("TEST-GUEST-POWERDOWN", task.Stdout.Text);
            await _node.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
            await ChaosNode.AssertNothingLeftAsync(task);
        }
        Assert.Empty(_node.LedgerEntries());
    }

    [Fact]
    public async Task PluginDown_OneVmPowersOffAnotherIsKilled_RecoveredWithTheirRealExits()
    {
        var poweredOff = _node.NewTask("off");
        var killed = _node.NewTask("killed");
        var handles = await Task.WhenAll(
            new[] { poweredOff, killed }.Select(async t => (await _node.StartVmAsync(t)).Handle)
        );
        await Task.WhenAll(
            new[] { poweredOff, killed }.Select(t => t.Stdout.WaitForAsync("TEST-GUEST-READY", s_boot, Ct))
        );
        var killedPid = await _node.QemuPidAsync(killed.TaskId);

        await _node.KillPluginAsync();
        await RawQmp.ExecuteAsync(Path.Combine(poweredOff.RunDir, "qmp.sock"), "system_powerdown", Ct);
        HostProcesses.Kill(killedPid);
        await ChaosNode.WaitForExitRecordAsync(poweredOff, TestEnvironment.Scaled(30));
        await ChaosNode.WaitForExitRecordAsync(killed, TestEnvironment.Scaled(10));

        await _node.StartPluginAsync();
        foreach (var handle in handles)
        {
            await _node.RecoverAsync(handle);
        }

        var watch = Stopwatch.StartNew();
        var off = await _node.Driver.WaitTaskAsync(
            new WaitTaskRequest { TaskId = poweredOff.TaskId },
            cancellationToken: Ct
        );
        var dead = await _node.Driver.WaitTaskAsync(
            new WaitTaskRequest { TaskId = killed.TaskId },
            cancellationToken: Ct
        );
        watch.Stop();
        Assert.True(
            watch.Elapsed < TimeSpan.FromSeconds(1),
            $"WaitTask on exited recovered tasks took {watch.Elapsed}"
        );
        Assert.Equal((0, 0, ""), (off.Result.ExitCode, off.Result.Signal, off.Err));
        Assert.Equal((137, 9), (dead.Result.ExitCode, dead.Result.Signal));
        Assert.Contains("TEST-GUEST-POWERDOWN", poweredOff.Stdout.Text);

        foreach (var task in new[] { poweredOff, killed })
        {
            var inspect = await _node.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            Assert.Equal(TaskState.Exited, inspect.Task.State);
            Assert.True(inspect.Task.CompletedAt.Seconds > 0);
            // Stop on an exited task succeeds (Nomad retries failed stops with long backoffs), then destroy cleans up.
            await _node.Driver.StopTaskAsync(
                new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(5) },
                cancellationToken: Ct
            );
            await _node.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
            await ChaosNode.AssertNothingLeftAsync(task);
        }
        Assert.Empty(_node.LedgerEntries());
    }

    [Fact]
    public async Task RecoveredTask_QemuKilled_WaitReturnsSignalWithinOneSecond()
    {
        var task = _node.NewTask();
        var handle = (await _node.StartVmAsync(task)).Handle;
        await _node.KillPluginAsync();
        await _node.StartPluginAsync();
        await _node.RecoverAsync(handle);
        var pid = await _node.QemuPidAsync(task.TaskId);
        // Signals and stats work on the recovered task: they need the re-opened QMP line and the pid.
        await _node.Driver.SignalTaskAsync(
            new SignalTaskRequest { TaskId = task.TaskId, Signal = "SIGCONT" },
            cancellationToken: Ct
        );
        using (
            var stats = _node.Driver.TaskStats(
                new TaskStatsRequest { TaskId = task.TaskId, CollectionInterval = VmTask.Seconds(0.2) },
                cancellationToken: Ct
            )
        )
        {
            Assert.True(await stats.ResponseStream.MoveNext(Ct));
            Assert.True(stats.ResponseStream.Current.Stats.AggResourceUsage.Memory.Rss > 0);
        }

        var wait = _node
            .Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = task.TaskId }, cancellationToken: Ct)
            .ResponseAsync;
        await Task.Delay(200, Ct);
        var watch = Stopwatch.StartNew();
        HostProcesses.Kill(pid);
        var result = await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        watch.Stop();

        Assert.Equal((137, 9), (result.Result.ExitCode, result.Result.Signal));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"WaitTask took {watch.Elapsed}");
        await _node.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
        await ChaosNode.AssertNothingLeftAsync(task);
        Assert.Empty(_node.LedgerEntries());
    }

    private static async Task<double> UptimeAsync(VmTask task) =>
        double.Parse(
            (await task.WaitForPageAsync("/cgi-bin/uptime", TestEnvironment.Scaled(10), Ct)).Trim(),
            CultureInfo.InvariantCulture
        );
}
