using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Lifecycle;

/// <summary>
/// Real VMs through the plugin's gRPC API: the test guest boots under QEMU (TCG here), answers HTTP on the
/// forwarded port, logs its console into the stdout FIFO, and stops the way Nomad stops it.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class VmLifecycleTests : IAsyncLifetime
{
    private PluginSession _session = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(60);

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    private async Task<StartTaskResponse> StartAsync(VmTask task, byte[] config, long memoryMb = 256) =>
        await _session.Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(config, memoryMb) },
            cancellationToken: Ct
        );

    [Fact(Timeout = 240_000)]
    public async Task Boot_ServesPageOnForwardedPort_LogsConsole_StopsGracefullyWithExitZero_ImageUntouched()
    {
        using var task = new VmTask();
        var imageHashBefore = Hash(task.ImagePath);

        var started = await StartAsync(
            task,
            VmTask.DriverConfig(("port_map", new[] { new Dictionary<string, object?> { ["http"] = 80 } }))
        );

        Assert.Equal(TaskState.Running, started.Handle.State);
        Assert.True(started.Handle.Version >= 1);
        Assert.NotEmpty(started.Handle.DriverState);
        Assert.Equal(task.TaskId, started.Handle.Config.Id);
        Assert.Equal(80, started.NetworkOverride.PortMap["http"]);

        var page = await task.WaitForPageAsync("/", s_boot, Ct);
        Assert.Contains("nomad-qemu test guest", page);
        await task.Stdout.WaitForAsync("TEST-GUEST-READY", s_boot, Ct);
        await task.Stdout.WaitForAsync("TEST-GUEST-DISK-WRITE ok", s_boot, Ct);
        await _session.WaitForEventAsync(task.TaskId, "QEMU started with accelerator tcg", TimeSpan.FromSeconds(5), Ct);

        var inspect = await _session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        Assert.Equal(TaskState.Running, inspect.Task.State);
        Assert.Equal(-62135596800, inspect.Task.CompletedAt.Seconds);
        Assert.Equal("tcg", inspect.Driver.Attributes["accelerator"]);

        var watch = Stopwatch.StartNew();
        var wait = _session.Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = task.TaskId }, cancellationToken: Ct);
        await _session.Driver.StopTaskAsync(
            new StopTaskRequest
            {
                TaskId = task.TaskId,
                Timeout = VmTask.Seconds(30),
                Signal = "SIGTERM",
            },
            cancellationToken: Ct
        );
        var result = await wait;
        watch.Stop();

        Assert.Equal(0, result.Result.ExitCode);
        Assert.Equal(0, result.Result.Signal);
        Assert.Equal("", result.Err);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(25), $"graceful stop took {watch.Elapsed}");
        await _session.WaitForEventAsync(task.TaskId, "ACPI power-down", TimeSpan.FromSeconds(5), Ct);

        // Repeated and concurrent waits after the exit give the same result.
        var again = await Task.WhenAll(
            Enumerable
                .Range(0, 3)
                .Select(_ =>
                    _session
                        .Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = task.TaskId }, cancellationToken: Ct)
                        .ResponseAsync
                )
        );
        Assert.All(again, r => Assert.Equal(0, r.Result.ExitCode));

        var exited = await _session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        Assert.Equal(TaskState.Exited, exited.Task.State);
        Assert.True(exited.Task.CompletedAt.Seconds > 0);

        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
        Assert.False(Directory.Exists(task.RunDir));
        Assert.Equal(imageHashBefore, Hash(task.ImagePath));
        var gone = await Assert.ThrowsAsync<RpcException>(async () =>
            await _session.Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = task.TaskId }, cancellationToken: Ct)
        );
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        // Stopping what is gone succeeds: Nomad retries failed stops with long backoffs.
        await _session.Driver.StopTaskAsync(
            new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(1) },
            cancellationToken: Ct
        );
    }

    [Fact(Timeout = 240_000)]
    public async Task Stop_GuestIgnoresPowerdown_KilledAfterTimeout()
    {
        using var task = new VmTask();
        var config = VmTask.DriverConfig([.. task.DirectKernelBoot("testguest.ignore_powerdown")]);
        await StartAsync(task, config);
        await task.WaitForPageAsync("/", s_boot, Ct);

        var watch = Stopwatch.StartNew();
        await _session.Driver.StopTaskAsync(
            new StopTaskRequest
            {
                TaskId = task.TaskId,
                Timeout = VmTask.Seconds(2),
                Signal = "SIGINT",
            },
            cancellationToken: Ct
        );
        watch.Stop();
        var result = await _session.Driver.WaitTaskAsync(
            new WaitTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );

        Assert.Equal(9, result.Result.Signal);
        Assert.Equal(137, result.Result.ExitCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2), $"killed before the timeout: {watch.Elapsed}");
        await _session.WaitForEventAsync(task.TaskId, "did not power off", TimeSpan.FromSeconds(5), Ct);
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
    }

    [Fact(Timeout = 240_000)]
    public async Task QemuKilledFromOutside_WaitReportsSignalWithinOneSecond()
    {
        using var task = new VmTask();
        await StartAsync(task, VmTask.DriverConfig());
        var inspect = await _session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        var pid = int.Parse(inspect.Driver.Attributes["qemu_pid"], System.Globalization.CultureInfo.InvariantCulture);
        var wait = _session
            .Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = task.TaskId }, cancellationToken: Ct)
            .ResponseAsync;

        var watch = Stopwatch.StartNew();
        Process.GetProcessById(pid).Kill();
        var result = await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        watch.Stop();

        Assert.Equal(9, result.Result.Signal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"WaitTask took {watch.Elapsed}");
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
        Assert.False(Directory.Exists(task.RunDir));
    }

    [Fact(Timeout = 240_000)]
    public async Task Signals_PauseResumeAndStats()
    {
        using var task = new VmTask();
        await StartAsync(task, VmTask.DriverConfig());
        await task.WaitForPageAsync("/", s_boot, Ct);

        var before = DateTimeOffset.UtcNow;
        var samples = new List<TaskResourceUsage>();
        using (
            var stats = _session.Driver.TaskStats(
                new TaskStatsRequest { TaskId = task.TaskId, CollectionInterval = VmTask.Seconds(0.5) },
                cancellationToken: Ct
            )
        )
        {
            // A booted guest printing a tick every second costs QEMU some CPU under TCG; a few samples see it.
            while (samples.Count < 10 && (samples.Count < 2 || samples.All(s => s.Cpu.Percent == 0)))
            {
                Assert.True(await stats.ResponseStream.MoveNext(Ct));
                var current = stats.ResponseStream.Current.Stats;
                Assert.InRange(current.Timestamp.ToDateTimeOffset(), before, DateTimeOffset.UtcNow);
                samples.Add(current.AggResourceUsage);
            }
        }
        var busy = samples.MaxBy(s => s.Cpu.Percent)!;
        Assert.True(busy.Memory.Rss > 16 * 1024 * 1024, $"rss {busy.Memory.Rss}");
        Assert.Contains(MemoryUsage.Types.Fields.Rss, busy.Memory.MeasuredFields);
        Assert.Contains(CPUUsage.Types.Fields.Percent, busy.Cpu.MeasuredFields);
        Assert.InRange(busy.Cpu.Percent, 0.1, 100.0 * Environment.ProcessorCount);
        // Nomad's formula: ticks = percent/100 × the node's MHz per core; both sides move together.
        Assert.True(busy.Cpu.TotalTicks > 0, $"total_ticks {busy.Cpu.TotalTicks} at {busy.Cpu.Percent} %");
        Assert.Equal(busy.Cpu.Percent, busy.Cpu.UserMode + busy.Cpu.SystemMode, 6);

        await _session.Driver.SignalTaskAsync(
            new SignalTaskRequest { TaskId = task.TaskId, Signal = "SIGSTOP" },
            cancellationToken: Ct
        );
        var ticksWhilePaused = CountTicks(task.Stdout.Text);
        await Task.Delay(TimeSpan.FromSeconds(4.5), Ct);
        Assert.Equal(ticksWhilePaused, CountTicks(task.Stdout.Text));
        await _session.WaitForEventAsync(task.TaskId, "paused", TimeSpan.FromSeconds(5), Ct);

        await _session.Driver.SignalTaskAsync(
            new SignalTaskRequest { TaskId = task.TaskId, Signal = "SIGCONT" },
            cancellationToken: Ct
        );
        await task.WaitForPageAsync("/", TestEnvironment.Scaled(10), Ct);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await _session.Driver.SignalTaskAsync(
                new SignalTaskRequest { TaskId = task.TaskId, Signal = "SIGUSR1" },
                cancellationToken: Ct
            )
        );
        Assert.Contains("SIGUSR1", unknown.Status.Detail);

        await _session.Driver.StopTaskAsync(
            new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(30) },
            cancellationToken: Ct
        );
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
    }

    private static int CountTicks(string console) => console.Split("TEST-GUEST-TICK").Length - 1;

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}

[CollectionDefinition(Name)]
public sealed class VmCollection
{
    public const string Name = "real VMs";
}
