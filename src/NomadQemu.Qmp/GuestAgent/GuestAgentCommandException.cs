namespace NomadQemu.Qmp.GuestAgent;

/// <summary>
/// The agent answered a command with <c>{"error": {"class": ..., "desc": ...}}</c>, e.g. a disabled command
/// (<c>CommandNotFound</c>) or a program that could not be started (<c>GenericError</c>). The session stays usable.
/// </summary>
public sealed class GuestAgentCommandException : GuestAgentException
{
    /// <summary>Creates the exception from the parts of an error reply.</summary>
    public GuestAgentCommandException(string command, string errorClass, string description)
        : base($"Guest agent command '{command}' failed: {errorClass}: {description}")
    {
        Command = command;
        ErrorClass = errorClass;
        Description = description;
    }

    /// <summary>The command the agent refused, e.g. <c>guest-exec</c>.</summary>
    public string Command { get; }

    /// <summary>The error class, e.g. <c>GenericError</c> or <c>CommandNotFound</c>.</summary>
    public string ErrorClass { get; }

    /// <summary>The agent's human-readable explanation.</summary>
    public string Description { get; }
}
