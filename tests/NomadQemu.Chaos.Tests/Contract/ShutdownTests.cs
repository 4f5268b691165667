using System.Diagnostics;
using NomadQemu.Chaos.Tests.Support;
using NomadQemu.Protocol.Drivers;
using NomadQemu.Protocol.GoPlugin;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.Contract;

/// <summary>
/// go-plugin's Kill(): Shutdown, the client closes its connection, SIGKILL 2 s later. With a VM running and
/// every kind of long call open, the plugin must be gone within 1 s, its socket removed, the VM untouched
/// and recovered by the next instance.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ShutdownTests : IAsyncLifetime
{
    private readonly ChaosNode _node = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _node.StartPluginAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact(Timeout = 300_000)]
    public async Task Shutdown_WithVmAndEveryLongCallInFlight_ExitsWithinOneSecond_VmRecoveredByNextInstance()
    {
        var task = _node.NewTask();
        var started = await _node.StartVmAsync(task);
        var qemuPid = await _node.QemuPidAsync(task.TaskId);
        var plugin = _node.Session.Plugin;
        var channel = plugin.Channel;
        using var calls = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var driver = new Driver.DriverClient(channel);
        var wait = driver.WaitTaskAsync(new WaitTaskRequest { TaskId = task.TaskId }, cancellationToken: calls.Token);
        using var fingerprint = driver.Fingerprint(new FingerprintRequest(), cancellationToken: calls.Token);
        using var events = driver.TaskEvents(new TaskEventsRequest(), cancellationToken: calls.Token);
        using var stats = driver.TaskStats(
            new TaskStatsRequest { TaskId = task.TaskId, CollectionInterval = VmTask.Seconds(1) },
            cancellationToken: calls.Token
        );
        using var stdio = new GRPCStdio.GRPCStdioClient(channel).StreamStdio(
            new Google.Protobuf.WellKnownTypes.Empty(),
            cancellationToken: calls.Token
        );
        using var broker = new GRPCBroker.GRPCBrokerClient(channel).StartStream(cancellationToken: calls.Token);
        Assert.True(await fingerprint.ResponseStream.MoveNext(Ct));
        Assert.True(await stats.ResponseStream.MoveNext(Ct));
        await Task.WhenAll(events.ResponseHeadersAsync, stdio.ResponseHeadersAsync);
        await Task.Delay(200, Ct);
        Assert.False(wait.ResponseAsync.IsCompleted, "WaitTask must still be blocked while the VM runs");

        var watch = Stopwatch.StartNew();
        await plugin.Controller.ShutdownAsync(new Empty(), cancellationToken: Ct);
        // go-plugin closes its connection right after Shutdown returns (its calls end with it).
        channel.Dispose();
        var exited = await plugin.WaitForExitAsync(TimeSpan.FromSeconds(5));
        watch.Stop();
        await calls.CancelAsync();

        Assert.True(exited, "the plugin did not exit within 5 s of Shutdown");
        // The aim is 1 s (reported by bench item 11); the test holds the line that matters on a loaded CI machine:
        // out before go-plugin's SIGKILL, 2 s after Shutdown (main took 30 s).
        Assert.True(
            watch.Elapsed <= TestEnvironment.Scaled(2),
            $"Shutdown → exit took {watch.ElapsedMilliseconds} ms (must be ≤ {TestEnvironment.Scaled(2).TotalMilliseconds} ms)"
        );
        Assert.False(File.Exists(plugin.SocketPath), $"socket {plugin.SocketPath} left behind");
        Assert.True(HostProcesses.IsAlive(qemuPid), "the VM must survive the plugin's shutdown");
        await _node.DetachPluginAsync();

        await _node.StartPluginAsync();
        await _node.RecoverAsync(started.Handle);
        Assert.Equal(qemuPid, await _node.QemuPidAsync(task.TaskId));
        var inspect = await _node.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        Assert.Equal(TaskState.Running, inspect.Task.State);
        await _node.Driver.StopTaskAsync(
            new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(0) },
            cancellationToken: Ct
        );
        await _node.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
        await ChaosNode.AssertNothingLeftAsync(task);
    }
}
