using Microsoft.Extensions.Logging;
using NomadQemu.Core.Config;
using NomadQemu.Driver.Logging;
using NomadQemu.Driver.Node;
using NomadQemu.Driver.Tasks;

namespace NomadQemu.Driver;

/// <summary>
/// The driver core, shared by the Nomad plugin and the standalone runner. Split by lifecycle phase, one
/// partial file each: this file holds configuration, fingerprinting and events; QemuDriver.Plan (decide a
/// start without side effects), .Start, .Lifecycle (wait, stop, destroy, signals), .Recovery, .Orphans
/// (the sweep after a crash), .Inspect and .Stats.
/// </summary>
public sealed partial class QemuDriver : IAsyncDisposable
{
    /// <summary>Nomad's <c>TaskHandle.version</c> for the driver_state this driver writes.</summary>
    public const int TaskHandleVersion = DriverState.Version;

    private readonly DriverOptions _options;
    private readonly ILogger _log;
    private readonly TaskStore _tasks = new();
    private readonly EventHub _events = new();
    private readonly Fingerprinter _fingerprinter;
    private readonly CancellationTokenSource _shutdown = new();
    private volatile PluginConfig _config = PluginConfig.Default;
    private volatile NodeCompute _compute = NodeCompute.FromHost();

    public QemuDriver(DriverOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _log = loggers.CreateLogger("NomadQemu.Driver");
        _fingerprinter = new Fingerprinter(
            options.PathVariable,
            options.KvmProbe,
            () => StateDir,
            _log,
            options.FirmwareDirectories
        );
    }

    public void SetConfig(PluginConfig config, NodeCompute? compute)
    {
        _config = config;
        if (compute is not null && compute.NumCores > 0 && compute.TotalComputeMhz > 0)
        {
            _compute = compute;
        }
    }

    public Task<Fingerprint> FingerprintAsync(CancellationToken cancellationToken)
    {
        SweepOrphansOnce();
        return _fingerprinter.FingerprintAsync(_config.EmulatorsAllowlist, _config.KvmProbe, cancellationToken);
    }

    public IAsyncEnumerable<DriverEvent> EventsAsync(CancellationToken cancellationToken) =>
        _events.SubscribeAsync(cancellationToken);

    private void Emit(TaskHandle handle, string message, params (string Key, string Value)[] annotations) =>
        Emit(handle.TaskId, handle.State.AllocId, handle.Info.TaskName, message, annotations);

    private void Emit(
        string taskId,
        string allocId,
        string taskName,
        string message,
        params (string Key, string Value)[] annotations
    )
    {
        DriverLog.TaskEvent(_log, taskId, message);
        _events.Publish(
            new DriverEvent(
                taskId,
                allocId,
                taskName,
                DateTimeOffset.UtcNow,
                message,
                annotations.ToDictionary(a => a.Key, a => a.Value)
            )
        );
    }

    private TaskHandle Get(string taskId) =>
        _tasks.TryGet(taskId, out var handle) ? handle : throw DriverException.NotFound(taskId);

    /// <summary>Stops watching; never touches the VMs, which outlive this process by design.</summary>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        foreach (var handle in _tasks.All)
        {
            await handle.Control.DisposeAsync();
            if (handle.Agent is { } agent)
            {
                await agent.DisposeAsync();
            }
        }
        _shutdown.Dispose();
        _fingerprinter.Dispose();
    }
}
