using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace NomadQemu.Qmp.Tests.Fakes;

/// <summary>A scripted QMP server on the other end of an <see cref="InMemoryQmpTransport"/>.</summary>
internal sealed class FakeQmpPeer
{
    public const string Greeting72 =
        """{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7"}, "capabilities": ["oob"]}}""";

    private readonly Channel<byte[]> _toClient;
    private readonly Channel<byte[]> _fromClient;
    private readonly StringBuilder _received = new();

    private FakeQmpPeer(Channel<byte[]> toClient, Channel<byte[]> fromClient)
    {
        _toClient = toClient;
        _fromClient = fromClient;
    }

    public static (InMemoryQmpTransport Transport, FakeQmpPeer Peer) CreatePair()
    {
        var toClient = Channel.CreateUnbounded<byte[]>();
        var fromClient = Channel.CreateUnbounded<byte[]>();
        return (new InMemoryQmpTransport(toClient, fromClient), new FakeQmpPeer(toClient, fromClient));
    }

    /// <summary>A client that has completed the handshake with a fresh peer.</summary>
    public static async Task<(QmpClient Client, FakeQmpPeer Peer, InMemoryQmpTransport Transport)> ConnectAsync(
        CancellationToken cancellationToken,
        int maxMessageBytes = 16 * 1024 * 1024
    )
    {
        (var transport, var peer) = CreatePair();
        var client = new QmpClient(transport, maxMessageBytes);
        var negotiation = client.NegotiateAsync(cancellationToken);
        await peer.ServeHandshakeAsync(cancellationToken);
        await negotiation;
        return (client, peer, transport);
    }

    public async Task ServeHandshakeAsync(CancellationToken cancellationToken)
    {
        SendLine(Greeting72);
        var capabilities = await ReadCommandAsync(cancellationToken);
        Assert.Equal("qmp_capabilities", capabilities.GetProperty("execute").GetString());
        Reply(capabilities, "{}");
    }

    /// <summary>Sends raw bytes as one chunk: the client's next read sees exactly these.</summary>
    public void SendRaw(string text) => SendRaw(Encoding.UTF8.GetBytes(text));

    public void SendRaw(byte[] bytes) => Assert.True(_toClient.Writer.TryWrite(bytes), "peer is closed");

    /// <summary>Sends one message terminated the way QEMU does, with "\r\n".</summary>
    public void SendLine(string json) => SendRaw(json + "\r\n");

    public void Reply(JsonElement command, string returnJson) => SendLine(ReplyText(command, returnJson));

    public static string ReplyText(JsonElement command, string returnJson) =>
        $$"""{"return": {{returnJson}}, "id": {{command.GetProperty("id").GetRawText()}}}""";

    public void ReplyError(JsonElement command, string errorClass, string description) =>
        SendLine(
            $$$"""{"id": {{{command.GetProperty("id").GetRawText()}}}, "error": {"class": "{{{errorClass}}}", "desc": "{{{description}}}"}}"""
        );

    public static string EventText(
        string name,
        string? dataJson = null,
        long seconds = 1_700_000_000,
        int microseconds = 250_000
    ) =>
        dataJson is null
            ? $$"""{"timestamp": {"seconds": {{seconds}}, "microseconds": {{microseconds}}}, "event": "{{name}}"}"""
            : $$"""{"timestamp": {"seconds": {{seconds}}, "microseconds": {{microseconds}}}, "event": "{{name}}", "data": {{dataJson}}}""";

    public void SendEvent(string name, string? dataJson = null) => SendLine(EventText(name, dataJson));

    /// <summary>Ends the stream cleanly, as when QEMU exits.</summary>
    public void Close() => _toClient.Writer.TryComplete();

    /// <summary>Breaks the stream with an I/O error, as on a connection reset.</summary>
    public void Reset() => _toClient.Writer.TryComplete(new IOException("Connection reset by peer"));

    /// <summary>Reads the client's next command (one JSON line) and returns its root element.</summary>
    public async Task<JsonElement> ReadCommandAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffered = _received.ToString();
            var newline = buffered.IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0)
            {
                _received.Remove(0, newline + 1);
                using var document = JsonDocument.Parse(buffered[..newline]);
                return document.RootElement.Clone();
            }

            var chunk = await _fromClient.Reader.ReadAsync(cancellationToken);
            _received.Append(Encoding.UTF8.GetString(chunk));
        }
    }

    /// <summary>True when the client has written nothing that has not been read.</summary>
    public bool HasNoUnreadCommands => _received.Length == 0 && !_fromClient.Reader.TryPeek(out _);
}
