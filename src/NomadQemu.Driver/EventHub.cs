using System.Threading.Channels;

namespace NomadQemu.Driver;

/// <summary>Fans driver events out to every open TaskEvents stream. Slow readers drop their oldest events, never block the driver.</summary>
internal sealed class EventHub
{
    private readonly Lock _gate = new();
    private readonly List<Channel<DriverEvent>> _subscribers = [];

    public void Publish(DriverEvent driverEvent)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(driverEvent);
            }
        }
    }

    public async IAsyncEnumerable<DriverEvent> SubscribeAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        var channel = Channel.CreateBounded<DriverEvent>(
            new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest }
        );
        lock (_gate)
        {
            _subscribers.Add(channel);
        }
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }
}
