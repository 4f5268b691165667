namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Result of <c>guest-exec-status</c>.</summary>
/// <remarks>
/// The agent hands out a process's output and forgets the process in the same reply that first reports it
/// exited: a later status query for that pid fails with <see cref="GuestAgentCommandException"/>.
/// </remarks>
/// <param name="Exited">True once the process has exited and its output streams are closed.</param>
/// <param name="ExitCode">The exit code, when it exited normally.</param>
/// <param name="Signal">The signal that killed it (POSIX guests), or the unhandled exception code (Windows guests).</param>
/// <param name="StandardOutput">Captured stdout; empty until <paramref name="Exited"/> (the agent sends output only then).</param>
/// <param name="StandardError">Captured stderr; empty until <paramref name="Exited"/>.</param>
/// <param name="StandardOutputTruncated">True when stdout exceeded the agent's 16 MiB cap and the rest was dropped.</param>
/// <param name="StandardErrorTruncated">True when stderr exceeded the agent's 16 MiB cap and the rest was dropped.</param>
public sealed record GuestExecStatus(
    bool Exited,
    int? ExitCode,
    int? Signal,
    byte[] StandardOutput,
    byte[] StandardError,
    bool StandardOutputTruncated,
    bool StandardErrorTruncated
);
