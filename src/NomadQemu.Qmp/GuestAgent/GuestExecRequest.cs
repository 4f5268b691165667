namespace NomadQemu.Qmp.GuestAgent;

/// <summary>What <c>guest-exec</c> should run in the guest.</summary>
/// <remarks>
/// The agent starts the program directly (no shell): to run a shell command line pass <c>/bin/sh</c> with
/// <c>-c</c>. It searches PATH when <see cref="Path"/> has no slash. Values are checked by
/// <see cref="GuestAgentClient.ExecAsync"/> (no NUL characters, environment entries of the form NAME=value,
/// input within <see cref="MaxInputBytes"/>), because the agent would silently cut strings at a NUL.
/// </remarks>
public sealed record GuestExecRequest
{
    /// <summary>
    /// The largest stdin accepted. The agent parses a message of at most 64 MiB, and stdin travels inside it as
    /// base64 (4 bytes per 3), so 32 MiB leaves room for the rest.
    /// </summary>
    public const int MaxInputBytes = 32 * 1024 * 1024;

    /// <summary>Creates a request to run <paramref name="path"/> with <paramref name="arguments"/>.</summary>
    public GuestExecRequest(string path, params IReadOnlyList<string> arguments)
    {
        Path = path;
        Arguments = arguments;
    }

    /// <summary>The program: an absolute path, or a name looked up in PATH.</summary>
    public string Path { get; init; }

    /// <summary>The arguments after the program name (argv[1..]).</summary>
    public IReadOnlyList<string> Arguments { get; init; }

    /// <summary>
    /// The process's whole environment as NAME=value entries, replacing the agent's (so include PATH when the
    /// program needs it). Null inherits the agent's environment.
    /// </summary>
    public IReadOnlyList<string>? Environment { get; init; }

    /// <summary>
    /// Bytes written to the process's stdin, after which stdin is closed; null gives it /dev/null. All of it is
    /// sent with the command: the agent has no way to stream stdin.
    /// </summary>
    public ReadOnlyMemory<byte>? Input { get; init; }

    /// <summary>Which output streams to capture. <see cref="GuestExecCapture.Separated"/> by default.</summary>
    public GuestExecCapture Capture { get; init; } = GuestExecCapture.Separated;
}
