using NomadQemu.Driver;
using NomadQemu.Driver.Node;
using Proto = NomadQemu.Protocol.Drivers;

namespace NomadQemu.Plugin;

/// <summary>
/// One fingerprint for the whole plugin: computed once per period (and at once after SetConfig), then
/// fanned out to every open Fingerprint stream. Each published value links to the next one, so a stream
/// just writes what it holds and awaits the link: hundreds of streams cost one computation, not hundreds
/// of <c>qemu --version</c> runs. Started by the first stream, so start-up launches that only ask
/// PluginInfo never fingerprint (and never run the orphan sweep that the first fingerprint triggers).
/// </summary>
internal sealed class FingerprintFeed(
    QemuDriver driver,
    FingerprintSchedule schedule,
    IHostApplicationLifetime lifetime,
    ILogger<FingerprintFeed> log
) : IDisposable
{
    /// <summary>One published fingerprint and the promise of the one after it.</summary>
    public sealed record Published(Proto.FingerprintResponse Response, Task<Published> Next)
    {
        /// <summary>The config generation the computation started under (see <see cref="Refresh"/>).</summary>
        internal int Generation { get; init; }
    }

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _refresh = new(0, 1);
    private TaskCompletionSource<Published> _next = NewPromise();
    private Published? _latest;
    private int _generation;
    private int _started;

    /// <summary>The latest fingerprint, or the first one once computed.</summary>
    public Task<Published> CurrentAsync()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(() => RunAsync(lifetime.ApplicationStopping));
        }
        lock (_gate)
        {
            return _latest is { } latest ? Task.FromResult(latest) : FreshAsync(_next.Task, _generation);
        }
    }

    /// <summary>
    /// A stream opened after SetConfig must not be handed a fingerprint computed under the old config (a
    /// computation already running when the config changed still publishes to the streams that hold it).
    /// </summary>
    private static async Task<Published> FreshAsync(Task<Published> next, int generation)
    {
        var published = await next;
        while (published.Generation < generation)
        {
            published = await published.Next;
        }
        return published;
    }

    /// <summary>Something the fingerprint depends on changed (SetConfig): compute now, not at the next period.</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            _generation++;
            _latest = null;
        }
        try
        {
            _refresh.Release();
        }
        catch (SemaphoreFullException)
        {
            // A refresh is already pending.
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                int generation;
                lock (_gate)
                {
                    generation = _generation;
                }
                Publish(ProtoMapping.ToFingerprint(await ComputeAsync(stopping)), generation);
                await _refresh.WaitAsync(schedule.Period, stopping);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task<Fingerprint> ComputeAsync(CancellationToken stopping)
    {
        try
        {
            return await driver.FingerprintAsync(stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            PluginLog.FingerprintFailed(log, e.Message);
            return new Fingerprint(
                DriverHealth.Unhealthy,
                $"fingerprinting failed: {e.Message}",
                new Dictionary<string, AttributeValue>()
            );
        }
    }

    private void Publish(Proto.FingerprintResponse response, int generation)
    {
        TaskCompletionSource<Published> fulfilled;
        Published published;
        lock (_gate)
        {
            fulfilled = _next;
            _next = NewPromise();
            published = new Published(response, _next.Task) { Generation = generation };
            // Stale (the config changed while computing): streams already open get it, new ones wait for the next.
            _latest = generation == _generation ? published : null;
        }
        fulfilled.SetResult(published);
    }

    private static TaskCompletionSource<Published> NewPromise() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose() => _refresh.Dispose();
}
