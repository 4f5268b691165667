using System.Diagnostics;
using System.Text.Json;

namespace NomadQemu.Qmp.Tests.Integration;

/// <summary>
/// Against a real qemu-system-x86_64 (installed from Debian's "qemu-system-x86" package; CI installs it).
/// No guest is needed: "-machine none" has no CPUs to run, "-machine pc" boots into empty firmware.
/// </summary>
public sealed class RealQemuTests
{
    [Fact]
    public async Task ConnectAsync_RealQemu_GreetingQueryVersionAndQueryStatusAgree()
    {
        using var timeout = TestTimeout.Start(30);
        await using var qemu = QemuProcess.Start("none");
        await using var client = await qemu.ConnectAsync(timeout.Token);

        var version = await client.QueryVersionAsync(timeout.Token);
        var status = await client.QueryStatusAsync(timeout.Token);

        Assert.True(version.Major >= 7, $"QEMU {version} is older than 7");
        Assert.Equal(client.Greeting.Version, version);
        Assert.Equal(new QmpVmStatus("running", true), status);
    }

    [Fact]
    public async Task StopAndCont_RealQemu_EmitStopAndResumeAndStatusFollows()
    {
        using var timeout = TestTimeout.Start(30);
        await using var qemu = QemuProcess.Start("none");
        await using var client = await qemu.ConnectAsync(timeout.Token);
        using var events = client.SubscribeEvents();

        await client.StopAsync(timeout.Token);
        var stop = await events.Reader.ReadAsync(timeout.Token);
        var paused = await client.QueryStatusAsync(timeout.Token);
        await client.ContAsync(timeout.Token);
        var resume = await events.Reader.ReadAsync(timeout.Token);
        var running = await client.QueryStatusAsync(timeout.Token);

        Assert.Equal(QmpEventNames.Stop, stop.Name);
        Assert.Equal(new QmpVmStatus("paused", false), paused);
        Assert.Equal(QmpEventNames.Resume, resume.Name);
        Assert.Equal(new QmpVmStatus("running", true), running);
        Assert.True(
            Math.Abs((DateTimeOffset.UtcNow - stop.Timestamp).TotalMinutes) < 5,
            $"event timestamp {stop.Timestamp} is not wall-clock time"
        );
    }

    [Fact]
    public async Task SystemReset_RealQemu_EmitsResetFromTheHost()
    {
        using var timeout = TestTimeout.Start(30);
        await using var qemu = QemuProcess.Start("none");
        await using var client = await qemu.ConnectAsync(timeout.Token);
        using var events = client.SubscribeEvents();

        await client.SystemResetAsync(timeout.Token);
        var reset = await events.Reader.ReadAsync(timeout.Token);

        Assert.Equal(QmpEventNames.Reset, reset.Name);
        Assert.True(reset.TryGetShutdownCause(out var guest, out var reason));
        Assert.False(guest);
        Assert.Equal("host-qmp-system-reset", reason);
    }

    [Fact]
    public async Task ExecuteAsync_UnknownCommand_RealQemu_ThrowsQmpErrorExceptionAndStaysConnected()
    {
        using var timeout = TestTimeout.Start(30);
        await using var qemu = QemuProcess.Start("none");
        await using var client = await qemu.ConnectAsync(timeout.Token);

        var ex = await Assert.ThrowsAsync<QmpErrorException>(() =>
            client.ExecuteAsync("no-such-command", null, timeout.Token)
        );
        var name = await client.ExecuteAsync("query-name", null, timeout.Token);

        Assert.Equal("CommandNotFound", ex.ErrorClass);
        Assert.Contains("no-such-command", ex.Description, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, name.ValueKind);
    }

