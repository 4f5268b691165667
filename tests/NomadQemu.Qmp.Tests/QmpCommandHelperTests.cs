using NomadQemu.Qmp.Tests.Fakes;

namespace NomadQemu.Qmp.Tests;

public sealed class QmpCommandHelperTests
{
    public static TheoryData<string> CommandsWithoutResult => ["system_powerdown", "system_reset", "stop", "cont"];

    [Theory]
    [MemberData(nameof(CommandsWithoutResult))]
    public async Task Helper_SendsItsQmpCommandWithoutArguments(string expectedCommand)
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = expectedCommand switch
        {
            "system_powerdown" => client.SystemPowerdownAsync(timeout.Token),
            "system_reset" => client.SystemResetAsync(timeout.Token),
            "stop" => client.StopAsync(timeout.Token),
            "cont" => client.ContAsync(timeout.Token),
            _ => throw new ArgumentOutOfRangeException(nameof(expectedCommand)),
        };
        var command = await peer.ReadCommandAsync(timeout.Token);
        peer.Reply(command, "{}");
        await call;

        Assert.Equal(expectedCommand, command.GetProperty("execute").GetString());
        Assert.False(command.TryGetProperty("arguments", out _));
    }

    [Fact]
    public async Task QueryStatusAsync_PausedVm_ReturnsStatusAndRunningFalse()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.QueryStatusAsync(timeout.Token);
        peer.Reply(
            await peer.ReadCommandAsync(timeout.Token),
            """{"status": "paused", "singlestep": false, "running": false}"""
        );

        Assert.Equal(new QmpVmStatus("paused", false), await call);
    }

    [Fact]
    public async Task QueryStatusAsync_ReplyWithoutRunning_ThrowsQmpProtocolExceptionNamingTheField()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.QueryStatusAsync(timeout.Token);
        peer.Reply(await peer.ReadCommandAsync(timeout.Token), """{"status": "paused"}""");
        var ex = await Assert.ThrowsAsync<QmpProtocolException>(() => call);

        Assert.Contains("query-status reply: 'running'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryVersionAsync_Reply_ReturnsVersionWithTrimmedPackage()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.QueryVersionAsync(timeout.Token);
        peer.Reply(
            await peer.ReadCommandAsync(timeout.Token),
            """{"qemu": {"micro": 1, "minor": 0, "major": 8}, "package": " v8.0.1 "}"""
        );
        var version = await call;

        Assert.Equal(new QmpVersion(8, 0, 1, "v8.0.1"), version);
        Assert.Equal("8.0.1 (v8.0.1)", version.ToString());
    }

    [Fact]
    public async Task QuitAsync_PeerClosesWithoutReplying_CompletesAndCompletionFires()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var quit = client.QuitAsync(timeout.Token);
        var command = await peer.ReadCommandAsync(timeout.Token);
        peer.SendEvent(QmpEventNames.Shutdown, """{"guest": false, "reason": "host-qmp-quit"}""");
        peer.Close();
        await quit;

        Assert.Equal("quit", command.GetProperty("execute").GetString());
        Assert.Null(await client.Completion.WaitAsync(timeout.Token));
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task QuitAsync_AfterProtocolError_ReportsTheFailure()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        peer.SendLine("this is not json");
        await client.Completion.WaitAsync(timeout.Token);
        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => client.QuitAsync(timeout.Token));

        Assert.IsType<QmpProtocolException>(ex.InnerException);
    }
}
