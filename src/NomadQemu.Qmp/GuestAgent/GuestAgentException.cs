namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Base type of every failure this library reports about a guest agent conversation.</summary>
public class GuestAgentException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public GuestAgentException(string message)
        : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public GuestAgentException(string message, Exception? innerException)
        : base(message, innerException) { }
}
