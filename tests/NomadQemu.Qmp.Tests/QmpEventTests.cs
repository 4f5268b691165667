using System.Text.Json;
using NomadQemu.Qmp.Tests.Fakes;

namespace NomadQemu.Qmp.Tests;

public sealed class QmpEventTests
{
    [Fact]
    public async Task Events_InterleavedWithReplies_AreDeliveredInOrderAndRepliesStillMatch()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var events = client.SubscribeEvents();

        // What QEMU 7.2 does for "stop": the STOP event is written before the reply.
        var stop = client.StopAsync(timeout.Token);
        var status = client.QueryStatusAsync(timeout.Token);
        var stopCommand = await peer.ReadCommandAsync(timeout.Token);
        var statusCommand = await peer.ReadCommandAsync(timeout.Token);
        peer.SendEvent(QmpEventNames.Stop);
        peer.Reply(stopCommand, "{}");
        peer.SendEvent("BLOCK_JOB_READY", """{"device": "d0"}""");
        peer.Reply(statusCommand, """{"status": "paused", "running": false}""");
        await stop;

        Assert.Equal(new QmpVmStatus("paused", false), await status);
        var first = await events.Reader.ReadAsync(timeout.Token);
        var second = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal(QmpEventNames.Stop, first.Name);
        Assert.Null(first.Data);
        Assert.Equal("BLOCK_JOB_READY", second.Name);
        Assert.Equal("d0", second.Data!.Value.GetProperty("device").GetString());
    }

    [Fact]
    public async Task Event_Timestamp_IsDecodedToMicroseconds()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var events = client.SubscribeEvents();

        peer.SendLine(FakeQmpPeer.EventText(QmpEventNames.Resume, seconds: 1_700_000_000, microseconds: 123_456));
        var received = await events.Reader.ReadAsync(timeout.Token);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_560), received.Timestamp);
    }

    [Fact]
    public async Task Event_WithoutTimestamp_IsStillDelivered()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var events = client.SubscribeEvents();
        var before = DateTimeOffset.UtcNow;

        peer.SendLine("""{"event": "RESET", "timestamp": {"seconds": -1, "microseconds": -1}}""");
        var received = await events.Reader.ReadAsync(timeout.Token);

        Assert.Equal(QmpEventNames.Reset, received.Name);
        Assert.True(received.Timestamp >= before, "an unusable timestamp falls back to the receive time");
    }

    [Theory]
    [InlineData("""{"guest": false, "reason": "host-qmp-quit"}""", true, false, "host-qmp-quit")]
    [InlineData("""{"guest": true, "reason": "guest-shutdown"}""", true, true, "guest-shutdown")]
    [InlineData("""{"guest": true}""", true, true, null)]
    [InlineData("""{"reason": "host-signal"}""", false, false, null)]
    [InlineData(null, false, false, null)]
    public void TryGetShutdownCause_ReadsGuestAndReason(
        string? dataJson,
        bool expectedFound,
        bool expectedGuest,
        string? expectedReason
    )
    {
        JsonElement? data = dataJson is null ? null : JsonDocument.Parse(dataJson).RootElement.Clone();
        var shutdown = new QmpEvent(QmpEventNames.Shutdown, data, DateTimeOffset.UnixEpoch);

        var found = shutdown.TryGetShutdownCause(out var guest, out var reason);

        Assert.Equal(expectedFound, found);
        Assert.Equal(expectedGuest, guest);
        Assert.Equal(expectedReason, reason);
    }

    [Fact]
    public async Task TwoSubscriptions_EachReceiveEveryEvent()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var first = client.SubscribeEvents();
        using var second = client.SubscribeEvents();

        peer.SendEvent(QmpEventNames.Powerdown);

        Assert.Equal(QmpEventNames.Powerdown, (await first.Reader.ReadAsync(timeout.Token)).Name);
        Assert.Equal(QmpEventNames.Powerdown, (await second.Reader.ReadAsync(timeout.Token)).Name);
    }

    [Fact]
    public async Task Subscription_Disposed_StopsReceivingAndCompletes()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var kept = client.SubscribeEvents();
        var dropped = client.SubscribeEvents();

        dropped.Dispose();
        peer.SendEvent(QmpEventNames.Stop);
        await kept.Reader.ReadAsync(timeout.Token);

        Assert.False(dropped.Reader.TryRead(out _));
        Assert.True(dropped.Reader.Completion.IsCompleted);
    }

    [Fact]
    public async Task Subscription_MoreEventsThanCapacity_KeepsTheNewest()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var events = client.SubscribeEvents(capacity: 2);

        peer.SendEvent("E1");
        peer.SendEvent("E2");
        peer.SendEvent("E3");
        peer.Close(); // the subscription completes after the last event, so ReadAllAsync ends

        // Read only once the client has dispatched everything: a reader that starts earlier may take E1
        // before E3 arrives, and then nothing is dropped. Completion is set after the subscriptions complete.
        await client.Completion.WaitAsync(timeout.Token);
        var names = new List<string>();
        await foreach (var received in events.ReadAllAsync(timeout.Token))
        {
            names.Add(received.Name);
        }

        Assert.Equal(["E2", "E3"], names);
    }

    [Fact]
    public async Task Subscription_ConnectionEnds_EnumerationFinishes()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var events = client.SubscribeEvents();

        peer.SendEvent(QmpEventNames.Shutdown, """{"guest": false, "reason": "host-signal"}""");
        peer.Close();
        var received = new List<QmpEvent>();
        await foreach (var e in events.ReadAllAsync(timeout.Token))
        {
            received.Add(e);
        }

        Assert.Equal(QmpEventNames.Shutdown, Assert.Single(received).Name);
    }

    [Fact]
    public async Task SubscribeEvents_AfterConnectionEnded_ReturnsCompletedSubscription()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        peer.Close();
        await client.Completion.WaitAsync(timeout.Token);

        using var events = client.SubscribeEvents();

        Assert.True(events.Reader.Completion.IsCompleted);
    }
}
