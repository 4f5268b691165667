namespace NomadQemu.Qmp.GuestAgent;

/// <summary>What <c>guest-shutdown</c> asks the guest OS to do.</summary>
public enum GuestShutdownMode
{
    /// <summary>Power off ("powerdown"): QEMU exits when the guest is done.</summary>
    Powerdown,

    /// <summary>Halt without powering off ("halt").</summary>
    Halt,

    /// <summary>Reboot ("reboot").</summary>
    Reboot,
}
