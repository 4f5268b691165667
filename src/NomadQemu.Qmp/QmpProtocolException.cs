namespace NomadQemu.Qmp;

/// <summary>
/// The peer broke the protocol: malformed JSON, a missing or malformed greeting, an oversized message,
/// or a message of unknown shape. The connection is closed when this is raised.
/// </summary>
public sealed class QmpProtocolException : QmpException
{
    /// <summary>Creates the exception with a message.</summary>
    public QmpProtocolException(string message)
        : base(message) { }

    /// <summary>Creates the exception with a message and the failure that revealed the problem.</summary>
    public QmpProtocolException(string message, Exception? innerException)
        : base(message, innerException) { }
}
