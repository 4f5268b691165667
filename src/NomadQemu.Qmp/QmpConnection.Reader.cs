using System.Text.Json;

namespace NomadQemu.Qmp;

// The reader side of QmpConnection: the single loop that receives, decodes and dispatches server messages.
internal sealed partial class QmpConnection
{
    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        var description = "the peer closed the connection";
        try
        {
            while (true)
            {
                QmpInboundMessage message;
                using (var document = await _framer.ReadMessageAsync(_lifetime.Token).ConfigureAwait(false))
                {
                    if (document is null)
                    {
                        break;
                    }

                    message = QmpWire.Decode(document);
                }

                Dispatch(message);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Closed from elsewhere (dispose or a failed write); that side recorded the reason.
        }
        catch (QmpProtocolException ex)
        {
            failure = ex;
            description = "the peer broke the protocol: " + ex.Message;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            failure = new QmpConnectionClosedException("Reading from the QMP connection failed: " + ex.Message, ex);
            description = "reading from the socket failed";
        }
        catch (Exception ex)
        {
            // A bug in this library must not leave callers hanging: treat it like any other fatal error.
            failure = ex;
            description = "an internal error occurred: " + ex.Message;
        }

        Close(failure, description);
        Exception? reason;
        lock (_gate)
        {
            reason = _closeReason;
        }

        _completion.TrySetResult(reason);
    }

    private void Dispatch(QmpInboundMessage message)
    {
        if (message is QmpGreetingMessage greeting)
        {
            if (!_greeting.TrySetResult(greeting.Greeting))
            {
                throw new QmpProtocolException("QMP peer sent a second greeting in the middle of the conversation.");
            }

            return;
        }

        if (!_greeting.Task.IsCompleted)
        {
            throw new QmpProtocolException(
                $"QMP peer did not start with a greeting ({{\"QMP\": ...}}); its first message was a {Describe(message)}."
            );
        }

        switch (message)
        {
            case QmpEventMessage qmpEvent:
                foreach (var subscription in Volatile.Read(ref _subscriptions))
                {
                    subscription.Publish(qmpEvent.Event);
                }

                break;
            case QmpReplyMessage reply:
                CompletePending(reply);
                break;
        }
    }

    private void CompletePending(QmpReplyMessage reply)
    {
        if (reply.Id is not { } idElement)
        {
            // QEMU omits the id only when it could not read a command at all; we cannot tell whose it was.
            var detail = reply.Error is { } e ? $"{e.ErrorClass}: {e.Description}" : "a success reply";
            throw new QmpProtocolException($"QMP peer sent a reply without an id ({detail}).");
        }

        if (idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var id))
        {
            return; // Not an id this client issued.
        }

        PendingCommand? pending;
        lock (_gate)
        {
            _pending.Remove(id, out pending);
        }

        if (pending is null)
        {
            return; // A late reply to a command whose caller gave up (cancelled).
        }

        if (reply.Error is { } error)
        {
            pending.TrySetException(new QmpErrorException(pending.Command, error.ErrorClass, error.Description));
        }
        else
        {
            pending.TrySetResult(reply.Result);
        }
    }

    private static string Describe(QmpInboundMessage message) =>
        message switch
        {
            QmpEventMessage e => $"'{e.Event.Name}' event",
            QmpReplyMessage { Error: not null } => "error reply",
            _ => "command reply",
        };
}
