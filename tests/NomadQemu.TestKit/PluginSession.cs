using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;

namespace NomadQemu.TestKit;

/// <summary>
/// A configured plugin as Nomad's driver manager holds it: SetConfig done, one Fingerprint and one
/// TaskEvents stream open for the plugin's life, events collected for assertions.
/// </summary>
public sealed class PluginSession : IAsyncDisposable
{
    private readonly ShortTempDir _socketDir = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<DriverTaskEvent> _events = new();
    private Task _eventPump = Task.CompletedTask;

    public PluginProcess Plugin { get; private set; } = null!;
    public Driver.DriverClient Driver => Plugin.Driver;
    public IReadOnlyCollection<DriverTaskEvent> Events => _events;

    public static async Task<PluginSession> StartAsync(
        byte[]? pluginConfig = null,
        IDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default
    )
    {
        var session = new PluginSession();
        session.Plugin = await PluginProcess.StartAsync(
            session._socketDir.Path,
            environment,
            cancellationToken: cancellationToken
        );
        await session.Plugin.Base.SetConfigAsync(
            new SetConfigRequest
            {
                MsgpackConfig = ByteString.CopyFrom(pluginConfig ?? NomadMsgpack.PluginConfig()),
                PluginApiVersion = "v0.1.0",
            },
            cancellationToken: cancellationToken
        );
        // The first fingerprint also settles the KVM probe, as on a real node before any task starts.
        using (
            var fingerprint = session.Driver.Fingerprint(new FingerprintRequest(), cancellationToken: cancellationToken)
        )
        {
            await fingerprint.ResponseStream.MoveNext(cancellationToken);
        }
        var events = session.Driver.TaskEvents(new TaskEventsRequest(), cancellationToken: session._stop.Token);
        session._eventPump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in events.ResponseStream.ReadAllAsync(session._stop.Token))
                {
                    session._events.Enqueue(e);
                }
            }
            catch (RpcException) { }
            catch (OperationCanceledException) { }
            finally
            {
                events.Dispose();
            }
        });
        return session;
    }

    public async Task<DriverTaskEvent> WaitForEventAsync(
        string taskId,
        string fragment,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = _events.FirstOrDefault(e =>
                e.TaskId == taskId && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)
            );
            if (match is not null)
            {
                return match;
            }
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException(
            $"no event containing \"{fragment}\" for {taskId}; events: {string.Join(" | ", _events.Select(e => e.Message))}"
        );
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _eventPump;
        await Plugin.DisposeAsync();
        _socketDir.Dispose();
    }
}
