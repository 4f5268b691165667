using System.Text.Json;
using NomadQemu.Qmp.Framing;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp;

/// <summary>
/// Cuts the inbound byte stream into newline-delimited JSON messages. QEMU writes each message compactly on
/// one line ending in "\r\n", and JSON strings cannot hold a raw newline, so a newline always ends a message.
/// </summary>
internal sealed class QmpMessageFramer
{
    private readonly LineReader _lines;
    private readonly int _maxMessageBytes;

    public QmpMessageFramer(IDuplexTransport transport, int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 2);
        _lines = new LineReader(transport);
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>
    /// Returns the next message, or null when the peer closed the stream. Bytes of an unfinished message
    /// at the close are dropped: QEMU killed mid-write is a closed connection, not a protocol violation.
    /// </summary>
    /// <exception cref="QmpProtocolException">Malformed JSON, or a message longer than the limit.</exception>
    public async ValueTask<JsonDocument?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _lines.ReadLineAsync(_maxMessageBytes, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case LineReadStatus.EndOfStream:
                    return null;
                case LineReadStatus.TooLong:
                    throw new QmpProtocolException(
                        $"QMP message exceeds the limit of {_maxMessageBytes} bytes ({result.Length} bytes without a newline); refusing it."
                    );
            }

            var message = JsonLines.Parse(result.Line.Span, "QMP message", "QMP peer", ProtocolError);
            if (message is not null)
            {
                return message;
            }

            // A blank line: read on.
        }
    }

    private static QmpProtocolException ProtocolError(string message, Exception? innerException) =>
        new(message, innerException);
}
