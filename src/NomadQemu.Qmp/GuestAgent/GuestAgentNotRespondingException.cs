namespace NomadQemu.Qmp.GuestAgent;

/// <summary>
/// The socket is open but the agent did not answer in time: it is not installed or not started in the guest,
/// the guest is booting or rebooting, the agent is busy, or another client holds the socket (QEMU serves one
/// client per chardev socket at a time). The next call resynchronises before sending anything. A command that
/// was already written may still run in the guest later.
/// </summary>
public sealed class GuestAgentNotRespondingException : GuestAgentUnavailableException
{
    /// <summary>Creates the exception with a message.</summary>
    public GuestAgentNotRespondingException(string message)
        : base(message, null) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public GuestAgentNotRespondingException(string message, Exception? innerException)
        : base(message, innerException) { }
}
