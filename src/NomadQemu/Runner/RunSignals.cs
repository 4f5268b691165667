using System.Runtime.InteropServices;

namespace NomadQemu.Runner;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM for `run`: the first asks every VM to power off gracefully, a second one
/// stops waiting and kills them. The default action (dying on the spot and orphaning the VMs) is suppressed.
/// </summary>
internal sealed class RunSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _force = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly Action<string> _notify;
    private int _count;

    public RunSignals(Action<string> notify)
    {
        _notify = notify;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle));
    }

    /// <summary>Cancelled on the first signal: stop gracefully.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>Cancelled on the second signal: stop now.</summary>
    public CancellationToken Force => _force.Token;

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        var name = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        if (Interlocked.Increment(ref _count) == 1)
        {
            _notify($"received {name}: powering the VMs off gracefully (again to kill them now)");
            _stop.Cancel();
        }
        else
        {
            _notify($"received {name} again: killing the VMs");
            _force.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _stop.Dispose();
        _force.Dispose();
    }
}
