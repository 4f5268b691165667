using NomadQemu.Driver.Logging;
using NomadQemu.Driver.Tasks;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    private static readonly TimeSpan s_killWait = TimeSpan.FromSeconds(10);

    /// <summary>Blocks until the VM is gone. Every call, concurrent or repeated, gets the same result.</summary>
    public Task<TaskExit> WaitTaskAsync(string taskId, CancellationToken cancellationToken) =>
        Get(taskId).Exited.WaitAsync(cancellationToken);

    public TaskSnapshot InspectTask(string taskId) => Get(taskId).Snapshot();

    /// <summary>
    /// Graceful first: an ACPI power-down over QMP (or the kill signal when graceful_shutdown is off),
    /// then up to <paramref name="timeout"/> for the guest, then SIGKILL. Returns once QEMU is gone.
    /// Stopping a task that already exited, or one we do not know, succeeds: Nomad retries failed
    /// stops with long backoffs, and there is nothing left to stop.
    /// </summary>
    public async Task StopTaskAsync(
        string taskId,
        TimeSpan timeout,
        string? signal,
        CancellationToken cancellationToken
    )
    {
        if (!_tasks.TryGet(taskId, out var handle) || !handle.IsRunning)
        {
            return;
        }
        handle.MarkStopRequested();
        if (timeout > TimeSpan.Zero)
        {
            await BeginGracefulStopAsync(handle, timeout, signal, cancellationToken);
            var acpiWindow = AcpiWindow(handle, timeout);
            if (
                await AwaitGracefulExitAsync(handle, acpiWindow, cancellationToken)
                || await TryAgentShutdownAsync(handle, timeout - acpiWindow, cancellationToken)
            )
            {
                return;
            }
            Emit(
                handle,
                $"Guest did not power off within {timeout.TotalSeconds:0.#} s; QEMU was killed",
                ("timeout", timeout.ToString())
            );
        }
        await KillAndWaitAsync(handle, cancellationToken);
    }

    private async Task BeginGracefulStopAsync(
        TaskHandle handle,
        TimeSpan timeout,
        string? signal,
        CancellationToken cancellationToken
    )
    {
        if (handle.GracefulShutdown)
        {
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bounded.CancelAfter(TimeSpan.FromSeconds(Math.Min(5, timeout.TotalSeconds)));
                await handle.Control.PowerdownAsync(bounded.Token);
                Emit(
                    handle,
                    $"Sent ACPI power-down to the guest; waiting up to {timeout.TotalSeconds:0.#} s",
                    ("graceful", "acpi")
                );
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                DriverLog.PowerdownFailed(_log, handle.TaskId, e.Message);
            }
        }
        var number = Signals.TryParse(signal, out var parsed) && parsed != Signals.SIGKILL ? parsed : Signals.SIGTERM;
        SendSignal(handle, number);
    }

    /// <summary>
    /// Waits for the guest to power off, pressing the power button again every few seconds: a guest still
    /// booting has no ACPI handler yet and drops the first press (real OSes do too), and some guests
    /// only react to a second press. Pressing again is harmless to a guest already shutting down.
    /// </summary>
    private async Task<bool> AwaitGracefulExitAsync(
        TaskHandle handle,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return !handle.IsRunning;
            }
            if (await ExitedWithinAsync(handle, left < s_powerdownRepeat ? left : s_powerdownRepeat, cancellationToken))
            {
                return true;
            }
            if (handle.GracefulShutdown && DateTime.UtcNow < deadline)
            {
                try
                {
                    using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    bounded.CancelAfter(TimeSpan.FromSeconds(2));
                    await handle.Control.PowerdownAsync(bounded.Token);
                }
                catch (Exception e)
                    when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    DriverLog.PowerdownRepeatFailed(_log, handle.TaskId, e.Message);
                }
            }
        }
    }

    private static readonly TimeSpan s_powerdownRepeat = TimeSpan.FromSeconds(3);

    private static async Task<bool> ExitedWithinAsync(
        TaskHandle handle,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await handle.Exited.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task KillAndWaitAsync(TaskHandle handle, CancellationToken cancellationToken)
    {
        SendSignal(handle, Signals.SIGKILL);
        if (!await ExitedWithinAsync(handle, s_killWait, cancellationToken))
        {
            throw new DriverException(
                DriverErrorKind.Internal,
                $"QEMU (pid {handle.Qemu.Pid}) did not exit within {s_killWait.TotalSeconds} s of SIGKILL"
            );
        }
    }

    /// <summary>Signals QEMU only if the recorded process is still the same one (pids get recycled).</summary>
    private void SendSignal(TaskHandle handle, int signal)
    {
        if (handle.Qemu.TrySignal(signal))
        {
            DriverLog.SignalSent(_log, handle.TaskId, signal, handle.Qemu.Pid);
        }
    }

    /// <summary>Kills if asked to, removes everything the task created, and forgets it.</summary>
    public async Task DestroyTaskAsync(string taskId, bool force, CancellationToken cancellationToken)
    {
        if (!_tasks.TryGet(taskId, out var handle))
        {
            return;
        }
        if (handle.IsRunning)
        {
            if (!force)
            {
                throw new DriverException(
                    DriverErrorKind.FailedPrecondition,
                    "cannot destroy a running task without force; stop it first"
                );
            }
            handle.MarkStopRequested();
            await KillAndWaitAsync(handle, cancellationToken);
        }
        await handle.Control.DisposeAsync();
        if (handle.Agent is { } agent)
        {
            await agent.DisposeAsync();
        }
        await RemoveLeftoverMemoryCgroupAsync(handle.State.RunDir, cancellationToken);
        RemoveTaskFiles(handle.State.RunDir);
        Ledger?.Forget(taskId);
        _tasks.Remove(taskId);
        DriverLog.TaskDestroyed(_log, taskId);
    }

    private void RemoveTaskFiles(string runDir)
    {
        try
        {
            if (Directory.Exists(runDir))
            {
                Directory.Delete(runDir, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DriverLog.RunDirNotRemoved(_log, runDir, e.Message);
        }
    }

    /// <summary>
    /// Gives signals a VM meaning (documented in the README): TERM/INT/PWR power the guest down over ACPI,
    /// STOP/TSTP pause the VM, CONT resumes it, HUP resets it (a hard reset, like the reset button), KILL
    /// kills QEMU. Anything else is refused with the list, rather than silently doing something surprising.
    /// </summary>
    public async Task SignalTaskAsync(string taskId, string signal, CancellationToken cancellationToken)
    {
        var handle = Get(taskId);
        if (!handle.IsRunning)
        {
            throw new DriverException(DriverErrorKind.FailedPrecondition, "task has exited; nothing to signal");
        }
        if (!Signals.TryParse(signal, out var number))
        {
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                $"unknown signal \"{signal}\"; supported: {Signals.Supported}"
            );
        }
        switch (number)
        {
            case Signals.SIGTERM or Signals.SIGINT or Signals.SIGPWR:
                await handle.Control.PowerdownAsync(cancellationToken);
                Emit(handle, $"{signal}: sent ACPI power-down to the guest");
                break;
            case Signals.SIGSTOP or Signals.SIGTSTP:
                await handle.Control.PauseAsync(cancellationToken);
                Emit(handle, $"{signal}: VM paused");
                break;
            case Signals.SIGCONT:
                await handle.Control.ResumeAsync(cancellationToken);
                Emit(handle, $"{signal}: VM resumed{await SetGuestClockAsync(handle, cancellationToken)}");
                break;
            case Signals.SIGHUP:
                await handle.Control.ResetAsync(cancellationToken);
                Emit(handle, $"{signal}: VM reset");
                break;
            case Signals.SIGKILL:
                handle.MarkStopRequested();
                SendSignal(handle, Signals.SIGKILL);
                break;
            default:
                throw new DriverException(
                    DriverErrorKind.InvalidConfig,
                    $"signal {signal} has no meaning for a VM; supported: {Signals.Supported}"
                );
        }
    }
}
