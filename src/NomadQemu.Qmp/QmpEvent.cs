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
