using System.Text.Json;
using System.Text.Json.Nodes;
using NomadQemu.Qmp.Tests.Fakes;

namespace NomadQemu.Qmp.Tests;

public sealed class QmpExecuteTests
{
    [Fact]
    public async Task ExecuteAsync_WithArguments_SendsExecuteArgumentsAndNumericId()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync(
            "human-monitor-command",
            new JsonObject { ["command-line"] = "info\nversion \"x\"" },
            timeout.Token
        );
        var command = await peer.ReadCommandAsync(timeout.Token);
        peer.Reply(command, "\"7.2.22\"");

        Assert.Equal("human-monitor-command", command.GetProperty("execute").GetString());
        Assert.Equal("info\nversion \"x\"", command.GetProperty("arguments").GetProperty("command-line").GetString());
        Assert.True(command.GetProperty("id").TryGetInt64(out _));
        Assert.Equal("7.2.22", (await call).GetString());
    }

    [Fact]
    public async Task ExecuteAsync_TwoCommands_GetDistinctIds()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var first = client.ExecuteAsync("query-status", null, timeout.Token);
        var second = client.ExecuteAsync("query-status", null, timeout.Token);
        var a = await peer.ReadCommandAsync(timeout.Token);
        var b = await peer.ReadCommandAsync(timeout.Token);
        peer.Reply(a, "1");
        peer.Reply(b, "2");
        await Task.WhenAll(first, second);

        Assert.NotEqual(a.GetProperty("id").GetInt64(), b.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task ExecuteAsync_RepliesOutOfOrder_EachCallerGetsItsOwnResult()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var version = client.ExecuteAsync("query-version", null, timeout.Token);
        var status = client.ExecuteAsync("query-status", null, timeout.Token);
        var versionCommand = await peer.ReadCommandAsync(timeout.Token);
        var statusCommand = await peer.ReadCommandAsync(timeout.Token);

        peer.Reply(statusCommand, """{"status": "running", "running": true}""");
        Assert.Equal("running", (await status).GetProperty("status").GetString());
        Assert.False(version.IsCompleted, "the other command must still wait for its own reply");

        peer.Reply(versionCommand, """{"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": ""}""");
        Assert.Equal(7, (await version).GetProperty("qemu").GetProperty("major").GetInt32());
    }

    [Fact]
    public async Task ExecuteAsync_FiftyConcurrentCallsAnsweredInReverse_AllGetTheirOwnResult()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        const int count = 50;

        var calls = Enumerable
            .Range(0, count)
            .Select(i => Task.Run(() => client.ExecuteAsync("echo", new JsonObject { ["n"] = i }, timeout.Token)))
            .ToArray();
        var commands = new List<JsonElement>();
        for (var i = 0; i < count; i++)
        {
            commands.Add(await peer.ReadCommandAsync(timeout.Token));
        }

        foreach (var command in Enumerable.Reverse(commands))
        {
            peer.Reply(command, command.GetProperty("arguments").GetProperty("n").GetRawText());
        }

        var results = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, count), results.Select(r => r.GetInt32()));
        Assert.Equal(count, commands.Select(c => c.GetProperty("id").GetInt64()).Distinct().Count());
    }

    [Fact]
    public async Task ExecuteAsync_ErrorReply_ThrowsQmpErrorExceptionWithClassAndDescAndStaysUsable()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync("nosuch", null, timeout.Token);
        peer.ReplyError(
            await peer.ReadCommandAsync(timeout.Token),
            "CommandNotFound",
            "The command nosuch has not been found"
        );
        var ex = await Assert.ThrowsAsync<QmpErrorException>(() => call);

        Assert.Equal("nosuch", ex.Command);
        Assert.Equal("CommandNotFound", ex.ErrorClass);
        Assert.Equal("The command nosuch has not been found", ex.Description);
        Assert.Contains("CommandNotFound", ex.Message, StringComparison.Ordinal);

        var next = client.ExecuteAsync("query-status", null, timeout.Token);
        peer.Reply(await peer.ReadCommandAsync(timeout.Token), "{}");
        Assert.Equal(JsonValueKind.Object, (await next).ValueKind);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledWhileWaiting_ThrowsOperationCanceledAndLateReplyIsIgnored()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var callToken = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        var call = client.ExecuteAsync("query-status", null, callToken.Token);
        var cancelledCommand = await peer.ReadCommandAsync(timeout.Token);
        await callToken.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // The reply still arrives later; it must be dropped, not given to the next command.
        peer.Reply(cancelledCommand, "\"late\"");
        var next = client.ExecuteAsync("query-status", null, timeout.Token);
        peer.Reply(await peer.ReadCommandAsync(timeout.Token), "\"mine\"");
        Assert.Equal("mine", (await next).GetString());
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task ExecuteAsync_TokenAlreadyCancelled_ThrowsWithoutSending()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.ExecuteAsync("stop", null, new CancellationToken(canceled: true))
        );

        Assert.True(peer.HasNoUnreadCommands);
    }

    [Fact]
    public async Task ExecuteAsync_ReplyWithUnknownOrForeignId_IsIgnored()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync("query-status", null, timeout.Token);
        var command = await peer.ReadCommandAsync(timeout.Token);
        peer.SendLine("""{"return": "not yours", "id": 987654}""");
        peer.SendLine("""{"return": "not yours either", "id": "libvirt-12"}""");
        peer.Reply(command, "\"yours\"");

        Assert.Equal("yours", (await call).GetString());
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task ExecuteAsync_EmptyCommandName_ThrowsArgumentException()
    {
        using var timeout = TestTimeout.Start();
        (var client, _, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync(" ", null, timeout.Token));
    }

    [Fact]
    public async Task ExecuteAsync_AfterDispose_ThrowsObjectDisposed()
    {
        using var timeout = TestTimeout.Start();
        (var client, _, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            client.ExecuteAsync("query-status", null, timeout.Token)
        );
    }
}
