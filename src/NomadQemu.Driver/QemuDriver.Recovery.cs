using NomadQemu.Core.Config;
using NomadQemu.Driver.Logging;
using NomadQemu.Driver.Tasks;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>
    /// Re-attaches to a VM after the plugin restarted. Nomad sends the handle it stored, with the driver
    /// config EMPTY, so everything comes from <see cref="DriverState"/>. Idempotent: a task we already
    /// track is success (Nomad re-sends RecoverTask after re-dialing a live plugin). A VM that exited
    /// while we were away is adopted as exited with its real result, so WaitTask answers at once.
    /// </summary>
    public Task RecoverTaskAsync(
        string taskId,
        ReadOnlyMemory<byte> driverState,
        TaskStatusInfo info,
        CancellationToken cancellationToken
    )
    {
        if (_tasks.Contains(taskId))
        {
            return Task.CompletedTask;
        }
        DriverState state;
        TaskConfig config;
        try
        {
            state = DriverState.Decode(driverState);
            config = TaskConfig.Decode(state.DriverConfig);
            // Stop and Destroy signal these pids and delete this dir: they must be what this driver created.
            RecoveredStateCheck.Verify(taskId, state, RunDirName, _options.SupervisorExecutable);
        }
        catch (Exception e) when (e is FormatException or ConfigException)
        {
            throw new DriverException(DriverErrorKind.InvalidConfig, $"cannot recover task {taskId}: {e.Message}", e);
        }

        var handle = new TaskHandle(state with { TaskId = taskId }, info)
        {
            GracefulShutdown = config.GracefulShutdown,
            GuestAgentEnabled = config.GuestAgent,
        };
        if (!_tasks.TryAdd(handle))
        {
            return Task.CompletedTask;
        }
        Ledger?.Record(taskId, state.RunDir, Supervision.LedgerPhase.Started);

        if (handle.Run.ReadExit() is { } exit)
        {
            handle.Complete(TaskHandle.ToTaskExit(exit), exit.ExitedAt);
            Emit(handle, $"VM had exited while the plugin was down (exit code {exit.ExitCode}, signal {exit.Signal})");
        }
        else if (!handle.Qemu.IsAlive() && !handle.Supervisor.IsAlive())
        {
            handle.Complete(
                TaskExit.Unknown("QEMU and its supervisor are gone and left no exit record"),
                DateTimeOffset.UtcNow
            );
            Emit(handle, "VM was gone when the plugin restarted; its exit status is unknown");
        }
        else
        {
            Emit(handle, $"Re-attached to the running VM (QEMU pid {handle.Qemu.Pid}) after a plugin restart");
        }
        Watch(handle);
        DriverLog.TaskRecovered(_log, taskId, handle.IsRunning);
        return Task.CompletedTask;
    }

    /// <summary>Turns the VM's own actions into task events; the driver's own requests are reported where they are made.</summary>
    private void OnQmpEvent(TaskHandle handle, Qmp.QmpEvent e)
    {
        if (
            e.Name == Qmp.QmpEventNames.Shutdown
            && e.TryGetShutdownCause(out var guest, out var reason)
            && guest
            && !handle.StopRequested
        )
        {
            Emit(handle, "Guest powered itself off", ("reason", reason ?? ""));
        }
        else if (e.Name == Qmp.QmpEventNames.GuestPanicked)
        {
            Emit(handle, "Guest kernel panicked");
        }
    }

    /// <summary>Starts the exit monitor and the QMP event listener for a task we now own.</summary>
    private void Watch(TaskHandle handle)
    {
        if (!handle.IsRunning)
        {
            return;
        }
        handle.Control.EventReceived += e => OnQmpEvent(handle, e);
        _ = Task.Run(() => handle.MonitorAsync(_shutdown.Token));
        WatchGuestAgent(handle);
        _ = handle.Exited.ContinueWith(
            t =>
            {
                DriverLog.TaskExited(_log, handle.TaskId, t.Result.ExitCode, t.Result.Signal);
                if (t.Result.Error is { } error)
                {
                    // Not a made-up exit code: say that the outcome is unknown, and why.
                    Emit(handle, error, ("exit_status", "unknown"));
                }
            },
            TaskScheduler.Default
        );
        // Connect QMP now so events (guest power-off, pauses) are seen even if nobody calls Stop/Signal.
        _ = Task.Run(async () =>
        {
            try
            {
                await handle.Control.ClientAsync(_shutdown.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                DriverLog.QmpConnectFailed(_log, handle.TaskId, e.Message);
            }
        });
    }
}
