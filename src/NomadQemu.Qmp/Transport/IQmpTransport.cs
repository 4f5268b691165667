namespace NomadQemu.Qmp.Transport;

/// <summary>
/// A connected duplex byte stream to a QMP server. The seam between the protocol engine and the socket,
/// so the engine can be driven by an in-memory peer in tests.
/// </summary>
/// <remarks>
/// The engine calls <see cref="ReadAsync"/> from one reader loop only and <see cref="WriteAsync"/> from one
/// writer at a time, so implementations need not be thread-safe beyond allowing a read and a write at once.
/// <see cref="IAsyncDisposable.DisposeAsync"/> must make a pending read return or throw.
/// </remarks>
internal interface IQmpTransport : IAsyncDisposable
{
    /// <summary>Reads some bytes into <paramref name="buffer"/>; returns 0 once the peer has closed.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes all of <paramref name="data"/>.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
