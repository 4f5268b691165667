namespace NomadQemu.Qmp;

/// <summary>Base type of every failure this library reports about a QMP conversation.</summary>
public class QmpException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public QmpException(string message)
        : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public QmpException(string message, Exception? innerException)
        : base(message, innerException) { }
}

/// <summary>
/// QEMU answered a command with <c>{"error": {"class": ..., "desc": ...}}</c>.
/// The connection is still usable.
/// </summary>
public sealed class QmpErrorException : QmpException
{
    /// <summary>Creates the exception from the parts of a QMP error reply.</summary>
    public QmpErrorException(string command, string errorClass, string description)
        : base($"QMP command '{command}' failed: {errorClass}: {description}")
    {
        Command = command;
        ErrorClass = errorClass;
        Description = description;
    }

    /// <summary>The command that QEMU refused, e.g. <c>cont</c>.</summary>
    public string Command { get; }

    /// <summary>QMP <c>error.class</c>, e.g. <c>GenericError</c> or <c>CommandNotFound</c>.</summary>
    public string ErrorClass { get; }

    /// <summary>QMP <c>error.desc</c>: QEMU's human-readable explanation.</summary>
    public string Description { get; }
}

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
