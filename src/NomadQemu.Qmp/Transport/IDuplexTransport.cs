namespace NomadQemu.Qmp.Transport;

/// <summary>
/// A connected duplex byte stream to a QMP server or a guest agent. The seam between a protocol engine and the
/// socket, so the engines can be driven by an in-memory peer in tests.
/// </summary>
/// <remarks>
/// An engine calls <see cref="ReadAsync"/> from one reader at a time and <see cref="WriteAsync"/> from one
/// writer at a time, so implementations need not be thread-safe beyond allowing a read and a write at once.
/// A cancelled read consumes nothing: the next read returns the bytes it would have returned.
/// <see cref="IAsyncDisposable.DisposeAsync"/> must make a pending read return or throw.
/// </remarks>
internal interface IDuplexTransport : IAsyncDisposable
{
    /// <summary>Reads some bytes into <paramref name="buffer"/>; returns 0 once the peer has closed.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes all of <paramref name="data"/>.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
