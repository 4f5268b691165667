using NomadQemu.Driver;
using NomadQemu.InProcess.Tests.Support;

namespace NomadQemu.InProcess.Tests.Core;

/// <summary>Start, stop, signals and guest-initiated exits through the driver core, with the fake QEMU.</summary>
public sealed class LifecycleTests : IDisposable
{
    private readonly FakeNode _node = new();
    private readonly FakeTask _task = new();

    [Fact]
    public async Task StartTask_FakeEmulator_RunsWithTheBuiltCommandLineAndAnswersQmp()
    {
        await using var driver = _node.NewDriver();

        var started = await driver.StartTaskAsync(_task.Request(), Timeouts.Token());

        Assert.NotEmpty(started.DriverState);
        Assert.True(driver.InspectTask(_task.TaskId).Running);
        var details = driver.Describe(_task.TaskId);
        Assert.Equal("tcg", details["accelerator"]);
        Assert.Equal(_task.Overlay, details["disk"]);
        Assert.True(File.Exists(details["disk"]), "the overlay was created by qemu-img");
        // The fake found its QMP socket in the argv and runs as the emulator the node's PATH names.
        var console = await EventuallyAsync(() => _task.Stdout, s => s.Contains("argv", StringComparison.Ordinal));
        // The supervisor made the socket; QEMU got it as a descriptor (Jail.InheritedFds.QmpSocket).
        Assert.Contains("QMP on fd 1000", console, StringComparison.Ordinal);
        Assert.Contains("-machine type=pc,accel=tcg", console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartTask_SameTaskTwice_RefusedAsAlreadyExists()
    {
        await using var driver = _node.NewDriver();
        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());

        var e = await Assert.ThrowsAsync<DriverException>(() =>
            driver.StartTaskAsync(_task.Request(), Timeouts.Token())
        );

        Assert.Equal(DriverErrorKind.AlreadyExists, e.Kind);
    }

    [Fact]
    public async Task StartTask_QemuExitsDuringStart_RecoverableAndNothingLeftBehind()
    {
        await using var driver = _node.NewDriver();

        var e = await Assert.ThrowsAsync<DriverException>(() =>
            driver.StartTaskAsync(_task.Request("exit-at-start=3"), Timeouts.Token())
        );

        Assert.Equal(DriverErrorKind.Recoverable, e.Kind);
        Assert.Contains("exit code 3", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_task.RunDir), "the half-made run dir is removed");
        Assert.Contains("exiting at start with code 3", _task.Stderr, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DriverException>(() => driver.WaitTaskAsync(_task.TaskId, Timeouts.Token()));
    }

    [Fact]
    public async Task SupervisorKilled_UnjailedQemuDiesWithIt()
    {
        await using var driver = _node.NewDriver();
        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());
        var started = _task.Started!;
        Assert.True(started.Qemu.IsAlive());

        Assert.True(started.Supervisor.TrySignal(Signals.SIGKILL));

        Assert.True(started.Qemu.WaitGone(Timeouts.Long), "QEMU got its parent-death signal");
    }

