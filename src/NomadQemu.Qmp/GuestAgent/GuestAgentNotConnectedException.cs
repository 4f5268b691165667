namespace NomadQemu.Qmp.GuestAgent;

/// <summary>
/// The agent's socket could not be opened (QEMU not running, or started without the guest agent channel), or
/// the connection ended before the reply (QEMU exited, the client was disposed). A command that was already
/// written may have run in the guest.
/// </summary>
public sealed class GuestAgentNotConnectedException : GuestAgentUnavailableException
{
    /// <summary>Creates the exception with a message.</summary>
    public GuestAgentNotConnectedException(string message)
        : base(message, null) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public GuestAgentNotConnectedException(string message, Exception? innerException)
        : base(message, innerException) { }
}
