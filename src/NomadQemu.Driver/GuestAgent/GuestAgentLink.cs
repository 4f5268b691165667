using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Driver.GuestAgent;

/// <summary>
/// The driver's one connection to a task's guest agent, and the watcher that knows whether the agent is up.
/// QEMU serves one client per chardev socket, so exec, pings, shutdown and set-time all share this client
/// (it puts their commands on the wire one at a time). The watcher pings on a fixed period with a bounded wait,
/// never holding anything another operation needs; a VM reset (QMP RESET) marks the agent gone at once,
/// because a quick reboot could otherwise slip between two pings.
/// </summary>
internal sealed class GuestAgentLink : IAsyncDisposable
{
    /// <summary>The socket's name in the task's run dir (QemuCommandLineBuilder's chardev points at it).</summary>
    public const string SocketFileName = "qga.sock";

    /// <summary>Period between pings while the agent answers; the cost of one idle task is one ping per period.</summary>
    public static readonly TimeSpan UpPeriod = TimeSpan.FromSeconds(2);

    /// <summary>Period between tries while waiting for the agent (boot): short, so "agent up" is timely.</summary>
    public static readonly TimeSpan WaitingPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one ping may take before the agent counts as not answering (TCG guests are slow).</summary>
    public static readonly TimeSpan PingBound = TimeSpan.FromSeconds(5);

    /// <summary>Re-read the addresses every this many answered pings, to notice changes (DHCP, new NICs).</summary>
    private const int AddressRefreshEvery = 15;

    private static readonly GuestAgentOptions s_options = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        SyncTimeout = TimeSpan.FromSeconds(2),
        CommandTimeout = TimeSpan.FromSeconds(30),
        // Exec output only comes when the command exits; poll quickly at first so `true` returns fast.
        ExecPollInitialInterval = TimeSpan.FromMilliseconds(2),
        ExecPollMaxInterval = TimeSpan.FromMilliseconds(100),
    };

    private readonly DateTimeOffset _startedAt;
    private readonly Action<GuestAgentChange> _report;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();

    // Guarded by _gate.
    private GuestAgentState _state = GuestAgentState.Waiting;
    private DateTimeOffset _goneAt;
    private GuestAddressList _addresses = GuestAddressList.Empty;
    private long _resets;

    private Task? _watch;
    private int _disposed;

    public GuestAgentLink(string socketPath, DateTimeOffset startedAt, Action<GuestAgentChange> report)
    {
        Client = new GuestAgentClient(socketPath, s_options);
        _startedAt = startedAt;
        _report = report;
    }

    public static string SocketIn(string runDir) => Path.Combine(runDir, SocketFileName);

    public GuestAgentClient Client { get; }

    public GuestAgentState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Set while the VM is paused (QMP STOP/RESUME): a paused guest cannot answer, and that is no news.</summary>
    public bool Paused
    {
        get => Volatile.Read(ref _paused);
        set => Volatile.Write(ref _paused, value);
    }

    private bool _paused;

    public GuestAddressList Addresses
    {
        get
        {
            lock (_gate)
            {
                return _addresses;
            }
        }
    }

    /// <summary>Starts the watcher once; it runs until <see cref="DisposeAsync"/>.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _watch ??= Task.Run(() => WatchAsync(_stop.Token));
        }
    }

    /// <summary>The VM was reset (reboot): the agent in the old boot is gone, whatever the last ping said.</summary>
    public void OnVmReset()
    {
        lock (_gate)
        {
            _resets++;
        }
        MarkGone("the VM was reset (guest reboot)");
    }

    /// <summary>
    /// True when the agent answers now: at once when the watcher saw it up, else one ping bounded by
    /// <paramref name="bound"/>. Never throws for an absent agent.
    /// </summary>
    public async Task<bool> AnswersAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        if (State == GuestAgentState.Up)
        {
            return true;
        }
        return await PingAsync(bound, cancellationToken);
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        var answered = 0L;
        while (!stop.IsCancellationRequested)
        {
            if (Paused)
            {
                try
                {
                    await Task.Delay(WaitingPeriod, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            long resetsBefore;
            lock (_gate)
            {
                resetsBefore = _resets;
            }
            var ok = await PingAsync(PingBound, stop);
            if (stop.IsCancellationRequested)
            {
                return;
            }
            if (ok)
            {
                bool resetMeanwhile;
                lock (_gate)
                {
                    resetMeanwhile = _resets != resetsBefore;
                }
                // A ping answered by the old boot just before a reset proves nothing about the new one.
                if (!resetMeanwhile && MarkUp())
                {
                    answered = 0;
                    await RefreshAddressesAsync(reportEvenIfSame: true, stop);
                }
                else if (Addresses.Addresses.Count == 0 || ++answered % AddressRefreshEvery == 0)
                {
                    // No address yet: the agent often starts before the guest's network is configured.
                    await RefreshAddressesAsync(reportEvenIfSame: false, stop);
                }
            }
            else if (!Paused)
            {
                // A ping sent just before a pause fails during it; a paused guest is not a gone agent.
                MarkGone($"it did not answer a ping within {PingBound.TotalSeconds:0.#} s");
            }
            try
            {
                await Task.Delay(State == GuestAgentState.Up ? UpPeriod : WaitingPeriod, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> PingAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        bounded.CancelAfter(bound);
        try
        {
            await Client.PingAsync(bounded.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is GuestAgentException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Returns true when this is a transition into Up (first time or back).</summary>
    private bool MarkUp()
    {
        GuestAgentChange change;
        lock (_gate)
        {
            if (_state == GuestAgentState.Up)
            {
                return false;
            }
            var now = DateTimeOffset.UtcNow;
            change =
                _state == GuestAgentState.Waiting
                    ? new GuestAgentChange.FirstUp(now - _startedAt)
                    : new GuestAgentChange.Back(now - _goneAt);
            _state = GuestAgentState.Up;
        }
        _report(change);
        return true;
    }

    private void MarkGone(string why)
    {
        lock (_gate)
        {
            if (_state != GuestAgentState.Up)
            {
                return;
            }
            _state = GuestAgentState.Gone;
            _goneAt = DateTimeOffset.UtcNow;
        }
        _report(new GuestAgentChange.Gone(why));
    }

    private async Task RefreshAddressesAsync(bool reportEvenIfSame, CancellationToken stop)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stop);
        bounded.CancelAfter(PingBound);
        GuestAddressList list;
        try
        {
            list = GuestAddressList.From(await Client.GetNetworkInterfacesAsync(bounded.Token));
        }
        catch (Exception e) when (e is GuestAgentException or OperationCanceledException or ObjectDisposedException)
        {
            return; // Next refresh tries again; the addresses are informational.
        }
        lock (_gate)
        {
            var same = list.SameAs(_addresses);
            _addresses = list;
            if (same && !reportEvenIfSame)
            {
                return;
            }
        }
        _report(new GuestAgentChange.Addresses(list));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync();
        if (_watch is { } watch)
        {
            try
            {
                await watch;
            }
            catch (OperationCanceledException) { }
        }
        await Client.DisposeAsync();
        _stop.Dispose();
    }
}