    [Fact]
    public async Task StopTask_GuestHonoursPowerdown_ExitsCleanlyWithoutKill()
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());

        await driver.StopTaskAsync(_task.TaskId, TimeSpan.FromSeconds(30), "SIGTERM", Timeouts.Token());
        var exit = await driver.WaitTaskAsync(_task.TaskId, Timeouts.Token());

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(0, exit.Signal);
        await events.WaitForAsync(_task.TaskId, "Sent ACPI power-down");
        Assert.Contains("exiting with code 0", _task.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopTask_GuestIgnoresPowerdown_KilledWhenTheTimeoutEnds()
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await driver.StartTaskAsync(_task.Request("ignore-powerdown"), Timeouts.Token());

        await driver.StopTaskAsync(_task.TaskId, TimeSpan.FromSeconds(1), "SIGTERM", Timeouts.Token());
        var exit = await driver.WaitTaskAsync(_task.TaskId, Timeouts.Token());

        Assert.Equal(9, exit.Signal);
        await events.WaitForAsync(_task.TaskId, "did not power off within 1 s");
    }

    [Fact]
    public async Task StopTask_GracefulShutdownOff_SignalEndsQemuWithoutQmp()
    {
        await using var driver = _node.NewDriver();
        await driver.StartTaskAsync(_task.Request("ignore-powerdown", ("graceful_shutdown", false)), Timeouts.Token());

        await driver.StopTaskAsync(_task.TaskId, TimeSpan.FromSeconds(30), "SIGTERM", Timeouts.Token());
        var exit = await driver.WaitTaskAsync(_task.TaskId, Timeouts.Token());

        // The fake ignores power-down here, so only the SIGTERM (QEMU's clean exit on it) can have ended it.
        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(0, exit.Signal);
        Assert.Contains("terminating on signal", _task.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SIGSTOP", "VM paused")]
    [InlineData("SIGCONT", "VM resumed")]
    [InlineData("SIGHUP", "VM reset")]
    [InlineData("SIGINT", "sent ACPI power-down")]
    public async Task SignalTask_VmSignal_ReachesQemuOverQmp(string signal, string expectedEvent)
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await driver.StartTaskAsync(_task.Request("ignore-powerdown"), Timeouts.Token());

        await driver.SignalTaskAsync(_task.TaskId, signal, Timeouts.Token());

        var e = await events.WaitForAsync(_task.TaskId, expectedEvent);
        Assert.StartsWith(signal, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignalTask_UnknownSignal_RefusedWithTheSupportedList()
    {
        await using var driver = _node.NewDriver();
        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());

        var e = await Assert.ThrowsAsync<DriverException>(() =>
            driver.SignalTaskAsync(_task.TaskId, "SIGWINCH", Timeouts.Token())
        );

        Assert.Equal(DriverErrorKind.InvalidConfig, e.Kind);
        Assert.Contains("SIGWINCH", e.Message, StringComparison.Ordinal);
        Assert.Contains("SIGHUP", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GuestPowersItselfOff_EventAndCleanExit()
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await driver.StartTaskAsync(_task.Request("guest-poweroff-after-ms=1500"), Timeouts.Token());

        var exit = await driver.WaitTaskAsync(_task.TaskId, Timeouts.Token());

        Assert.True(exit.Successful);
        await events.WaitForAsync(_task.TaskId, "Guest powered itself off");
    }

    [Fact]
    public async Task GuestPanics_PanicEvent()
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await driver.StartTaskAsync(_task.Request("panic-after-ms=1500"), Timeouts.Token());

        await events.WaitForAsync(_task.TaskId, "Guest kernel panicked");
        Assert.True(driver.InspectTask(_task.TaskId).Running, "a panicked guest's QEMU keeps running");
    }

    [Fact]
    public async Task DestroyTask_RunningWithoutForce_RefusedThenForceRemovesEverything()
    {
        await using var driver = _node.NewDriver();
        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());
        var qemuPid = int.Parse(
            driver.Describe(_task.TaskId)["qemu_pid"],
            System.Globalization.CultureInfo.InvariantCulture
        );

        var refused = await Assert.ThrowsAsync<DriverException>(() =>
            driver.DestroyTaskAsync(_task.TaskId, force: false, Timeouts.Token())
        );
        await driver.DestroyTaskAsync(_task.TaskId, force: true, Timeouts.Token());

        Assert.Equal(DriverErrorKind.FailedPrecondition, refused.Kind);
        Assert.False(Directory.Exists(_task.RunDir));
        Assert.False(Directory.Exists($"/proc/{qemuPid}"), "QEMU was killed");
        var gone = Assert.Throws<DriverException>(() => driver.InspectTask(_task.TaskId));
        Assert.Equal(DriverErrorKind.NotFound, gone.Kind);
    }

    internal static async Task<string> EventuallyAsync(Func<string> read, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + Timeouts.Long;
        while (true)
        {
            var value = read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose()
    {
        _task.Dispose();
        _node.Dispose();
    }
}
