using System.Diagnostics;
using NomadQemu.Qmp.GuestAgent;
using NomadQemu.Qmp.Tests.GuestAgent.Fakes;

namespace NomadQemu.Qmp.Tests.GuestAgent;

/// <summary>guest-sync-delimited: on connect, after timeouts, and through a previous session's leftovers.</summary>
public sealed class GuestAgentSyncTests
{
    [Fact]
    public async Task FirstCall_BeforeTheCommand_SendsDelimiterAndSyncWithARandomId()
    {
        using var timeout = TestTimeout.Start();
        var ids = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            var socket = new FakeGuestAgentSocket();
            await using var client = socket.CreateClient();
            var ping = client.PingAsync(timeout.Token);
            var agent = await socket.AcceptAsync(timeout.Token);

            ids.Add(await agent.ServeSyncAsync(timeout.Token));
            await agent.ExpectCommandAsync("guest-ping", timeout.Token);
            agent.Reply("{}");
            await ping;

            Assert.True(client.IsSynchronized);
            Assert.Equal(1, client.SynchronizationCount);
        }

        Assert.All(ids, id => Assert.InRange(id, 1, 1L << 53));
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public async Task Sync_PreviousSessionLeftoversBeforeTheDelimitedReply_AreDiscarded()
    {
        using var timeout = TestTimeout.Start();
        var socket = new FakeGuestAgentSocket();
        await using var client = socket.CreateClient();
        var info = client.GetInfoAsync(timeout.Token);
        var agent = await socket.AcceptAsync(timeout.Token);
        var sync = await agent.ReadCommandAsync(timeout.Token);
        var id = sync.Arguments.GetProperty("id").GetInt64();

        // A previous client's exec-status reply, half a reply cut by an agent restart, an earlier sync's
        // delimited reply with another id, and the agent's complaint about our 0xFF: all before ours.
        agent.SendLine("""{"return": {"pid": 77}}""");
        agent.SendRaw("""{"return": {"exited": true, "out-d""");
        agent.SendSyncReply(id + 1);
        agent.SendLine("""{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\ufffd'"}}""");
        agent.SendSyncReply(id);
        await agent.ExpectCommandAsync("guest-info", timeout.Token);
        agent.Reply("""{"version": "7.2.22", "supported_commands": []}""");

        Assert.Equal("7.2.22", (await info).Version);
    }

    [Fact]
    public async Task Sync_DelimiterInsideAStaleLine_UsesWhatFollowsTheLastDelimiter()
    {
        using var timeout = TestTimeout.Start();
        var socket = new FakeGuestAgentSocket();
        await using var client = socket.CreateClient();
        var ping = client.PingAsync(timeout.Token);
        var agent = await socket.AcceptAsync(timeout.Token);
        var id = (await agent.ReadCommandAsync(timeout.Token)).Arguments.GetProperty("id").GetInt64();

        agent.SendRaw([
            0xFF,
            .. """{"return": {"pi"""u8.ToArray(),
            0xFF,
            .. System.Text.Encoding.UTF8.GetBytes($$"""{"return": {{id}}}""" + "\n"),
        ]);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.Reply("{}");

        await ping;
        Assert.True(client.IsSynchronized);
    }

