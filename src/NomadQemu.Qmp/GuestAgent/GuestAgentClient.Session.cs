using System.Net.Sockets;
using System.Text.Json;
using NomadQemu.Qmp.Framing;

namespace NomadQemu.Qmp.GuestAgent;

// The session engine: the gate, connecting, resynchronising, one command and its reply, and the mapping of
// every way that can fail to a typed exception. Everything that touches _transport, _lines or _synchronized
// runs while holding the gate.
public sealed partial class GuestAgentClient
{
    // A guest-sync-delimited reply is {"return": <id>}: anything longer after a 0xFF is not it.
    private const int SyncReplyMaxBytes = 256;

    private enum CallStep
    {
        Queue,
        Connect,
        Sync,
        Reply,
    }

    /// <summary>Runs one command that always replies: queue, (re)connect, resync if needed, send, read, decode.</summary>
    private async Task<T> CallAsync<T>(
        string command,
        byte[] encoded,
        Func<JsonElement, T> decode,
        CancellationToken cancellationToken
    )
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var deadline = StartDeadline(cancellationToken);
        var step = CallStep.Queue;
        try
        {
            using var turn = await _gate.EnterAsync(deadline.Token).ConfigureAwait(false);
            step = CallStep.Connect;
            await EnsureSynchronizedAsync(s => step = s, deadline.Token).ConfigureAwait(false);
            step = CallStep.Reply;
            try
            {
                await WriteAsync(command, encoded, deadline.Token).ConfigureAwait(false);
                using var reply = await ReadReplyAsync(command, deadline.Token).ConfigureAwait(false);
                return decode(GuestAgentWire.GetReturnValue(reply, command));
            }
            catch (OperationCanceledException)
            {
                // Part of the command may be written, or its reply may still come: the stream is uncertain.
                Volatile.Write(ref _synchronized, false);
                throw;
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(command, step, ex);
        }
    }

    /// <summary>
    /// Runs a command that replies only when it fails (<c>guest-shutdown</c>): an error reply within
    /// <see cref="GuestAgentOptions.NoReplyGrace"/> is thrown; silence, or the connection closing (the guest
    /// went down), counts as accepted.
    /// </summary>
    private async Task CallWithoutSuccessReplyAsync(string command, byte[] encoded, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var deadline = StartDeadline(cancellationToken);
        var step = CallStep.Queue;
        try
        {
            using var turn = await _gate.EnterAsync(deadline.Token).ConfigureAwait(false);
            step = CallStep.Connect;
            await EnsureSynchronizedAsync(s => step = s, deadline.Token).ConfigureAwait(false);
            step = CallStep.Reply;
            try
            {
                await WriteAsync(command, encoded, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Volatile.Write(ref _synchronized, false); // part of the command may be written
                throw;
            }

            using var grace = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            grace.CancelAfter(_options.NoReplyGrace);
            try
            {
                using var reply = await ReadReplyAsync(command, grace.Token).ConfigureAwait(false);
                GuestAgentWire.GetReturnValue(reply, command); // throws on an error reply
            }
            catch (OperationCanceledException) when (grace.IsCancellationRequested && !deadline.IsCancellationRequested)
            {
                // Silence: accepted. A late error reply may still come, so resync before the next command.
                Volatile.Write(ref _synchronized, false);
            }
            catch (OperationCanceledException)
            {
                Volatile.Write(ref _synchronized, false);
                throw;
            }
            catch (GuestAgentNotConnectedException) when (Volatile.Read(ref _disposed) == 0)
            {
                // The connection ended after the whole command was written: the guest (or QEMU) is going down.
                // (A failed write is not caught here: then the command may never have arrived.)
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(command, step, ex);
        }
    }

    private CancellationTokenSource StartDeadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        deadline.CancelAfter(_options.CommandTimeout);
        return deadline;
    }

    private async Task EnsureSynchronizedAsync(Action<CallStep> reportStep, CancellationToken deadline)
    {
        if (Volatile.Read(ref _synchronized))
        {
            return;
        }

        if (_transport is null)
        {
            reportStep(CallStep.Connect);
            await ConnectAsync(deadline).ConfigureAwait(false);
        }

        reportStep(CallStep.Sync);
        await SynchronizeAsync(deadline).ConfigureAwait(false);
    }

    private async Task ConnectAsync(CancellationToken deadline)
    {
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        connectTimeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            _transport = await _connect(connectTimeout.Token).ConfigureAwait(false);
            _lines = new LineReader(_transport);
        }
        catch (OperationCanceledException ex) when (!deadline.IsCancellationRequested)
        {
            throw new GuestAgentNotConnectedException(
                $"Could not connect to the guest agent socket '{SocketPath}' within {Seconds(_options.ConnectTimeout)} "
                    + $"({ex.Message}). Is the VM running with its guest agent channel?",
                ex
            );
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            throw new GuestAgentNotConnectedException(
                $"Could not connect to the guest agent socket '{SocketPath}': {ex.Message}",
                ex
            );
        }
    }

