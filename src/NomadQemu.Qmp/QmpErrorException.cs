namespace NomadQemu.Qmp;

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
