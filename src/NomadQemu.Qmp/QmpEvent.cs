using System.Text.Json;

namespace NomadQemu.Qmp;

/// <summary>An asynchronous QMP event, e.g. <c>{"event": "SHUTDOWN", "data": {...}, "timestamp": {...}}</c>.</summary>
/// <param name="Name">The event name, e.g. <see cref="QmpEventNames.Shutdown"/>.</param>
/// <param name="Data">The event's <c>data</c> object, or null when QEMU sent none (e.g. STOP, RESUME, POWERDOWN).</param>
/// <param name="Timestamp">When QEMU emitted the event (host wall clock, microsecond resolution).</param>
public sealed record QmpEvent(string Name, JsonElement? Data, DateTimeOffset Timestamp)
{
    /// <summary>
    /// Reads <c>data.guest</c> and <c>data.reason</c> of a SHUTDOWN or RESET event.
    /// <c>guest</c> is true when the guest asked for it (e.g. an ACPI power-off from inside the VM);
    /// <c>reason</c> is e.g. "guest-shutdown", "host-qmp-quit", "host-signal", "host-qmp-system-reset".
    /// </summary>
    /// <returns>False when the event carries no such fields.</returns>
    public bool TryGetShutdownCause(out bool guest, out string? reason)
    {
        guest = false;
        reason = null;
        if (
            Data is not { ValueKind: JsonValueKind.Object } data
            || !data.TryGetProperty("guest", out var guestElement)
            || guestElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
        )
        {
            return false;
        }

        guest = guestElement.GetBoolean();
        if (data.TryGetProperty("reason", out var reasonElement) && reasonElement.ValueKind == JsonValueKind.String)
        {
            reason = reasonElement.GetString();
        }

        return true;
    }
}

/// <summary>Names of the QMP events a VM driver cares about most.</summary>
public static class QmpEventNames
{
    /// <summary>QEMU is shutting down; <c>data.guest</c> and <c>data.reason</c> say why.</summary>
    public const string Shutdown = "SHUTDOWN";

    /// <summary>A power-down was requested (e.g. by <c>system_powerdown</c>); the guest may or may not act on it.</summary>
    public const string Powerdown = "POWERDOWN";

    /// <summary>The VM was reset.</summary>
    public const string Reset = "RESET";

    /// <summary>The VM's CPUs were paused.</summary>
    public const string Stop = "STOP";

    /// <summary>The VM's CPUs resumed.</summary>
    public const string Resume = "RESUME";

    /// <summary>The guest panicked (needs a pvpanic device).</summary>
    public const string GuestPanicked = "GUEST_PANICKED";
}
