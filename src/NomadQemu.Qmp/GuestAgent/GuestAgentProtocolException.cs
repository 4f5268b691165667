namespace NomadQemu.Qmp.GuestAgent;

/// <summary>
/// The peer sent something a guest agent never sends: malformed JSON, a reply of unknown shape, a value of the
/// wrong type, or a reply longer than <see cref="GuestAgentOptions.MaxReplyBytes"/>. The next call
/// resynchronises, discarding whatever is left of the bad reply.
/// </summary>
public sealed class GuestAgentProtocolException : GuestAgentException
{
    /// <summary>Creates the exception with a message.</summary>
    public GuestAgentProtocolException(string message)
        : base(message) { }

    /// <summary>Creates the exception with a message and the failure that revealed the problem.</summary>
    public GuestAgentProtocolException(string message, Exception? innerException)
        : base(message, innerException) { }
}
