using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Driver;

/// <summary>
/// Everything StartTask decided before touching the system: validated paths and the exact argv, and what the
/// job asked for that cannot be honoured (<see cref="Warnings"/>, reported as task events once the VM runs).
/// </summary>
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
    IReadOnlyList<PortForward> Forwards,
    IReadOnlyList<string> Warnings
);
