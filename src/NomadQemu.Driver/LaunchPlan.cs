using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Driver.Files;

namespace NomadQemu.Driver;

/// <summary>
/// Everything StartTask decided before touching the system: the opened job files, the exact argv, and what the
/// job asked for that cannot be honoured (<see cref="Warnings"/>, reported as task events once the VM runs).
/// Owns the opened descriptors: dispose it once the supervisor holds its copies (or the start failed).
/// </summary>
internal sealed record LaunchPlan(
    TaskConfig Config,
    string RunDir,
    string QmpSocket,
    QemuDriver.OverlayPlan? Overlay,
    string Accelerator,
    string Emulator,
    string Executable,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, int> GuestPorts,
    IReadOnlyList<PortForward> Forwards,
    IReadOnlyList<string> Warnings,
    PassedFds Fds,
    QemuDriver.UefiVarsPlan? UefiVars = null,
    MemoryPlan? Memory = null
) : IDisposable
{
    /// <summary>Run as root in front of QEMU (and of its jail): nsenter into the alloc's network namespace.</summary>
    public IReadOnlyList<string> LauncherPrefix { get; init; } = [];

    /// <summary>The guest agent's socket path, when <c>guest_agent = true</c>.</summary>
    public string? GuestAgentSocket { get; init; }

    /// <summary>The cloud-init seed to write at start, or null without a <c>cloud_init</c> block.</summary>
    public QemuDriver.SeedPlan? Seed { get; init; }

    /// <summary>Overlays of <c>disk</c> images, created at start like <see cref="Overlay"/>.</summary>
    public IReadOnlyList<QemuDriver.OverlayPlan> ExtraOverlays { get; init; } = [];

    /// <summary>Blank <c>disk</c>s, created at start when missing (kept across task restarts).</summary>
    public IReadOnlyList<QemuDriver.BlankDiskPlan> BlankDisks { get; init; } = [];

    /// <summary>The warm-start decision (build, clone or cold), when the job has <c>warm_start</c>; disposed separately.</summary>
    public WarmStart.WarmPlan? Warm { get; init; }

    public void Dispose() => Fds.Dispose();
}
