namespace NomadQemu.Driver;

/// <summary>
/// A command to run inside a task's guest (ExecTask, ExecTaskStreaming). <see cref="Argv"/>[0] is the program
/// (looked up on the guest agent's PATH). <see cref="Stdin"/> is all of its input: the guest agent takes input
/// only at start. <see cref="Timeout"/> null means no deadline; when it passes, the command is killed in the guest.
/// </summary>
public sealed record ExecCommand(IReadOnlyList<string> Argv, ReadOnlyMemory<byte> Stdin, TimeSpan? Timeout)
{
    /// <summary>The most stdin a command may be given (it travels base64-encoded in one agent command).</summary>
    public const int MaxStdinBytes = 1024 * 1024;
}
