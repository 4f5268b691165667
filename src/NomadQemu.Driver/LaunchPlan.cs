using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Driver;

/// <summary>Everything StartTask decided before touching the system: validated paths and the exact argv.</summary>
internal sealed record LaunchPlan(
    TaskConfig Config,
    string RunDir,
    string QmpSocket,
    string ImagePath,
    ImageFormatDetector.Kind ImageKind,
    string? OverlayPath,
    string Accelerator,
    string Executable,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, int> GuestPorts,
    IReadOnlyList<PortForward> Forwards
)
{
    /// <summary>Run as root in front of QEMU (and of its jail): nsenter into the alloc's network namespace.</summary>
    public IReadOnlyList<string> LauncherPrefix { get; init; } = [];

    /// <summary>The guest agent's socket path, when <c>guest_agent = true</c>.</summary>
    public string? GuestAgentSocket { get; init; }

    /// <summary>Job files QEMU opens by name and only reads (the jail binds them read-only).</summary>
    public IReadOnlyList<string> ReadOnlyFiles { get; init; } = [];

    /// <summary>Files QEMU writes (the overlay, an in-place image): bound read-write, owned by the VM's uid while it runs.</summary>
    public IReadOnlyList<string> WritableFiles { get; init; } = [];
}
