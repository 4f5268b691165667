namespace NomadQemu.Qmp;

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
