using System.Diagnostics;
using NomadQemu.Qmp.Tests.Fakes;

namespace NomadQemu.Qmp.Tests;

public sealed class QmpConnectionLossTests
{
    [Fact]
    public async Task PeerClosesMidCommand_PendingCommandsFailWithConnectionClosedQuickly()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var first = client.ExecuteAsync("query-status", null, timeout.Token);
        var second = client.ExecuteAsync("query-version", null, timeout.Token);
        await peer.ReadCommandAsync(timeout.Token);
        var clock = Stopwatch.StartNew();
        peer.Close();

        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => first);
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => second);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"pending commands took {clock.Elapsed} to fail");
        Assert.Contains("'query-status'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("peer closed", ex.Message, StringComparison.Ordinal);
        Assert.Null(await client.Completion.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task PeerResetsConnection_PendingFailsAndCompletionCarriesTheIoError()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync("query-status", null, timeout.Token);
        await peer.ReadCommandAsync(timeout.Token);
        peer.Reset();

        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => call);
        var reason = Assert.IsType<QmpConnectionClosedException>(await client.Completion.WaitAsync(timeout.Token));
        Assert.IsType<IOException>(reason.InnerException);
    }

    [Fact]
    public async Task ExecuteAsync_AfterPeerClosed_ThrowsConnectionClosedNamingTheCommand()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        peer.Close();
        await client.Completion.WaitAsync(timeout.Token);

        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => client.StopAsync(timeout.Token));

        Assert.Contains("'stop'", ex.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task WriteFails_CommandFailsWithConnectionClosedAndConnectionEnds()
    {
        using var timeout = TestTimeout.Start();
        (var client, _, var transport) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        transport.WriteFailure = new IOException("Broken pipe");

        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => client.ContAsync(timeout.Token));

        Assert.IsType<IOException>(ex.InnerException?.InnerException);
        Assert.IsType<QmpConnectionClosedException>(await client.Completion.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task DisposeAsync_WithPendingCommand_FailsItAndDisposesTransportOnce()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, var transport) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        using var events = client.SubscribeEvents();

        var call = client.ExecuteAsync("query-status", null, timeout.Token);
        await peer.ReadCommandAsync(timeout.Token);
        await client.DisposeAsync();
        await client.DisposeAsync();

        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => call);
        Assert.Contains("disposed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, transport.DisposeCount);
        Assert.True(client.Completion.IsCompletedSuccessfully);
        Assert.Null(await client.Completion);
        Assert.True(events.Reader.Completion.IsCompleted);
    }
}
