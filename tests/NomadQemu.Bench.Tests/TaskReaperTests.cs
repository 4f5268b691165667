using System.Globalization;
using Grpc.Core;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Tests;

/// <summary>
/// The reaper the bench and the end-to-end suites rely on, against the real plugin and a real QEMU: a session
/// disposed with a VM still running takes the VM with it; a plugin killed on purpose leaves its VM for
/// recovery, and <see cref="LeftoverVms"/> then takes it back and destroys it.
/// </summary>
public sealed class TaskReaperTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ShortTempDir _stateDir = new();
    private readonly VmTask _task = new("reap");

    private byte[] PluginConfig => NomadMsgpack.PluginConfig(stateDir: _stateDir.Path);

    /// <summary>The QEMU this test started, for the safety net in <see cref="Dispose"/>.</summary>
    private int _qemuPid;

    public void Dispose()
    {
        // Should a test fail before its reaper ran, its QEMU may not outlive it.
        if (_qemuPid > 0 && IsRunning(_qemuPid))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(_qemuPid).Kill();
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
        _task.Dispose();
        _stateDir.Dispose();
    }

    private async Task<(StartTaskResponse Started, int QemuPid)> StartVmAsync(PluginSession session)
    {
        var started = await session.Driver.StartTaskAsync(
            new StartTaskRequest
            {
                Task = _task.TaskConfig(VmTask.DriverConfig([("profile", "fast"), .. _task.DirectKernelBoot()]), 128),
            },
            cancellationToken: Ct
        );
        var inspect = await session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = _task.TaskId },
            cancellationToken: Ct
        );
        var pid = int.Parse(inspect.Driver.Attributes["qemu_pid"], CultureInfo.InvariantCulture);
        _qemuPid = pid;
        Assert.True(IsRunning(pid), $"QEMU {pid} is not running right after StartTask");
        return (started, pid);
    }

    [Fact(Timeout = 5 * 60 * 1000)]
    public async Task DisposingTheSession_DestroysTheVmItStarted()
    {
        var session = await PluginSession.StartAsync(PluginConfig, cancellationToken: Ct);
        int qemuPid;
        try
        {
            (_, qemuPid) = await StartVmAsync(session);
            Assert.Equal(_task.TaskId, Assert.Single(session.Plugin.Reaper.Outstanding));
        }
        finally
        {
            await session.DisposeAsync();
        }

        await AssertGoneAsync(qemuPid);
        Assert.False(Directory.Exists(_task.RunDir), $"the run dir {_task.RunDir} survives the reaper");
    }

    [Fact(Timeout = 5 * 60 * 1000)]
    public async Task DestroyedTask_IsForgotten_AndARefusedStartIsReapedWithoutError()
    {
        await using var session = await PluginSession.StartAsync(PluginConfig, cancellationToken: Ct);
        var (_, qemuPid) = await StartVmAsync(session);
        await session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = _task.TaskId, Force = true },
            cancellationToken: Ct
        );
        Assert.Empty(session.Plugin.Reaper.Outstanding);
        await AssertGoneAsync(qemuPid);

        using var refused = new VmTask("refused", copyImage: false);
        await Assert.ThrowsAsync<RpcException>(async () =>
            await session.Driver.StartTaskAsync(
                new StartTaskRequest { Task = refused.TaskConfig(VmTask.DriverConfig(("vcpus", -3))) },
                cancellationToken: Ct
            )
        );
        Assert.Equal(refused.TaskId, Assert.Single(session.Plugin.Reaper.Outstanding));
        // The driver may answer the destroy of a task it never had with success or NotFound: either way the
        // reaper is done with it, and nothing throws.
        await session.Plugin.Reaper.ReapAsync(session.Driver, TestEnvironment.Scaled(30));
        Assert.Empty(session.Plugin.Reaper.Outstanding);
    }

    [Fact(Timeout = 5 * 60 * 1000)]
    public async Task KilledPlugin_LeavesItsVmForRecovery_ThenLeftoverVmsDestroysIt()
    {
        var session = await PluginSession.StartAsync(PluginConfig, cancellationToken: Ct);
        StartTaskResponse started;
        int qemuPid;
        try
        {
            (started, qemuPid) = await StartVmAsync(session);
            session.Plugin.Kill();
            Assert.True(await session.Plugin.WaitForExitAsync(TimeSpan.FromSeconds(10)), "no exit on SIGKILL");
        }
        finally
        {
            await session.DisposeAsync();
        }
        Assert.True(IsRunning(qemuPid), "the VM must outlive a plugin killed on purpose (a new one recovers it)");

        var destroyed = await LeftoverVms.DestroyAsync(PluginConfig, [started.Handle]);

        Assert.Equal(_task.TaskId, Assert.Single(destroyed));
        await AssertGoneAsync(qemuPid);
    }

    private static async Task AssertGoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(15);
        while (IsRunning(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }
        Assert.False(IsRunning(pid), $"QEMU {pid} still runs");
    }

    /// <summary>Alive and not a zombie waiting for its parent.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