    [Fact]
    public async Task QuitAsync_RealQemu_EmitsShutdownClosesTheConnectionAndExitsZero()
    {
        using var timeout = TestTimeout.Start(30);
        await using var qemu = QemuProcess.Start("none");
        await using var client = await qemu.ConnectAsync(timeout.Token);
        using var events = client.SubscribeEvents();

        await client.QuitAsync(timeout.Token);
        var received = await ReadUntilConnectionEndsAsync(events, timeout.Token);
        var closeReason = await client.Completion.WaitAsync(timeout.Token);
        var exitCode = await qemu.WaitForExitAsync(timeout.Token);

        var shutdown = Assert.Single(received, e => e.Name == QmpEventNames.Shutdown);
        Assert.True(shutdown.TryGetShutdownCause(out var guest, out var reason));
        Assert.False(guest);
        Assert.Equal("host-qmp-quit", reason);
        Assert.Null(closeReason);
        Assert.False(client.IsConnected);
        Assert.Equal(0, exitCode);
        Assert.False(File.Exists(qemu.SocketPath), "QEMU removes its socket file when it exits cleanly");
    }

    [Fact]
    public async Task Sigterm_RealQemu_EmitsShutdownWithReasonHostSignalAndExitsZero()
    {
        using var timeout = TestTimeout.Start(30);
        await using var qemu = QemuProcess.Start("none");
        await using var client = await qemu.ConnectAsync(timeout.Token);
        using var events = client.SubscribeEvents();

        qemu.SendSigterm();
        var received = await ReadUntilConnectionEndsAsync(events, timeout.Token);
        await client.Completion.WaitAsync(timeout.Token);

        var shutdown = Assert.Single(received, e => e.Name == QmpEventNames.Shutdown);
        Assert.True(shutdown.TryGetShutdownCause(out var guest, out var reason));
        Assert.False(guest);
        Assert.Equal("host-signal", reason);
        Assert.Equal(0, await qemu.WaitForExitAsync(timeout.Token));
    }

    [Fact]
    public async Task SystemPowerdown_PcMachineWithoutOs_EmitsPowerdownThenKillIsNoticed()
    {
        using var timeout = TestTimeout.Start(30);
        await using var qemu = QemuProcess.Start("pc");
        await using var client = await qemu.ConnectAsync(timeout.Token);
        using var events = client.SubscribeEvents();

        await client.SystemPowerdownAsync(timeout.Token);
        var powerdown = await events.Reader.ReadAsync(timeout.Token);
        // No OS acts on the ACPI button, so the VM keeps running.
        var afterPowerdown = await client.QueryStatusAsync(timeout.Token);

        qemu.Process.Kill();
        var clock = Stopwatch.StartNew();
        var closeReason = await client.Completion.WaitAsync(timeout.Token);

        Assert.Equal(QmpEventNames.Powerdown, powerdown.Name);
        Assert.Null(powerdown.Data);
        Assert.Equal(new QmpVmStatus("running", true), afterPowerdown);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the close took {clock.Elapsed} to notice");
        Assert.True(closeReason is null or QmpConnectionClosedException, $"unexpected close reason {closeReason}");
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => client.QueryStatusAsync(timeout.Token));
        Assert.True(events.Reader.Completion.IsCompleted);
    }

    [Fact]
    public async Task ConnectAsync_SecondClientWhileFirstIsConnected_GetsNoGreetingUntilTheFirstLeaves()
    {
        using var timeout = TestTimeout.Start(30);
        await using var qemu = QemuProcess.Start("none");
        var first = await qemu.ConnectAsync(timeout.Token);
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            QmpClient.ConnectAsync(qemu.SocketPath, shortWait.Token)
        );
        await first.DisposeAsync();
        await using var second = await qemu.ConnectAsync(timeout.Token);

        Assert.Equal("running", (await second.QueryStatusAsync(timeout.Token)).Status);
    }

    private static async Task<List<QmpEvent>> ReadUntilConnectionEndsAsync(
        QmpEventSubscription events,
        CancellationToken cancellationToken
    )
    {
        var received = new List<QmpEvent>();
        await foreach (var e in events.ReadAllAsync(cancellationToken))
        {
            received.Add(e);
        }

        return received;
    }
}
