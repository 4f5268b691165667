using NomadQemu.Qmp.GuestAgent;
using NomadQemu.Qmp.Tests.GuestAgent.Fakes;

namespace NomadQemu.Qmp.Tests.GuestAgent;

/// <summary>Replies, errors, malformed input, queueing and disposal on a synchronised session.</summary>
public sealed class GuestAgentSessionTests
{
    [Fact]
    public async Task ErrorReply_ThrowsCommandExceptionWithClassAndDescription_AndTheSessionStaysSynchronized()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync("guest-get-users", null, timeout.Token);
        await agent.ExpectCommandAsync("guest-get-users", timeout.Token);
        agent.ReplyError("CommandNotFound", "Command guest-get-users has been disabled");
        var ex = await Assert.ThrowsAsync<GuestAgentCommandException>(() => call);
        var next = client.PingAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token); // not delimited: no resync
        agent.Reply("{}");
        await next;

        Assert.Equal("guest-get-users", ex.Command);
        Assert.Equal("CommandNotFound", ex.ErrorClass);
        Assert.Equal("Command guest-get-users has been disabled", ex.Description);
        Assert.Equal(1, client.SynchronizationCount);
    }

    [Theory]
    [InlineData("""{"return": {"status": """, "Malformed JSON")]
    [InlineData("""{"return": 1} {"return": 2}""", "data after its JSON value")]
    public async Task MalformedReply_ThrowsProtocolException_AndTheNextCallResyncs(string line, string expected)
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.PingAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.SendLine(line);
        var ex = await Assert.ThrowsAsync<GuestAgentProtocolException>(() => call);
        Assert.False(client.IsSynchronized);
        var next = client.PingAsync(timeout.Token);
        await agent.ServeSyncAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.Reply("{}");
        await next;

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8Reply_ThrowsProtocolException()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.PingAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.SendRaw([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}', (byte)'\n']);

        var ex = await Assert.ThrowsAsync<GuestAgentProtocolException>(() => call);
        Assert.Contains("UTF-8", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"something": "else"}""", "neither")]
    [InlineData("""[1, 2]""", "neither")]
    [InlineData("""{"error": {"class": "GenericError"}}""", "neither")]
    [InlineData("""{"return": {"version": "7.2"}}""", "supported_commands")]
    [InlineData("""{"return": {"version": 7, "supported_commands": []}}""", "expected shape")]
    [InlineData("""{"return": null}""", "guest-info")]
    public async Task ReplyOfTheWrongShape_ThrowsProtocolExceptionSayingWhatWasWrong(string line, string expected)
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.GetInfoAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-info", timeout.Token);
        agent.SendLine(line);

        var ex = await Assert.ThrowsAsync<GuestAgentProtocolException>(() => call);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DelimiterOutsideResync_ThrowsProtocolException_AndTheNextCallResyncs()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.PingAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.SendSyncReply(42);

        await Assert.ThrowsAsync<GuestAgentProtocolException>(() => call);
        Assert.False(client.IsSynchronized);
    }

    [Fact]
    public async Task ReplyLongerThanTheLimit_ThrowsProtocolException_AndResyncDiscardsItsRest()
    {
        using var timeout = TestTimeout.Start();
        var options = FakeGuestAgentSocket.FastOptions with { MaxReplyBytes = 1024 };
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token, options);
        await using var clientScope = client;

        var call = client.PingAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.SendRaw("{\"return\": \"" + new string('x', 700));
        agent.SendRaw(new string('x', 700));
        var ex = await Assert.ThrowsAsync<GuestAgentProtocolException>(() => call);

        var next = client.PingAsync(timeout.Token);
        agent.SendLine(new string('x', 5000) + "\"}");
        await agent.ServeSyncAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.Reply("{}");
        await next;

        Assert.Contains("limit of 1024 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentCalls_GoToTheAgentOneAtATimeInArrivalOrder()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var first = client.ExecuteAsync("first", null, timeout.Token);
        var second = client.ExecuteAsync("second", null, timeout.Token);
        var third = client.ExecuteAsync("third", null, timeout.Token);
        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var command = await agent.ReadCommandAsync(timeout.Token);
            order.Add(command.Name);
            Assert.True(
                await agent.StaysQuietAsync(TimeSpan.FromMilliseconds(50), timeout.Token),
                "a second command was written before the first was answered"
            );
            agent.Reply(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(["first", "second", "third"], order);
        Assert.Equal(0, (await first).GetInt32());
        Assert.Equal(1, (await second).GetInt32());
        Assert.Equal(2, (await third).GetInt32());
    }

    [Fact]
    public async Task QueuedCall_Cancelled_LeavesTheQueueWithoutReachingTheAgent()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        var holding = client.ExecuteAsync("holding", null, timeout.Token);
        await agent.ExpectCommandAsync("holding", timeout.Token);
        var queued = client.ExecuteAsync("queued", null, caller.Token);
        var after = client.ExecuteAsync("after", null, timeout.Token);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        agent.Reply("1");
        await agent.ExpectCommandAsync("after", timeout.Token);
        agent.Reply("2");

        Assert.Equal(1, (await holding).GetInt32());
        Assert.Equal(2, (await after).GetInt32());
        Assert.True(client.IsSynchronized);
    }

    [Fact]
    public async Task QueuedCall_GateHeldLongerThanTheCommandTimeout_ThrowsNotRespondingAboutTheQueueInTime()
    {
        using var timeout = TestTimeout.Start();
        var blocker = new TaskCompletionSource();
        var socket = new FakeGuestAgentSocket { ConnectBlocker = blocker.Task };
        var options = FakeGuestAgentSocket.FastOptions with { CommandTimeout = TimeSpan.FromMilliseconds(500) };
        await using var client = socket.CreateClient(options);

        // The first call holds the gate inside a connect that ignores its token.
        var holding = client.PingAsync(timeout.Token);
        await Task.Delay(50, timeout.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var queued = client.PingAsync(timeout.Token);
        var ex = await Assert.ThrowsAsync<GuestAgentNotRespondingException>(() => queued);
        var waited = clock.Elapsed;
        blocker.SetResult();
        await Assert.ThrowsAnyAsync<GuestAgentUnavailableException>(() => holding);

        Assert.Contains("earlier guest agent commands", ex.Message, StringComparison.Ordinal);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(400), TestTimeout.Scaled(3));
    }

    [Fact]
    public async Task Dispose_WithACallInFlightAndOneQueued_FailsBothWithNotConnectedAndLaterCallsWithDisposed()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);

        var inFlight = client.PingAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        var queued = client.GetInfoAsync(timeout.Token);
        await client.DisposeAsync().AsTask().WaitAsync(timeout.Token);

        var ex = await Assert.ThrowsAsync<GuestAgentNotConnectedException>(() => inFlight);
        Assert.Contains("disposed", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<GuestAgentNotConnectedException>(() => queued);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.PingAsync(timeout.Token));
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedAtConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new GuestAgentClient("/tmp/x.sock", new GuestAgentOptions { SyncTimeout = TimeSpan.Zero })
        );
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new GuestAgentClient("/tmp/x.sock", new GuestAgentOptions { MaxReplyBytes = 10 })
        );
        Assert.Throws<ArgumentException>(() => new GuestAgentClient("/tmp/" + new string('s', 120)));
    }
}
