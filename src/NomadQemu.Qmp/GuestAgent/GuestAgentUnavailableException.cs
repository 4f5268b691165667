namespace NomadQemu.Qmp.GuestAgent;

/// <summary>
/// The guest agent cannot be used right now: see <see cref="GuestAgentNotConnectedException"/> (no connection to
/// the socket) and <see cref="GuestAgentNotRespondingException"/> (connected, but nobody answers in time).
/// A later call retries from scratch (reconnect, resynchronise), so this is the "try again later" family.
/// </summary>
public abstract class GuestAgentUnavailableException : GuestAgentException
{
    /// <summary>Creates the exception with a message and an optional cause.</summary>
    protected GuestAgentUnavailableException(string message, Exception? innerException)
        : base(message, innerException) { }
}
