using System.Text.Json;
using System.Text.Json.Nodes;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp;

/// <summary>
/// A connection to one QEMU's QMP monitor. Thread-safe: commands may be issued concurrently; replies are
/// matched to their commands by id. Typed helpers for common commands are in QmpClient.Commands.cs.
/// </summary>
/// <remarks>
/// QEMU serves one client per QMP socket at a time; a second client's connection waits unanswered until the
/// first disconnects, so always bound <see cref="ConnectAsync"/> with a token that has a timeout.
/// </remarks>
public sealed partial class QmpClient : IAsyncDisposable
{
    /// <summary>How many unread events one subscription buffers before dropping the oldest.</summary>
    public const int DefaultEventQueueCapacity = 1024;

    private readonly QmpConnection _connection;
    private QmpGreeting? _greeting;
    private int _disposed;

    // For tests.
    internal QmpClient(IDuplexTransport transport, int maxMessageBytes = QmpConnection.DefaultMaxMessageBytes)
    {
        _connection = new QmpConnection(transport, maxMessageBytes);
    }

    /// <summary>What QEMU announced when the connection opened.</summary>
    /// <exception cref="InvalidOperationException">Capabilities negotiation has not completed.</exception>
    public QmpGreeting Greeting =>
        _greeting ?? throw new InvalidOperationException("The QMP greeting has not been received yet.");

    /// <summary>
    /// Completes when the connection has ended: QEMU exited or closed the socket, the client was disposed, or the
    /// peer broke the protocol. Never faults. The result is null for a clean end (end of stream, dispose), otherwise
    /// the failure: a <see cref="QmpProtocolException"/> or a <see cref="QmpConnectionClosedException"/> wrapping an I/O error.
    /// </summary>
    public Task<Exception?> Completion => _connection.Completion;

    /// <summary>False once the connection has ended.</summary>
    public bool IsConnected => !_connection.IsClosed;

    /// <summary>
    /// Connects to QEMU's QMP unix socket, reads the greeting and negotiates capabilities. Retries while the
    /// socket does not exist yet or refuses connections (QEMU creates it shortly after starting), until
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty or too long for a unix socket address.</exception>
    /// <exception cref="OperationCanceledException">The token fired; the message says which step was waiting.</exception>
    /// <exception cref="QmpProtocolException">The peer is not speaking QMP.</exception>
    /// <exception cref="QmpConnectionClosedException">The peer closed the connection during the handshake.</exception>
    public static async Task<QmpClient> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var transport = await UnixSocketTransport
            .ConnectAsync(socketPath, "QMP", cancellationToken)
            .ConfigureAwait(false);
        var client = new QmpClient(transport);
        try
        {
            await client.NegotiateAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new OperationCanceledException(
                $"Connected to QMP socket '{socketPath}' but gave up waiting for the greeting and capabilities negotiation "
                    + "(QEMU serves one QMP client at a time: is another client connected?).",
                ex,
                cancellationToken
            );
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends <c>{"execute": command, "arguments": arguments, "id": N}</c> and returns the reply's <c>return</c> value.
    /// </summary>
    /// <param name="command">The QMP command, e.g. <c>query-status</c>.</param>
    /// <param name="arguments">The command's arguments, or null for none.</param>
    /// <param name="cancellationToken">Stops waiting for the reply. The command may still have reached QEMU and run.</param>
    /// <exception cref="QmpErrorException">QEMU refused the command; its error class and description are preserved.</exception>
    /// <exception cref="QmpConnectionClosedException">The connection ended before the reply arrived.</exception>
    /// <exception cref="OperationCanceledException">The token fired.</exception>
    public Task<JsonElement> ExecuteAsync(
        string command,
        JsonObject? arguments = null,
        CancellationToken cancellationToken = default
    )
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _connection.ExecuteAsync(command, arguments, cancellationToken);
    }

    /// <summary>
    /// Starts receiving events into a new queue. Events that arrived before this call are not delivered, so
    /// subscribe before issuing the command whose event you wait for.
    /// </summary>
    /// <param name="capacity">Unread events kept before the oldest are dropped.</param>
    public QmpEventSubscription SubscribeEvents(int capacity = DefaultEventQueueCapacity) =>
        _connection.Subscribe(capacity);

    /// <summary>
    /// Closes the connection. Pending commands fail with <see cref="QmpConnectionClosedException"/>; QEMU keeps running.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return _connection.DisposeAsync();
    }

    internal async Task NegotiateAsync(CancellationToken cancellationToken)
    {
        _greeting = await _connection.Greeting.WaitAsync(cancellationToken).ConfigureAwait(false);
        // Enables no optional capability ("oob"): replies stay in command order, which is all we need.
        await _connection.ExecuteAsync("qmp_capabilities", null, cancellationToken).ConfigureAwait(false);
    }
}
