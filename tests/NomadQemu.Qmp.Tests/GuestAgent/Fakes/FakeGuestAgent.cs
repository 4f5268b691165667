using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using NomadQemu.Qmp.Tests.Fakes;

namespace NomadQemu.Qmp.Tests.GuestAgent.Fakes;

/// <summary>A scripted guest agent on the other end of one in-memory connection.</summary>
internal sealed class FakeGuestAgent
{
    private readonly Channel<byte[]> _toClient;
    private readonly Channel<byte[]> _fromClient;
    private readonly List<byte> _received = [];

    private FakeGuestAgent(Channel<byte[]> toClient, Channel<byte[]> fromClient)
    {
        _toClient = toClient;
        _fromClient = fromClient;
    }

    public static (InMemoryQmpTransport Transport, FakeGuestAgent Agent) CreatePair()
    {
        var toClient = Channel.CreateUnbounded<byte[]>();
        var fromClient = Channel.CreateUnbounded<byte[]>();
        return (new InMemoryQmpTransport(toClient, fromClient), new FakeGuestAgent(toClient, fromClient));
    }

    /// <summary>Reads the client's next command line; <see cref="ReceivedCommand.Delimited"/> says whether 0xFF came first.</summary>
    public async Task<ReceivedCommand> ReadCommandAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _received.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _received.GetRange(0, newline).ToArray();
                _received.RemoveRange(0, newline + 1);
                var delimited = line.Length > 0 && line[0] == 0xFF;
                using var document = JsonDocument.Parse(line.AsMemory(delimited ? 1 : 0));
                return new ReceivedCommand(document.RootElement.Clone(), delimited);
            }

            _received.AddRange(await _fromClient.Reader.ReadAsync(cancellationToken));
        }
    }

    /// <summary>Expects 0xFF + guest-sync-delimited and answers it as qemu-ga 7.2 does (complaint about the 0xFF first).</summary>
    public async Task<long> ServeSyncAsync(CancellationToken cancellationToken)
    {
        var sync = await ReadCommandAsync(cancellationToken);
        Assert.True(sync.Delimited, $"'{sync.Name}' was not preceded by 0xFF");
        Assert.Equal("guest-sync-delimited", sync.Name);
        var id = sync.Arguments.GetProperty("id").GetInt64();
        SendLine("""{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\ufffd'"}}""");
        SendSyncReply(id);
        return id;
    }

    public void SendSyncReply(long id) => SendRaw([0xFF, .. Encoding.UTF8.GetBytes($$"""{"return": {{id}}}""" + "\n")]);

    public async Task<ReceivedCommand> ExpectCommandAsync(string name, CancellationToken cancellationToken)
    {
        var command = await ReadCommandAsync(cancellationToken);
        Assert.Equal(name, command.Name);
        Assert.False(command.Delimited, $"'{name}' was preceded by 0xFF");
        return command;
    }

    public void Reply(string returnJson) => SendLine($$"""{"return": {{returnJson}}}""");

    public void ReplyError(string errorClass, string description) =>
        SendLine($$$"""{"error": {"class": "{{{errorClass}}}", "desc": "{{{description}}}"}}""");

    public void SendLine(string json) => SendRaw(json + "\n");

    public void SendRaw(string text) => SendRaw(Encoding.UTF8.GetBytes(text));

    public void SendRaw(byte[] bytes) => Assert.True(_toClient.Writer.TryWrite(bytes), "the connection is closed");

    /// <summary>Ends the stream cleanly, as when QEMU exits.</summary>
    public void Close() => _toClient.Writer.TryComplete();

    /// <summary>True when the client has written nothing that has not been read.</summary>
    public bool HasNoUnreadBytes => _received.Count == 0 && !_fromClient.Reader.TryPeek(out _);

    /// <summary>Waits briefly and reports whether the client wrote anything.</summary>
    public async Task<bool> StaysQuietAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        await Task.Delay(wait, cancellationToken);
        return HasNoUnreadBytes;
    }
}

internal sealed record ReceivedCommand(JsonElement Root, bool Delimited)
{
    public string Name => Root.GetProperty("execute").GetString()!;

    public JsonElement Arguments => Root.GetProperty("arguments");
}
