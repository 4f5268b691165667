using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp;

/// <summary>
/// Cuts the inbound byte stream into newline-delimited JSON messages. QEMU writes each message compactly on
/// one line ending in "\r\n", and JSON strings cannot hold a raw newline, so a newline always ends a message.
/// A read may hold part of a message or several messages; both are handled by buffering.
/// </summary>
internal sealed class QmpMessageFramer
{
    private const int InitialBufferSize = 4096;
    private const int MaxSnippetChars = 120;

    private readonly IQmpTransport _transport;
    private readonly int _maxMessageBytes;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start; // first unconsumed byte
    private int _end; // one past the last buffered byte
    private int _scanned; // bytes after _start already known to hold no newline

    public QmpMessageFramer(IQmpTransport transport, int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 2);
        _transport = transport;
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
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start + _scanned, _end - _start - _scanned);
            if (newline >= 0)
            {
                var length = newline - _start;
                var line = new ReadOnlyMemory<byte>(_buffer, _start, length);
                _start = newline + 1;
                _scanned = 0;
                if (length > _maxMessageBytes)
                {
                    throw Oversized(length);
                }

                var message = Parse(line.Span);
                if (message is not null)
                {
                    return message;
                }

                continue; // blank line
            }

            _scanned = _end - _start;
            if (_scanned > _maxMessageBytes)
            {
                throw Oversized(_scanned);
            }

            MakeRoomForRead();
            var read = await _transport.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    private void MakeRoomForRead()
    {
        var buffered = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, buffered);
            _start = 0;
            _end = buffered;
        }

        if (_end == _buffer.Length)
        {
            // Grow up to one byte past the limit: enough to tell a too-long message from a maximal one.
            var newSize = (int)Math.Min((long)_buffer.Length * 2, (long)_maxMessageBytes + 2);
            Array.Resize(ref _buffer, Math.Max(newSize, _buffer.Length + 1));
        }
    }

    private static JsonDocument? Parse(ReadOnlySpan<byte> line)
    {
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return null; // a blank line, e.g. a stray "\r\n"
        }

        // Utf8JsonReader does not reject every invalid UTF-8 sequence inside strings; decoding them later throws
        // InvalidOperationException far from here, so refuse the message up front.
        if (!Utf8.IsValid(line))
        {
            throw new QmpProtocolException($"QMP message is not valid UTF-8: '{Snippet(line)}'.");
        }

        // AllowMultipleValues lets us report "two values on one line" clearly instead of as malformed JSON.
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            reader.Read();

            // ParseValue copies what it needs, so the buffer can be reused afterwards.
            var document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                throw new QmpProtocolException(
                    $"QMP message has data after its JSON value at byte {reader.TokenStartIndex}: '{Snippet(line)}'."
                );
            }

            return document;
        }
        catch (JsonException ex)
        {
            throw new QmpProtocolException(
                $"Malformed JSON from QMP peer (line {line.Length} bytes, at byte {ex.BytePositionInLine}): '{Snippet(line)}'.",
                ex
            );
        }
    }

    private QmpProtocolException Oversized(int length) =>
        new(
            $"QMP message exceeds the limit of {_maxMessageBytes} bytes ({length} bytes without a newline); refusing it."
        );

    private static string Snippet(ReadOnlySpan<byte> line)
    {
        var text = Encoding.UTF8.GetString(line[..Math.Min(line.Length, MaxSnippetChars * 4)]).TrimEnd('\r');
        return text.Length <= MaxSnippetChars ? text : string.Concat(text.AsSpan(0, MaxSnippetChars), "...");
    }
}
