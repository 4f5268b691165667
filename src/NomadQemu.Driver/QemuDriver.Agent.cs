using System.Globalization;
using NomadQemu.Driver.GuestAgent;
using NomadQemu.Driver.Logging;
using NomadQemu.Driver.Tasks;
using NomadQemu.Qmp;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Driver;

/// <summary>
/// The guest agent in the task lifecycle: watching it (readiness, reboots, addresses → task events), the
/// guest-shutdown fallback when a graceful stop's ACPI press goes unanswered, and the clock after a resume.
/// </summary>
public sealed partial class QemuDriver
{
    private static readonly TimeSpan s_agentCommandBound = TimeSpan.FromSeconds(5);

    /// <summary>Creates and starts the task's agent link (tasks with <c>guest_agent = true</c> only).</summary>
    private void WatchGuestAgent(TaskHandle handle)
    {
        if (!handle.GuestAgentEnabled || handle.Agent is not null)
        {
            return;
        }
        var link = new GuestAgentLink(
            GuestAgentLink.SocketIn(handle.State.RunDir),
            handle.State.StartedAt,
            change => OnGuestAgentChange(handle, change)
        );
        handle.AttachAgent(link);
        handle.Control.EventReceived += e =>
        {
            switch (e.Name)
            {
                case QmpEventNames.Reset:
                    link.OnVmReset();
                    break;
                case QmpEventNames.Stop:
                    link.Paused = true;
                    break;
                case QmpEventNames.Resume:
                    link.Paused = false;
                    break;
            }
        };
        link.Start();
    }

    private void OnGuestAgentChange(TaskHandle handle, GuestAgentChange change)
    {
        switch (change)
        {
            case GuestAgentChange.FirstUp up:
                Emit(
                    handle,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"Guest agent up after {up.SinceStart.TotalSeconds:0.0} s"
                    ),
                    ("guest_agent", "up"),
                    ("seconds", up.SinceStart.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture))
                );
                break;
            case GuestAgentChange.Gone gone:
                Emit(handle, $"Guest agent gone: {gone.Why}", ("guest_agent", "gone"));
                break;
            case GuestAgentChange.Back back:
                Emit(
                    handle,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"Guest agent back after {back.Absent.TotalSeconds:0.0} s"
                    ),
                    ("guest_agent", "up")
                );
                break;
            case GuestAgentChange.Addresses addresses:
                Emit(
                    handle,
                    $"Guest addresses: {addresses.List}",
                    ("addresses", addresses.List.ToString()),
                    ("ipv4", addresses.List.PrimaryIPv4?.ToString() ?? "")
                );
                break;
        }
    }

    /// <summary>
    /// The share of a graceful stop's timeout left to ACPI when the agent could take over: half, so that a
    /// guest that ignores the power button still gets a clean shutdown through the agent before the kill.
    /// </summary>
    private static TimeSpan AcpiWindow(TaskHandle handle, TimeSpan timeout) =>
        handle.GracefulShutdown && handle.Agent?.State == GuestAgentState.Up ? timeout / 2 : timeout;

    /// <summary>
    /// Asks the guest agent to power the guest off and waits up to <paramref name="wait"/>. True when the VM
    /// exited. Any failure (agent gone, command refused) just means the caller kills QEMU as before.
    /// </summary>
    private async Task<bool> TryAgentShutdownAsync(
        TaskHandle handle,
        TimeSpan wait,
        CancellationToken cancellationToken
    )
    {
        if (handle.Agent is not { State: GuestAgentState.Up } link || wait <= TimeSpan.Zero)
        {
            return false;
        }
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(s_agentCommandBound);
            await link.Client.ShutdownAsync(GuestShutdownMode.Powerdown, bounded.Token);
        }
        catch (Exception e)
            when (e is GuestAgentException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            GuestAgentLog.AgentShutdownFailed(_log, handle.TaskId, e.Message);
            return false;
        }
        Emit(
            handle,
            string.Create(
                CultureInfo.InvariantCulture,
                $"Guest did not react to ACPI power-down; asked the guest agent to shut it down (guest-shutdown), waiting up to {wait.TotalSeconds:0.#} s"
            ),
            ("graceful", "guest-shutdown")
        );
        return await ExitedWithinAsync(handle, wait, cancellationToken);
    }

    /// <summary>
    /// After a resume the guest's clock lags by the pause; set it from the host's clock through the agent.
    /// Returns the text for the resume event.
    /// </summary>
    private async Task<string> SetGuestClockAsync(TaskHandle handle, CancellationToken cancellationToken)
    {
        if (handle.Agent is not { } link)
        {
            return "";
        }
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(s_agentCommandBound);
            await link.Client.SetTimeAsync(DateTimeOffset.UtcNow, bounded.Token);
            return "; guest clock set (guest-set-time)";
        }
        catch (Exception e)
            when (e is GuestAgentException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            GuestAgentLog.GuestClockNotSet(_log, handle.TaskId, e.Message);
            return "; guest clock not set: the guest agent did not answer";
        }
    }
}
