using System.Text.Json;
using NomadQemu.Qmp.Tests.Fakes;

namespace NomadQemu.Qmp.Tests;

public sealed class QmpNegotiationTests
{
    [Fact]
    public async Task Negotiate_GreetingThenCapabilities_ExposesGreetingAndSendsQmpCapabilitiesWithId()
    {
        using var timeout = TestTimeout.Start();
        (var transport, var peer) = FakeQmpPeer.CreatePair();
        await using var client = new QmpClient(transport);

        var negotiation = client.NegotiateAsync(timeout.Token);
        peer.SendLine(FakeQmpPeer.Greeting72);
        var command = await peer.ReadCommandAsync(timeout.Token);
        Assert.False(negotiation.IsCompleted, "negotiation must wait for the qmp_capabilities reply");
        peer.Reply(command, "{}");
        await negotiation;

        Assert.Equal("qmp_capabilities", command.GetProperty("execute").GetString());
        Assert.Equal(JsonValueKind.Number, command.GetProperty("id").ValueKind);
        Assert.False(command.TryGetProperty("arguments", out _), "qmp_capabilities is sent without arguments (no oob)");
        Assert.Equal(new QmpVersion(7, 2, 22, "Debian 1:7.2+dfsg-7"), client.Greeting.Version);
        Assert.Equal(["oob"], client.Greeting.Capabilities);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public void Greeting_BeforeNegotiation_ThrowsInvalidOperation()
    {
        (var transport, _) = FakeQmpPeer.CreatePair();
        var client = new QmpClient(transport);

        Assert.Throws<InvalidOperationException>(() => client.Greeting);
    }

    [Fact]
    public async Task Negotiate_FirstMessageIsAnEvent_ThrowsQmpProtocolExceptionAboutGreeting()
    {
        using var timeout = TestTimeout.Start();
        (var transport, var peer) = FakeQmpPeer.CreatePair();
        await using var client = new QmpClient(transport);

        peer.SendEvent("STOP");
        var ex = await Assert.ThrowsAsync<QmpProtocolException>(() => client.NegotiateAsync(timeout.Token));

        Assert.Contains("greeting", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'STOP' event", ex.Message, StringComparison.Ordinal);
        Assert.IsType<QmpProtocolException>(await client.Completion);
    }

    [Fact]
    public async Task Negotiate_GreetingWithoutVersion_ThrowsQmpProtocolExceptionNamingTheField()
    {
        using var timeout = TestTimeout.Start();
        (var transport, var peer) = FakeQmpPeer.CreatePair();
        await using var client = new QmpClient(transport);

        peer.SendLine("""{"QMP": {"capabilities": []}}""");
        var ex = await Assert.ThrowsAsync<QmpProtocolException>(() => client.NegotiateAsync(timeout.Token));

        Assert.Contains("'version'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Negotiate_GreetingMajorIsAString_ThrowsQmpProtocolExceptionNamingTheField()
    {
        using var timeout = TestTimeout.Start();
        (var transport, var peer) = FakeQmpPeer.CreatePair();
        await using var client = new QmpClient(transport);

        peer.SendLine("""{"QMP": {"version": {"qemu": {"major": "7", "minor": 2, "micro": 0}}, "capabilities": []}}""");
        var ex = await Assert.ThrowsAsync<QmpProtocolException>(() => client.NegotiateAsync(timeout.Token));

        Assert.Contains("greeting.version.qemu: 'major'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Negotiate_PeerClosesBeforeGreeting_ThrowsQmpConnectionClosedException()
    {
        using var timeout = TestTimeout.Start();
        (var transport, var peer) = FakeQmpPeer.CreatePair();
        await using var client = new QmpClient(transport);

        peer.Close();
        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => client.NegotiateAsync(timeout.Token));

        Assert.Contains("greeting", ex.Message, StringComparison.Ordinal);
        Assert.Null(await client.Completion);
    }

    [Fact]
    public async Task Negotiate_CapabilitiesRefused_ThrowsQmpErrorException()
    {
        using var timeout = TestTimeout.Start();
        (var transport, var peer) = FakeQmpPeer.CreatePair();
        await using var client = new QmpClient(transport);

        var negotiation = client.NegotiateAsync(timeout.Token);
        peer.SendLine(FakeQmpPeer.Greeting72);
        peer.ReplyError(
            await peer.ReadCommandAsync(timeout.Token),
            "CommandNotFound",
            "Capabilities negotiation is already complete"
        );
        var ex = await Assert.ThrowsAsync<QmpErrorException>(() => negotiation);

        Assert.Equal("qmp_capabilities", ex.Command);
        Assert.Equal("CommandNotFound", ex.ErrorClass);
    }

    [Fact]
    public async Task Negotiate_NoGreetingBeforeTokenFires_ThrowsOperationCanceled()
    {
        using var timeout = TestTimeout.Start();
        (var transport, _) = FakeQmpPeer.CreatePair();
        await using var client = new QmpClient(transport);
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.NegotiateAsync(shortWait.Token));

        Assert.False(timeout.IsCancellationRequested, "the short wait, not the test deadline, should have fired");
    }
}
