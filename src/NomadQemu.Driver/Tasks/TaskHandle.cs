using NomadQemu.Driver.GuestAgent;
using NomadQemu.Driver.Native;
using NomadQemu.Driver.Supervision;

namespace NomadQemu.Driver.Tasks;

/// <summary>
/// One VM this driver controls. Immutable facts first; mutable state below <see cref="_gate"/> and only
/// read through <see cref="Snapshot"/>. The exit is read from the supervisor's exit record: for a VM we
/// started, the supervisor's own exit (our child) wakes the monitor at once; for a recovered VM, which is
/// nobody's child here, the monitor checks the record and the recorded process identities every 150 ms.
/// </summary>
internal sealed class TaskHandle
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(150);

    public TaskHandle(DriverState state, TaskStatusInfo info, SupervisorChild? supervisorChild = null)
    {
        State = state;
        Info = info;
        Run = new RunDirectory(state.RunDir);
        Qemu = new ProcessIdentity(state.QemuPid, state.QemuStartTicks);
        Supervisor = new ProcessIdentity(state.SupervisorPid, state.SupervisorStartTicks);
        SupervisorChild = supervisorChild;
        Control = new VmControl(state.QmpSocket);
    }

    public DriverState State { get; }
    public TaskStatusInfo Info { get; }
    public string TaskId => State.TaskId;
    public RunDirectory Run { get; }
    public ProcessIdentity Qemu { get; }
    public ProcessIdentity Supervisor { get; }

    /// <summary>The supervisor we started (reaped by us); recovered tasks have none.</summary>
    public SupervisorChild? SupervisorChild { get; }

    public VmControl Control { get; }

    /// <summary>From the job's <c>graceful_shutdown</c>: stop with an ACPI power-down before killing.</summary>
    public bool GracefulShutdown { get; init; } = true;

    /// <summary>From the job's <c>guest_agent</c>: the VM has the agent's virtio-serial port and socket.</summary>
    public bool GuestAgentEnabled { get; init; }

    /// <summary>The link to the guest agent, once the driver watches the task; null without <c>guest_agent</c>.</summary>
    public GuestAgentLink? Agent { get; private set; }

    public void AttachAgent(GuestAgentLink link) => Agent = link;

    private readonly Lock _gate = new();

    // Guarded by _gate.
    private TaskExit? _exit;
    private DateTimeOffset? _completedAt;
    private bool _stopRequested;

    private readonly TaskCompletionSource<TaskExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once with the final result; every WaitTask awaits this same task.</summary>
    public Task<TaskExit> Exited => _exited.Task;

    public TaskSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new TaskSnapshot(TaskId, Info.TaskName, _exit is null, State.StartedAt, _completedAt, _exit);
        }
    }

    /// <summary>Marks that the driver itself is stopping the VM, so a SHUTDOWN is not reported as the guest's own.</summary>
    public void MarkStopRequested()
    {
        lock (_gate)
        {
            _stopRequested = true;
        }
    }

    public bool StopRequested
    {
        get
        {
            lock (_gate)
            {
                return _stopRequested;
            }
        }
    }

    public bool IsRunning => !_exited.Task.IsCompleted;

    /// <summary>Watches until the VM is gone, then records the outcome exactly once.</summary>
    public async Task MonitorAsync(CancellationToken cancellationToken)
    {
        var supervisorLost = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (Run.ReadExit() is { } record)
            {
                Complete(ToTaskExit(record), record.ExitedAt);
                return;
            }
            if (!supervisorLost && !Supervisor.IsAlive())
            {
                // The supervisor may have written its record between our two reads.
                if (Run.ReadExit() is { } late)
                {
                    Complete(ToTaskExit(late), late.ExitedAt);
                    return;
                }
                supervisorLost = true;
            }
            if (supervisorLost && !Qemu.IsAlive())
            {
                Complete(
                    TaskExit.Unknown("QEMU exited while its supervisor was gone; its exit status is unknown"),
                    DateTimeOffset.UtcNow
                );
                return;
            }
            try
            {
                // A supervisor we started is our child: its exit (right after it wrote the exit record) wakes
                // us at once. Recovered tasks have no child to wait on and rely on the poll alone.
                var tick = Task.Delay(s_pollInterval, cancellationToken);
                await (!supervisorLost && SupervisorExited() is { } exited ? Task.WhenAny(tick, exited) : tick);
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Task? _supervisorExited;

    /// <summary>Completes when the supervisor we started exits; null for recovered tasks (not our child).</summary>
    private Task? SupervisorExited()
    {
        if (_supervisorExited is null && SupervisorChild is { } child)
        {
            _supervisorExited = child.Exited;
        }
        return _supervisorExited is { IsCompleted: false } pending ? pending : null;
    }

    internal void Complete(TaskExit exit, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_exit is not null)
            {
                return;
            }
            _exit = exit;
            _completedAt = at;
        }
        _exited.TrySetResult(exit);
        _ = Control.DisposeAsync().AsTask();
        _ = Agent?.DisposeAsync().AsTask();
    }

    public static TaskExit ToTaskExit(ExitRecord record) =>
        new(record.ExitCode, record.Signal, record.OomKilled, record.Error);
}