    /// <summary>
    /// Sends 0xFF and guest-sync-delimited with a fresh random id, then discards everything up to a 0xFF followed
    /// by {"return": id}. Stale replies (a previous session's, our own earlier attempts', the agent's complaint
    /// about the 0xFF itself) all come before it, because the agent answers in order.
    /// </summary>
    private async Task SynchronizeAsync(CancellationToken deadline)
    {
        Volatile.Write(ref _synchronized, false);
        using var syncTimeout = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        syncTimeout.CancelAfter(_options.SyncTimeout);
        var id = Random.Shared.NextInt64(1, 1L << 53); // exact in every JSON implementation
        try
        {
            await WriteAsync(GuestAgentWire.SyncCommand, GuestAgentWire.EncodeSync(id), syncTimeout.Token)
                .ConfigureAwait(false);
            while (true)
            {
                var lines = _lines!;
                if (
                    !await ReadOrDisconnectAsync(lines.SkipPastAsync(GuestAgentWire.Delimiter, syncTimeout.Token))
                        .ConfigureAwait(false)
                )
                {
                    throw await ClosedAsync("while resynchronising").ConfigureAwait(false);
                }

                var line = await ReadOrDisconnectAsync(lines.ReadLineAsync(SyncReplyMaxBytes, syncTimeout.Token))
                    .ConfigureAwait(false);
                if (line.Status == LineReadStatus.EndOfStream)
                {
                    throw await ClosedAsync("while resynchronising").ConfigureAwait(false);
                }

                if (line.Status == LineReadStatus.Line && GuestAgentWire.IsSyncReply(line.Line.Span, id))
                {
                    Volatile.Write(ref _synchronized, true);
                    Interlocked.Increment(ref _synchronizations);
                    return;
                }
            }
        }
        catch (OperationCanceledException ex) when (!deadline.IsCancellationRequested)
        {
            throw new GuestAgentNotRespondingException(
                $"The guest agent behind '{SocketPath}' did not answer {GuestAgentWire.SyncCommand} within "
                    + $"{Seconds(_options.SyncTimeout)}: it is not installed or not running in the guest, the guest is "
                    + "still booting or rebooting, or another client holds the socket.",
                ex
            );
        }
    }

    private async Task WriteAsync(string command, byte[] encoded, CancellationToken cancellationToken)
    {
        try
        {
            await _transport!.WriteAsync(encoded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            await DisconnectAsync().ConfigureAwait(false);
            throw new GuestAgentNotConnectedException(
                $"Writing '{command}' to the guest agent socket '{SocketPath}' failed: {ex.Message}",
                ex
            );
        }
    }

    /// <summary>Reads the next non-blank line as a reply. Leaves the session unsynchronised on a framing error.</summary>
    private async Task<JsonDocument> ReadReplyAsync(string command, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await ReadOrDisconnectAsync(_lines!.ReadLineAsync(_options.MaxReplyBytes, cancellationToken))
                .ConfigureAwait(false);
            switch (line.Status)
            {
                case LineReadStatus.EndOfStream:
                    throw await ClosedAsync($"before '{command}' got a reply (the command may have run)")
                        .ConfigureAwait(false);
                case LineReadStatus.TooLong:
                    Volatile.Write(ref _synchronized, false);
                    throw new GuestAgentProtocolException(
                        $"The guest agent's reply to '{command}' exceeds the limit of {_options.MaxReplyBytes} bytes "
                            + $"({line.Length} bytes without a newline); refusing it."
                    );
            }

            JsonDocument? reply;
            try
            {
                reply = GuestAgentWire.ParseLine(line.Line.Span);
            }
            catch (GuestAgentProtocolException)
            {
                Volatile.Write(ref _synchronized, false);
                throw;
            }

            if (reply is not null)
            {
                return reply;
            }
        }
    }

    // A read that fails with an I/O error ends the connection; the caller gets NotConnected.
    private async ValueTask<TResult> ReadOrDisconnectAsync<TResult>(ValueTask<TResult> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            await DisconnectAsync().ConfigureAwait(false);
            throw new GuestAgentNotConnectedException(
                $"Reading from the guest agent socket '{SocketPath}' failed: {ex.Message}",
                ex
            );
        }
    }

    private async Task<GuestAgentNotConnectedException> ClosedAsync(string when)
    {
        await DisconnectAsync().ConfigureAwait(false);
        return new GuestAgentNotConnectedException(
            $"The guest agent socket '{SocketPath}' closed the connection {when}: QEMU exited or another side "
                + "ended the session. The next call reconnects."
        );
    }

    private async Task DisconnectAsync()
    {
        Volatile.Write(ref _synchronized, false);
        var transport = _transport;
        _transport = null;
        _lines = null;
        if (transport is not null)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private GuestAgentUnavailableException TimedOut(string command, CallStep step, Exception cause)
    {
        if (_lifetime.IsCancellationRequested)
        {
            return new GuestAgentNotConnectedException(
                $"The guest agent client for '{SocketPath}' was disposed before '{command}' completed.",
                cause
            );
        }

        var budget = Seconds(_options.CommandTimeout);
        return step switch
        {
            CallStep.Queue => new GuestAgentNotRespondingException(
                $"'{command}' waited {budget} for earlier guest agent commands to finish and gave up.",
                cause
            ),
            CallStep.Connect => new GuestAgentNotConnectedException(
                $"Could not connect to the guest agent socket '{SocketPath}' within the call's {budget}.",
                cause
            ),
            CallStep.Sync => new GuestAgentNotRespondingException(
                $"The guest agent behind '{SocketPath}' did not answer {GuestAgentWire.SyncCommand} within the call's {budget}.",
                cause
            ),
            _ => new GuestAgentNotRespondingException(
                $"The guest agent behind '{SocketPath}' did not reply to '{command}' within {budget}; the command may "
                    + "still run. The next call resynchronises.",
                cause
            ),
        };
    }

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";
}
