using System.Threading.Channels;
using NomadQemu.Qmp.GuestAgent;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp.Tests.GuestAgent.Fakes;

/// <summary>
/// Stands in for the chardev socket: every connect the client makes yields a fresh <see cref="FakeGuestAgent"/>,
/// which the test picks up with <see cref="AcceptAsync"/>.
/// </summary>
internal sealed class FakeGuestAgentSocket
{
    /// <summary>
    /// Bounds for tests: long enough that a loaded 2-core machine running the suite in parallel never hits them by
    /// accident; tests about a timeout set that one shorter.
    /// </summary>
    public static readonly GuestAgentOptions FastOptions = new()
    {
        ConnectTimeout = TestTimeout.Scaled(3),
        SyncTimeout = TestTimeout.Scaled(3),
        CommandTimeout = TestTimeout.Scaled(5),
        NoReplyGrace = TestTimeout.Scaled(1),
        KillTimeout = TestTimeout.Scaled(5),
    };

    private readonly Channel<FakeGuestAgent> _accepted = Channel.CreateUnbounded<FakeGuestAgent>();
    private int _connections;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The client's end of the latest connection (e.g. to make its writes fail).</summary>
    public NomadQemu.Qmp.Tests.Fakes.InMemoryQmpTransport? LastTransport { get; private set; }

    /// <summary>When set, connecting fails with this instead.</summary>
    public Exception? ConnectFailure { get; set; }

    /// <summary>When set, connecting waits for this task, ignoring the token: a transport that misbehaves.</summary>
    public Task? ConnectBlocker { get; set; }

    public GuestAgentClient CreateClient(GuestAgentOptions? options = null) =>
        new(ConnectAsync, "/run/fake/qga.sock", options ?? FastOptions);

    public ValueTask<FakeGuestAgent> AcceptAsync(CancellationToken cancellationToken) =>
        _accepted.Reader.ReadAsync(cancellationToken);

    /// <summary>A client that has completed its first handshake (a ping), and the agent it is talking to.</summary>
    public static async Task<(
        GuestAgentClient Client,
        FakeGuestAgent Agent,
        FakeGuestAgentSocket Socket
    )> ConnectedAsync(CancellationToken cancellationToken, GuestAgentOptions? options = null)
    {
        var socket = new FakeGuestAgentSocket();
        var client = socket.CreateClient(options);
        var ping = client.PingAsync(cancellationToken);
        var agent = await socket.AcceptAsync(cancellationToken);
        await agent.ServeSyncAsync(cancellationToken);
        var command = agent.ExpectCommandAsync("guest-ping", cancellationToken);
        if (await Task.WhenAny(command, ping) == ping)
        {
            await ping; // failed before sending the ping: show why
        }

        await command;
        agent.Reply("{}");
        await ping;
        return (client, agent, socket);
    }

    private async Task<IDuplexTransport> ConnectAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (ConnectBlocker is { } blocker)
        {
            await blocker;
        }

        if (ConnectFailure is { } failure)
        {
            throw failure;
        }

        Interlocked.Increment(ref _connections);
        (var transport, var agent) = FakeGuestAgent.CreatePair();
        LastTransport = transport;
        Assert.True(_accepted.Writer.TryWrite(agent));
        return transport;
    }
}
