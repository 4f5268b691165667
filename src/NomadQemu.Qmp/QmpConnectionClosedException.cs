namespace NomadQemu.Qmp;

/// <summary>
/// The connection ended (QEMU exited, the socket broke, or the client was disposed) before a reply arrived,
/// or a command was issued after it ended.
/// </summary>
public sealed class QmpConnectionClosedException : QmpException
{
    /// <summary>Creates the exception with a message.</summary>
    public QmpConnectionClosedException(string message)
        : base(message) { }

    /// <summary>Creates the exception with a message and the failure that closed the connection.</summary>
    public QmpConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException) { }
}
