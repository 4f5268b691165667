namespace NomadQemu.Runner;

/// <summary>The runner's exit codes, one per kind of failure, so scripts can tell them apart.</summary>
internal static class RunnerExit
{
    public const int Ok = 0;

    /// <summary>Something else failed (the node, an I/O error).</summary>
    public const int Failed = 1;

    /// <summary>The job file or a task config is wrong (also what <c>validate</c> returns).</summary>
    public const int BadJob = 2;

    /// <summary>An artifact could not be fetched or failed its checksum.</summary>
    public const int ArtifactFailed = 3;

    /// <summary>A VM did not start or boot.</summary>
    public const int StartFailed = 4;

    /// <summary>QEMU is missing or unusable on this machine.</summary>
    public const int NodeUnhealthy = 5;
}

/// <summary>A failure the runner reports as one line (plus an optional excerpt) and an exit code.</summary>
internal sealed class RunnerException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
