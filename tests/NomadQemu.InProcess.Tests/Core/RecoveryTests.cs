using NomadQemu.Driver;
using NomadQemu.Driver.Tasks;
using NomadQemu.InProcess.Tests.Support;

namespace NomadQemu.InProcess.Tests.Core;

/// <summary>A second driver instance (a restarted plugin) taking over VMs from the stored driver state.</summary>
public sealed class RecoveryTests : IDisposable
{
    private readonly FakeNode _node = new();
    private readonly FakeTask _task = new();

    private TaskStatusInfo Info => new(_task.TaskName, _task.AllocId, _task.AllocDir);

    [Fact]
    public async Task RecoverTask_VmStillRunning_ReattachesAndControlsIt()
    {
        byte[] state;
        await using (var first = _node.NewDriver())
        {
            state = (await first.StartTaskAsync(_task.Request(), Timeouts.Token())).DriverState;
        }
        var qemuPid = _task.Started!.QemuPid;
        await using var second = _node.NewDriver();

        await second.RecoverTaskAsync(_task.TaskId, state, Info, Timeouts.Token());
        await second.RecoverTaskAsync(_task.TaskId, state, Info, Timeouts.Token());

        Assert.True(second.InspectTask(_task.TaskId).Running);
        Assert.Equal(
            qemuPid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            second.Describe(_task.TaskId)["qemu_pid"]
        );
        await second.StopTaskAsync(_task.TaskId, TimeSpan.FromSeconds(30), null, Timeouts.Token());
        var exit = await second.WaitTaskAsync(_task.TaskId, Timeouts.Token());
        Assert.True(exit.Successful, $"powered off over QMP by the new instance: {exit}");
    }

    [Fact]
    public async Task RecoverTask_VmExitedWhileAway_AdoptedWithItsRealExit()
    {
        byte[] state;
        await using (var first = _node.NewDriver())
        {
            state = (await first.StartTaskAsync(_task.Request(), Timeouts.Token())).DriverState;
        }
        var started = _task.Started!;
        Assert.True(started.Qemu.TrySignal(Signals.SIGKILL));
        Assert.True(started.Supervisor.WaitGone(Timeouts.Long), "the supervisor records the exit and ends");
        await using var second = _node.NewDriver();

        await second.RecoverTaskAsync(_task.TaskId, state, Info, Timeouts.Token());
        var exit = await second
            .WaitTaskAsync(_task.TaskId, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.False(second.InspectTask(_task.TaskId).Running);
        Assert.Equal(9, exit.Signal);
        Assert.Equal(128 + 9, exit.ExitCode);
    }

    [Fact]
    public async Task RecoverTask_RunDirOutsideATaskRunDir_RefusedAsInvalidConfig()
    {
        byte[] state;
        await using (var first = _node.NewDriver())
        {
            state = (await first.StartTaskAsync(_task.Request(), Timeouts.Token())).DriverState;
        }
        var forged = DriverState.Decode(state) with { RunDir = "/etc" };
        await using var second = _node.NewDriver();

        var e = await Assert.ThrowsAsync<DriverException>(() =>
            second.RecoverTaskAsync(_task.TaskId, forged.Encode(), Info, Timeouts.Token())
        );

        Assert.Equal(DriverErrorKind.InvalidConfig, e.Kind);
        Assert.Contains("/etc", e.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists("/etc"));
    }

    public void Dispose()
    {
        _task.Dispose();
        _node.Dispose();
    }
}