    [Fact]
    public async Task Sync_ReplyArrivesOneByteAtATime_IsReassembled()
    {
        using var timeout = TestTimeout.Start();
        var socket = new FakeGuestAgentSocket();
        await using var client = socket.CreateClient();
        var time = client.GetTimeAsync(timeout.Token);
        var agent = await socket.AcceptAsync(timeout.Token);
        var id = (await agent.ReadCommandAsync(timeout.Token)).Arguments.GetProperty("id").GetInt64();
        byte[] reply = [0xFF, .. System.Text.Encoding.UTF8.GetBytes($$"""{"return": {{id}}}""" + "\n")];

        foreach (var b in reply)
        {
            agent.SendRaw([b]);
        }

        await agent.ExpectCommandAsync("guest-get-time", timeout.Token);
        foreach (var b in "{\"return\": 1700000000123456789}\n"u8.ToArray())
        {
            agent.SendRaw([b]);
        }

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123).AddTicks(4567), await time);
    }

    [Fact]
    public async Task Sync_AgentSilent_ThrowsNotRespondingAfterSyncTimeoutNotTheCommandTimeout()
    {
        using var timeout = TestTimeout.Start();
        var socket = new FakeGuestAgentSocket();
        var options = FakeGuestAgentSocket.FastOptions with
        {
            SyncTimeout = TimeSpan.FromMilliseconds(500),
            CommandTimeout = TimeSpan.FromSeconds(30),
        };
        await using var client = socket.CreateClient(options);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<GuestAgentNotRespondingException>(() => client.PingAsync(timeout.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TestTimeout.Scaled(5));
        Assert.Contains("guest-sync-delimited", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/run/fake/qga.sock", ex.Message, StringComparison.Ordinal);
        Assert.False(client.IsSynchronized);
    }

    [Fact]
    public async Task Sync_AgentRestartsAndAnswersEarlierAttemptsFirst_TheLatestAttemptWins()
    {
        using var timeout = TestTimeout.Start();
        var socket = new FakeGuestAgentSocket();
        await using var client = socket.CreateClient(
            FakeGuestAgentSocket.FastOptions with
            {
                SyncTimeout = TimeSpan.FromMilliseconds(500),
            }
        );

        // The guest is rebooting: the first handshake goes unanswered.
        var firstAttempt = client.PingAsync(timeout.Token);
        var agent = await socket.AcceptAsync(timeout.Token);
        var first = await agent.ReadCommandAsync(timeout.Token);
        await Assert.ThrowsAsync<GuestAgentNotRespondingException>(() => firstAttempt);

        // The new agent reads both queued handshakes and answers them in order.
        var secondAttempt = client.PingAsync(timeout.Token);
        var second = await agent.ReadCommandAsync(timeout.Token);
        Assert.True(second.Delimited);
        agent.SendSyncReply(first.Arguments.GetProperty("id").GetInt64());
        agent.SendSyncReply(second.Arguments.GetProperty("id").GetInt64());
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.Reply("{}");

        await secondAttempt;
        Assert.Equal(1, socket.Connections);
        Assert.True(client.IsSynchronized);
    }

    [Fact]
    public async Task Command_ReplyTimesOut_NextCallResyncsAndIgnoresTheLateReply()
    {
        using var timeout = TestTimeout.Start();
        var options = FakeGuestAgentSocket.FastOptions with { CommandTimeout = TimeSpan.FromSeconds(1) };
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token, options);
        await using var clientScope = client;

        var slow = client.GetTimeAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-get-time", timeout.Token);
        var ex = await Assert.ThrowsAsync<GuestAgentNotRespondingException>(() => slow);
        Assert.Contains("guest-get-time", ex.Message, StringComparison.Ordinal);
        Assert.False(client.IsSynchronized);

        var next = client.GetFsfreezeStatusAsync(timeout.Token);
        agent.Reply("1700000000000000000"); // the late reply to guest-get-time
        await agent.ServeSyncAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-fsfreeze-status", timeout.Token);
        agent.Reply("\"frozen\"");

        Assert.Equal(GuestFsfreezeStatus.Frozen, await next);
        Assert.Equal(2, client.SynchronizationCount);
    }

    [Fact]
    public async Task Command_CancelledWhileWaitingForTheReply_ThrowsOperationCanceledAndNextCallResyncs()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        var call = client.PingAsync(caller.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var next = client.PingAsync(timeout.Token);
        agent.Reply("{}"); // the cancelled ping's reply, late
        await agent.ServeSyncAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.Reply("{}");
        await next;
    }

    [Fact]
    public async Task Connection_ClosedByThePeer_ThrowsNotConnectedAndTheNextCallReconnectsAndSyncs()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, var socket) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.PingAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.Close();
        var ex = await Assert.ThrowsAsync<GuestAgentNotConnectedException>(() => call);

        var next = client.PingAsync(timeout.Token);
        var reconnected = await socket.AcceptAsync(timeout.Token);
        await reconnected.ServeSyncAsync(timeout.Token);
        await reconnected.ExpectCommandAsync("guest-ping", timeout.Token);
        reconnected.Reply("{}");
        await next;

        Assert.Contains("may have run", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, socket.Connections);
    }

    [Fact]
    public async Task Connect_SocketRefuses_ThrowsNotConnectedNamingTheSocket()
    {
        using var timeout = TestTimeout.Start();
        var socket = new FakeGuestAgentSocket
        {
            ConnectFailure = new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AccessDenied),
        };
        await using var client = socket.CreateClient();

        var ex = await Assert.ThrowsAsync<GuestAgentNotConnectedException>(() => client.PingAsync(timeout.Token));

        Assert.Contains("/run/fake/qga.sock", ex.Message, StringComparison.Ordinal);
        Assert.IsType<System.Net.Sockets.SocketException>(ex.InnerException);
    }

    [Fact]
    public async Task ResynchronizeAsync_OnASynchronizedSession_SendsAFreshHandshake()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var resync = client.ResynchronizeAsync(timeout.Token);
        await agent.ServeSyncAsync(timeout.Token);
        await resync;

        Assert.Equal(2, client.SynchronizationCount);
        Assert.True(client.IsSynchronized);
    }

    [Fact]
    public async Task ExecuteAsync_ASyncCommand_IsRefusedBecauseItWouldDerailTheSession()
    {
        var socket = new FakeGuestAgentSocket();
        await using var client = socket.CreateClient();

        Assert.Throws<ArgumentException>(() =>
        {
            _ = client.ExecuteAsync("guest-sync-delimited");
        });
        Assert.Throws<ArgumentException>(() =>
        {
            _ = client.ExecuteAsync("guest-sync");
        });
        Assert.Equal(0, socket.Connections);
    }
}
