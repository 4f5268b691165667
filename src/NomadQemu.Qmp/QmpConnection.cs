// Overview
//
// The engine behind QmpClient: one QMP conversation over one IDuplexTransport.
//
// Constraints
// - QMP is newline-delimited JSON in both directions. The server speaks first (greeting); replies carry
//   the "id" we put on the command; events ({"event": ...}) may arrive at any moment, including between
//   a command and its reply. QEMU answers in order, but we never rely on that: replies are matched by id.
// - A half-written command would corrupt the stream for every later command, so writes are serialised and a
//   write, once started, is never abandoned because a caller's token fired (only when the connection ends).
// - Nobody may hang: when the peer goes away, every pending command fails with QmpConnectionClosedException,
//   event subscriptions complete, and Completion fires. Bad input closes the connection with a
//   QmpProtocolException that names what was wrong.
// - Native AOT: System.Text.Json DOM only (JsonDocument, JsonElement, JsonObject.WriteTo), no reflection.
//
// Scheme
// - Writer: ExecuteAsync registers a PendingCommand under a fresh id, then writes under _writeLock.
// - Reader (QmpConnection.Reader.cs): one loop (an observed Task started in the constructor) reads framed
//   messages (QmpMessageFramer), decodes them (QmpWire) and dispatches: greeting -> Greeting,
//   event -> every subscription, reply -> the PendingCommand with that id (unknown ids are late replies
//   to cancelled commands: dropped).
// - Close(reason) runs once, from whichever side notices first (reader EOF/error, writer error, dispose):
//   it fails the pending commands, completes subscriptions and cancels _lifetime so the other side stops.
//   The reader loop sets Completion with the first close reason when it exits; it never throws.

using System.Text.Json;
using System.Text.Json.Nodes;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp;

internal sealed partial class QmpConnection : IAsyncDisposable
{
    public const int DefaultMaxMessageBytes = 16 * 1024 * 1024;

    private readonly IDuplexTransport _transport;
    private readonly QmpMessageFramer _framer;

    // Cancelled by Close. Never disposed: a late writer may still read its Token, and a CTS without timers
    // holds no unmanaged resources.
    private readonly CancellationTokenSource _lifetime = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<long, PendingCommand> _pending = [];
    private readonly TaskCompletionSource<QmpGreeting> _greeting = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private readonly TaskCompletionSource<Exception?> _completion = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private readonly Task _readLoop;

    private QmpEventSubscription[] _subscriptions = []; // copy-on-write under _gate; read lock-free by the reader
    private bool _closed; // guarded by _gate
    private Exception? _closeReason; // guarded by _gate; null for a clean close
    private string _closeDescription = string.Empty; // guarded by _gate
    private long _nextId;
    private int _disposed;

    public QmpConnection(IDuplexTransport transport, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        _transport = transport;
        _framer = new QmpMessageFramer(transport, maxMessageBytes);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>The server's greeting; faults if the connection ends or misbehaves before sending it.</summary>
    public Task<QmpGreeting> Greeting => _greeting.Task;

    /// <summary>Completes (never faults) when the connection has ended, with the failure that ended it or null.</summary>
    public Task<Exception?> Completion => _completion.Task;

    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    public async Task<JsonElement> ExecuteAsync(
        string command,
        JsonObject? arguments,
        CancellationToken cancellationToken
    )
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        cancellationToken.ThrowIfCancellationRequested();

        var id = Interlocked.Increment(ref _nextId);
        var encoded = QmpWire.EncodeCommand(command, arguments, id);
        var pending = new PendingCommand(command);
        lock (_gate)
        {
            if (_closed)
            {
                throw new QmpConnectionClosedException(
                    $"Cannot send QMP command '{command}': the connection is closed ({_closeDescription}).",
                    _closeReason
                );
            }

            _pending.Add(id, pending);
        }

        using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _pending.Remove(id);
            }

            pending.TrySetCanceled(cancellationToken);
        });

        try
        {
            await WriteAsync(encoded, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The registration has already cancelled the pending command; awaiting it below reports that.
        }
        catch (Exception ex)
        {
            // Whatever the failure, we no longer know how much of the command reached the peer, so the stream
            // cannot be trusted for later commands either.
            Close(
                new QmpConnectionClosedException($"Writing QMP command '{command}' failed.", ex),
                "writing to the connection failed"
            );
        }

        // Every path above leaves the pending command completed or owned by someone who will complete it
        // (reply, cancellation, or Close), so this await cannot hang and always observes the task.
        return await pending.Task.ConfigureAwait(false);
    }

    public QmpEventSubscription Subscribe(int capacity)
    {
        var subscription = new QmpEventSubscription(capacity, Unsubscribe);
        lock (_gate)
        {
            if (!_closed)
            {
                _subscriptions = [.. _subscriptions, subscription];
                return subscription;
            }
        }

        subscription.Complete();
        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Close(null, "the client was disposed");
            await _transport.DisposeAsync().ConfigureAwait(false);
        }

        await _readLoop.ConfigureAwait(false);
    }

    private async Task WriteAsync(byte[] encoded, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsClosed)
            {
                return; // Close has already failed the pending command.
            }

            await _transport.WriteAsync(encoded, _lifetime.Token).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Close(Exception? failure, string description)
    {
        PendingCommand[] pending;
        QmpEventSubscription[] subscriptions;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _closeReason = failure;
            _closeDescription = description;
            pending = [.. _pending.Values];
            _pending.Clear();
            subscriptions = _subscriptions;
            _subscriptions = [];
        }

        foreach (var command in pending)
        {
            command.TrySetException(
                new QmpConnectionClosedException(
                    $"QMP connection closed before '{command.Command}' got a reply: {description}.",
                    failure
                )
            );
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Complete();
        }

        _greeting.TrySetException(
            failure as QmpProtocolException
                ?? (Exception)
                    new QmpConnectionClosedException(
                        $"QMP connection closed before the server sent its greeting: {description}. "
                            + "(QEMU serves one QMP client per socket at a time; is another client connected?)",
                        failure
                    )
        );
        // Once connected nobody awaits Greeting again: mark its exception observed so it is not reported
        // as an unobserved task exception.
        _ = _greeting.Task.Exception;

        _lifetime.Cancel();
    }

    private void Unsubscribe(QmpEventSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = Array.FindAll(_subscriptions, s => !ReferenceEquals(s, subscription));
        }
    }

    private sealed class PendingCommand(string command)
        : TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Command { get; } = command;
    }
}
