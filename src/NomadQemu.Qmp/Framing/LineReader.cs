using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp.Framing;

/// <summary>
/// Buffers an inbound byte stream and cuts it into newline-terminated lines, the framing that QMP and the
/// guest agent share (both write one compact JSON value per line; JSON strings cannot hold a raw newline).
/// A read may hold part of a line or several lines; both are handled by buffering. Also skips ahead to a
/// marker byte, which the guest agent's resynchronisation needs (0xFF never occurs in UTF-8 text).
/// </summary>
/// <remarks>
/// Not thread-safe: one reader at a time. A line returned by <see cref="ReadLineAsync"/> aliases the internal
/// buffer and is valid only until the next call.
/// </remarks>
internal sealed class LineReader
{
    private const int InitialBufferSize = 4096;

    private readonly IDuplexTransport _transport;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start; // first unconsumed byte
    private int _end; // one past the last buffered byte
    private int _scanned; // bytes after _start already known to hold no newline

    public LineReader(IDuplexTransport transport)
    {
        _transport = transport;
    }

    /// <summary>
    /// Returns the next line without its "\n" (a "\r" before it is kept), the end of the stream, or
    /// <see cref="LineReadStatus.TooLong"/> as soon as more than <paramref name="maxLineBytes"/> bytes have arrived
    /// without a newline (they stay buffered) or a complete line is longer than that (it is consumed).
    /// Bytes of an unfinished line at the end of the stream are dropped.
    /// </summary>
    public async ValueTask<LineReadResult> ReadLineAsync(int maxLineBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start + _scanned, _end - _start - _scanned);
            if (newline >= 0)
            {
                var length = newline - _start;
                var line = new ReadOnlyMemory<byte>(_buffer, _start, length);
                _start = newline + 1;
                _scanned = 0;
                return length > maxLineBytes
                    ? new LineReadResult(LineReadStatus.TooLong, default, length)
                    : new LineReadResult(LineReadStatus.Line, line, length);
            }

            _scanned = _end - _start;
            if (_scanned > maxLineBytes)
            {
                return new LineReadResult(LineReadStatus.TooLong, default, _scanned);
            }

            if (!await FillAsync(maxLineBytes, cancellationToken).ConfigureAwait(false))
            {
                return new LineReadResult(LineReadStatus.EndOfStream, default, 0);
            }
        }
    }

    /// <summary>
    /// Discards everything up to and including the next <paramref name="marker"/> byte, however much arrives
    /// before it (memory stays bounded: discarded bytes are not kept). Returns false at the end of the stream.
    /// </summary>
    public async ValueTask<bool> SkipPastAsync(byte marker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = Array.IndexOf(_buffer, marker, _start, _end - _start);
            if (found >= 0)
            {
                _start = found + 1;
                _scanned = 0;
                return true;
            }

            _start = 0;
            _end = 0;
            _scanned = 0;
            if (!await FillAsync(InitialBufferSize, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    // Reads once into the free space; false at the end of the stream.
    private async ValueTask<bool> FillAsync(int maxLineBytes, CancellationToken cancellationToken)
    {
        MakeRoomForRead(maxLineBytes);
        var read = await _transport.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return false;
        }

        _end += read;
        return true;
    }

    private void MakeRoomForRead(int maxLineBytes)
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
            // Grow up to one byte past the limit: enough to tell a too-long line from a maximal one.
            var newSize = (int)Math.Min((long)_buffer.Length * 2, (long)maxLineBytes + 2);
            Array.Resize(ref _buffer, Math.Max(newSize, _buffer.Length + 1));
        }
    }
}
