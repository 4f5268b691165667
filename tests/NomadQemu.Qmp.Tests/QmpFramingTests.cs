using System.Text;
using NomadQemu.Qmp.Tests.Fakes;

namespace NomadQemu.Qmp.Tests;

public sealed class QmpFramingTests
{
    [Fact]
    public async Task Reply_SplitIntoSingleByteReads_IsReassembled()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.QueryStatusAsync(timeout.Token);
        var reply =
            FakeQmpPeer.ReplyText(
                await peer.ReadCommandAsync(timeout.Token),
                """{"status": "running", "running": true}"""
            ) + "\r\n";
        foreach (var b in Encoding.UTF8.GetBytes(reply))
        {
            peer.SendRaw([b]);
        }

        Assert.Equal(new QmpVmStatus("running", true), await call);
    }

    [Fact]
    public async Task EventAndReply_InOneRead_AreBothDispatched()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var events = client.SubscribeEvents();

        var stop = client.StopAsync(timeout.Token);
        var command = await peer.ReadCommandAsync(timeout.Token);
        peer.SendRaw(
            FakeQmpPeer.EventText(QmpEventNames.Stop) + "\r\n" + FakeQmpPeer.ReplyText(command, "{}") + "\r\n"
        );
        await stop;

        Assert.Equal(QmpEventNames.Stop, (await events.Reader.ReadAsync(timeout.Token)).Name);
    }

    [Fact]
    public async Task Messages_SplitAtArbitraryPointsAcrossReads_AreAllDispatched()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;
        using var events = client.SubscribeEvents();

        var first = client.ExecuteAsync("a", null, timeout.Token);
        var second = client.ExecuteAsync("b", null, timeout.Token);
        var text =
            FakeQmpPeer.ReplyText(await peer.ReadCommandAsync(timeout.Token), "1")
            + "\r\n"
            + FakeQmpPeer.EventText(QmpEventNames.Reset, """{"guest": false, "reason": "host-qmp-system-reset"}""")
            + "\r\n"
            + FakeQmpPeer.ReplyText(await peer.ReadCommandAsync(timeout.Token), "2")
            + "\r\n";
        // Cut so that one read ends mid-message and the next carries the rest plus the start of another.
        int[] cuts = [7, text.IndexOf('\n', StringComparison.Ordinal) + 3, text.Length - 5];
        var previous = 0;
        foreach (var cut in cuts.Append(text.Length))
        {
            peer.SendRaw(text[previous..cut]);
            previous = cut;
        }

        Assert.Equal(1, (await first).GetInt32());
        Assert.Equal(2, (await second).GetInt32());
        Assert.Equal(QmpEventNames.Reset, (await events.Reader.ReadAsync(timeout.Token)).Name);
    }

    [Fact]
    public async Task BlankLinesAndBareNewlines_AreTolerated()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync("x", null, timeout.Token);
        peer.SendRaw("\r\n\n  \r\n" + FakeQmpPeer.ReplyText(await peer.ReadCommandAsync(timeout.Token), "true") + "\n");

        Assert.True((await call).GetBoolean());
    }

    [Fact]
    public async Task MalformedJson_ClosesWithProtocolException_AndPendingCommandFailsWithClosed()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync("query-status", null, timeout.Token);
        await peer.ReadCommandAsync(timeout.Token);
        peer.SendLine("""{"return": {"status": "running", """);

        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => call);
        var protocolError = Assert.IsType<QmpProtocolException>(ex.InnerException);
        Assert.Contains("Malformed JSON", protocolError.Message, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"running\"", protocolError.Message, StringComparison.Ordinal);
        Assert.Same(protocolError, await client.Completion.WaitAsync(timeout.Token));
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task InvalidUtf8_ClosesWithProtocolException()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        peer.SendRaw([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}', (byte)'\n']);

        Assert.IsType<QmpProtocolException>(await client.Completion.WaitAsync(timeout.Token));
    }

    [Theory]
    [InlineData("[1, 2, 3]", "expected an object")]
    [InlineData("""{"something": "else"}""", "none of 'QMP', 'event', 'return' or 'error'")]
    [InlineData("""{"return": {}}""", "reply without an id")]
    [InlineData("""{"error": {"class": "GenericError"}, "id": 1}""", "error reply: 'desc'")]
    [InlineData("""{"event": 42}""", "'event' is a Number")]
    [InlineData("""{"return": {}, "id": 1} {"return": {}, "id": 2}""", "data after its JSON value")]
    public async Task UnexpectedMessageShape_ClosesWithProtocolExceptionSayingWhatWasWrong(
        string line,
        string expectedMessagePart
    )
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        peer.SendLine(line);

        var ex = Assert.IsType<QmpProtocolException>(await client.Completion.WaitAsync(timeout.Token));
        Assert.Contains(expectedMessagePart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_LongerThanLimitWithoutNewline_ClosesWithProtocolExceptionBeforeBufferingMore()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token, maxMessageBytes: 1024);
        await using var clientScope = client;
        var call = client.ExecuteAsync("query-status", null, timeout.Token);

        // A never-ending string: without the limit the client would buffer forever.
        peer.SendRaw("{\"return\": \"" + new string('x', 600));
        peer.SendRaw(new string('x', 600));

        var ex = Assert.IsType<QmpProtocolException>(await client.Completion.WaitAsync(timeout.Token));
        Assert.Contains("limit of 1024 bytes", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => call);
    }

    [Fact]
    public async Task Message_ExactlyAtLimit_IsAccepted()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token, maxMessageBytes: 1024);
        await using var clientScope = client;

        var call = client.ExecuteAsync("x", null, timeout.Token);
        var command = await peer.ReadCommandAsync(timeout.Token);
        var shell = FakeQmpPeer.ReplyText(command, "\"\"");
        var exact = FakeQmpPeer.ReplyText(command, "\"" + new string('y', 1024 - shell.Length) + "\"");
        Assert.Equal(1024, exact.Length);
        peer.SendRaw(exact + "\n");

        Assert.Equal(1024 - shell.Length, (await call).GetString()!.Length);
    }

    [Fact]
    public async Task Message_OneByteOverLimitWithNewline_IsRefused()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token, maxMessageBytes: 1024);
        await using var clientScope = client;

        peer.SendRaw("\"" + new string('z', 1023) + "\"\n");

        Assert.IsType<QmpProtocolException>(await client.Completion.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task LargeReply_BiggerThanInitialBuffer_IsReceivedWhole()
    {
        using var timeout = TestTimeout.Start();
        (var client, var peer, _) = await FakeQmpPeer.ConnectAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync("query-qmp-schema", null, timeout.Token);
        var items = string.Join(", ", Enumerable.Range(0, 20_000).Select(i => $$"""{"name": "item{{i}}"}"""));
        peer.Reply(await peer.ReadCommandAsync(timeout.Token), "[" + items + "]");

        Assert.Equal(20_000, (await call).GetArrayLength());
    }
}
