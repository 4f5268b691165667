using NomadQemu.Qmp;

namespace NomadQemu.Driver.Tasks;

/// <summary>
/// The driver's QMP line to one VM. QEMU's QMP socket serves one client at a time, so the driver keeps
/// a single connection, opened on first use and re-opened if it dropped (e.g. after a plugin restart).
/// </summary>
internal sealed class VmControl(string socketPath) : IAsyncDisposable
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private QmpClient? _client;
    private bool _disposed;

    public string SocketPath { get; } = socketPath;

    /// <summary>Raised for every QMP event the VM sends while connected.</summary>
    public event Action<QmpEvent>? EventReceived;

    public async Task<QmpClient> ClientAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_client is { } existing && !existing.Completion.IsCompleted)
            {
                return existing;
            }
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_connectTimeout);
            var client = await QmpClient.ConnectAsync(SocketPath, timeout.Token);
            var subscription = client.SubscribeEvents();
            _ = PumpEventsAsync(subscription);
            _client = client;
            return client;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task PumpEventsAsync(QmpEventSubscription subscription)
    {
        using (subscription)
        {
            try
            {
                await foreach (var e in subscription.ReadAllAsync())
                {
                    EventReceived?.Invoke(e);
                }
            }
            catch (QmpException)
            {
                // Defensive: the subscription normally just ends when the connection does.
            }
        }
    }

    public async Task PowerdownAsync(CancellationToken cancellationToken) =>
        await (await ClientAsync(cancellationToken)).SystemPowerdownAsync(cancellationToken);

    public async Task PauseAsync(CancellationToken cancellationToken) =>
        await (await ClientAsync(cancellationToken)).StopAsync(cancellationToken);

    public async Task ResumeAsync(CancellationToken cancellationToken) =>
        await (await ClientAsync(cancellationToken)).ContAsync(cancellationToken);

    public async Task ResetAsync(CancellationToken cancellationToken) =>
        await (await ClientAsync(cancellationToken)).SystemResetAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            if (_client is not null)
            {
                await _client.DisposeAsync();
                _client = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
