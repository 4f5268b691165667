// Overview
//
// A client for the QEMU guest agent (qemu-ga) reached through the task's virtio-serial chardev socket.
//
// Constraints
// - The agent has no command ids and no greeting, so the client must never lose track of which reply belongs to
//   which command: one command at a time owns the wire (FifoGate, first come first served), and whenever the
//   client is unsure what is left in the stream (a new connection, a timeout, a cancelled call, a malformed
//   reply) it resynchronises with guest-sync-delimited before sending anything else.
// - The agent may be absent (not installed, guest still booting), restarting (guest reboot: the chardev socket
//   stays connected while the agent inside starts afresh and may read whatever we wrote meanwhile), or still
//   answering a previous session's command (plugin restart). Resynchronisation copes with all three.
// - Nobody may block beyond their token or the configured timeouts; failures are typed (GuestAgent*Exception).
// - Native AOT: System.Text.Json source generation only.
//
// Scheme
// - The connection is opened lazily by the first call and reopened after it ends. State (transport, line
//   reader, synchronised flag) is touched only while holding the gate (GuestAgentClient.Session.cs).
// - Typed commands live in GuestAgentClient.Commands.cs, .Exec.cs and .Files.cs.

using System.Text.Json;
using System.Text.Json.Nodes;
using NomadQemu.Qmp.Framing;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp.GuestAgent;

/// <summary>
/// A client for one VM's QEMU guest agent. Thread-safe: calls may be made concurrently; they go to the agent one
/// at a time, in the order they were made. Connects (and reconnects) on demand, so it can be created before
/// the VM starts and kept across guest reboots.
/// </summary>
/// <remarks>
/// QEMU serves one client per chardev socket at a time: while another process is connected, calls fail with
/// <see cref="GuestAgentNotRespondingException"/> after <see cref="GuestAgentOptions.SyncTimeout"/>.
/// A command whose call failed with <see cref="GuestAgentUnavailableException"/> or was cancelled after it was
/// written may still run in the guest.
/// </remarks>
public sealed partial class GuestAgentClient : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<IDuplexTransport>> _connect;
    private readonly GuestAgentOptions _options;
    private readonly FifoGate _gate = new();

    // Cancelled by DisposeAsync so that every call in flight or in the queue ends promptly. Never disposed: a
    // late call may still link to its token, and a CTS without timers holds no unmanaged resources.
    private readonly CancellationTokenSource _lifetime = new();

    // Guarded by _gate.
    private IDuplexTransport? _transport;
    private LineReader? _lines;
    private bool _synchronized;

    private long _synchronizations;
    private int _disposed;

    /// <summary>Creates a client for the guest agent behind the unix socket at <paramref name="socketPath"/>. Does no I/O.</summary>
    /// <exception cref="ArgumentException">The path is empty or too long for a unix socket address.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public GuestAgentClient(string socketPath, GuestAgentOptions? options = null)
        : this(
            async cancellationToken =>
                await UnixSocketTransport
                    .ConnectAsync(socketPath, "guest agent", cancellationToken)
                    .ConfigureAwait(false),
            socketPath,
            options
        )
    {
        // Refuse a path no socket can have now, not at the first command.
        _ = UnixSocketTransport.EndPoint(socketPath, "guest agent");
    }

    // For tests: any transport.
    internal GuestAgentClient(
        Func<CancellationToken, Task<IDuplexTransport>> connect,
        string socketPath,
        GuestAgentOptions? options
    )
    {
        _options = options ?? new GuestAgentOptions();
        _options.Validate();
        _connect = connect;
        SocketPath = socketPath;
    }

    /// <summary>The agent's socket, as given.</summary>
    public string SocketPath { get; }

    /// <summary>The bounds this client applies.</summary>
    public GuestAgentOptions Options => _options;

    /// <summary>
    /// True while the last resynchronisation holds: the next call sends its command straight away. False before
    /// the first call and after anything that makes the stream's state uncertain (timeout, cancellation,
    /// malformed reply, lost connection); the next call then resynchronises first.
    /// </summary>
    public bool IsSynchronized => Volatile.Read(ref _synchronized);

    /// <summary>How many times the client has (re)synchronised with an agent. Grows by one per successful handshake.</summary>
    public long SynchronizationCount => Interlocked.Read(ref _synchronizations);

    /// <summary>
    /// Sends any command and returns its <c>return</c> value (detached from the reply). For commands that have no
    /// typed method here; use <see cref="ShutdownAsync"/> for <c>guest-shutdown</c>, which sends no reply.
    /// </summary>
    /// <param name="command">The command, e.g. <c>guest-get-osinfo</c>.</param>
    /// <param name="arguments">The command's arguments, or null for none.</param>
    /// <param name="cancellationToken">Stops waiting. The command may still reach the agent and run.</param>
    /// <exception cref="ArgumentException">A synchronisation command, which would derail the session.</exception>
    /// <exception cref="GuestAgentCommandException">The agent refused the command.</exception>
    /// <exception cref="GuestAgentUnavailableException">No connection, or no answer in time.</exception>
    /// <exception cref="GuestAgentProtocolException">The reply was malformed.</exception>
    public Task<JsonElement> ExecuteAsync(
        string command,
        JsonObject? arguments = null,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        if (command is GuestAgentWire.SyncCommand or "guest-sync")
        {
            throw new ArgumentException(
                $"'{command}' is the client's own handshake; call ResynchronizeAsync instead.",
                nameof(command)
            );
        }

        return CallAsync(command, GuestAgentWire.EncodeCommand(command, arguments), v => v.Clone(), cancellationToken);
    }

    /// <summary>
    /// Resynchronises now (sends 0xFF and <c>guest-sync-delimited</c>, discards everything before its reply),
    /// connecting first if needed. Useful when the caller knows the guest restarted (QMP RESET) and wants the
    /// next command not to meet a stale stream; every call does this by itself whenever it is needed.
    /// </summary>
    /// <exception cref="GuestAgentUnavailableException">No connection, or no answer within the timeouts.</exception>
    public async Task ResynchronizeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var deadline = StartDeadline(cancellationToken);
        var step = CallStep.Queue;
        try
        {
            using var turn = await _gate.EnterAsync(deadline.Token).ConfigureAwait(false);
            Volatile.Write(ref _synchronized, false);
            step = CallStep.Connect;
            await EnsureSynchronizedAsync(s => step = s, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(GuestAgentWire.SyncCommand, step, ex);
        }
    }

    /// <summary>
    /// Closes the connection. Calls in flight or queued fail with <see cref="GuestAgentNotConnectedException"/>;
    /// later calls throw <see cref="ObjectDisposedException"/>. The agent and the guest keep running.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);

        // Every wait of a call in flight is linked to _lifetime, so the gate comes free promptly.
        using var turn = await _gate.EnterAsync(CancellationToken.None).ConfigureAwait(false);
        await DisconnectAsync().ConfigureAwait(false);
    }
}
