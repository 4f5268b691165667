namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Which output streams of a <c>guest-exec</c> process the agent keeps (at most 16 MiB each).</summary>
public enum GuestExecCapture
{
    /// <summary>Stdout and stderr captured separately (every agent version: <c>capture-output: true</c>).</summary>
    Separated,

    /// <summary>Nothing captured: the process writes to /dev/null (every agent version: <c>capture-output</c> omitted).</summary>
    None,

    /// <summary>Stderr joined into stdout, in the order written. Needs qemu-ga 8.1 or later; not on Windows guests.</summary>
    Merged,

    /// <summary>Only stdout captured. Needs qemu-ga 8.1 or later.</summary>
    StandardOutputOnly,

    /// <summary>Only stderr captured. Needs qemu-ga 8.1 or later.</summary>
    StandardErrorOnly,
}
