using System.Threading.Channels;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp.Tests.Fakes;

/// <summary>
/// The client's end of an in-memory duplex stream. Each chunk the peer sends is returned by exactly one
/// read (or several, if the client's buffer is smaller), so tests control how messages are split.
/// </summary>
internal sealed class InMemoryQmpTransport : IDuplexTransport
{
    private readonly Channel<byte[]> _fromPeer;
    private readonly Channel<byte[]> _toPeer;
    private ReadOnlyMemory<byte> _leftover;
    private int _disposeCount;

    public InMemoryQmpTransport(Channel<byte[]> fromPeer, Channel<byte[]> toPeer)
    {
        _fromPeer = fromPeer;
        _toPeer = toPeer;
    }

    public int DisposeCount => Volatile.Read(ref _disposeCount);

    /// <summary>When set, every write throws this (a broken pipe).</summary>
    public Exception? WriteFailure { get; set; }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_leftover.IsEmpty)
        {
            try
            {
                _leftover = await _fromPeer.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException ex)
            {
                // Completed with an error = connection reset; completed cleanly = end of stream.
                if (ex.InnerException is not null)
                {
                    throw ex.InnerException;
                }

                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _leftover.Length);
        _leftover[..count].CopyTo(buffer);
        _leftover = _leftover[count..];
        return count;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (WriteFailure is { } failure)
        {
            return ValueTask.FromException(failure);
        }

        if (!_toPeer.Writer.TryWrite(data.ToArray()))
        {
            return ValueTask.FromException(new IOException("Broken pipe: the peer has closed the connection."));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _disposeCount);
        _fromPeer.Writer.TryComplete();
        _toPeer.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
