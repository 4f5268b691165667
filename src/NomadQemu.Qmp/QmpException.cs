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
