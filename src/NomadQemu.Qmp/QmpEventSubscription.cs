using System.Threading.Channels;

namespace NomadQemu.Qmp;

/// <summary>
/// One subscriber's queue of QMP events, from the moment of subscribing. The reader completes when the
/// connection ends, so <c>await foreach</c> over <see cref="ReadAllAsync"/> finishes when QEMU exits.
/// Dispose to stop receiving.
/// </summary>
/// <remarks>
/// The queue is bounded: when the subscriber falls more than its capacity behind, the OLDEST events are
/// dropped, so the latest state (e.g. the final SHUTDOWN) is always kept and memory stays bounded.
/// </remarks>
public sealed class QmpEventSubscription : IDisposable
{
    private readonly Channel<QmpEvent> _channel;
    private readonly Action<QmpEventSubscription> _unsubscribe;

    internal QmpEventSubscription(int capacity, Action<QmpEventSubscription> unsubscribe)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _channel = Channel.CreateBounded<QmpEvent>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false, // the reader loop writes while Dispose may complete
            }
        );
        _unsubscribe = unsubscribe;
    }

    /// <summary>The events, in the order QEMU sent them.</summary>
    public ChannelReader<QmpEvent> Reader => _channel.Reader;

    /// <summary>Enumerates events until the connection ends, the subscription is disposed, or the token fires.</summary>
    public IAsyncEnumerable<QmpEvent> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Stops delivery; events already queued can still be read.</summary>
    public void Dispose()
    {
        _unsubscribe(this);
        Complete();
    }

    internal void Publish(QmpEvent qmpEvent) => _channel.Writer.TryWrite(qmpEvent);

    internal void Complete() => _channel.Writer.TryComplete();
}
