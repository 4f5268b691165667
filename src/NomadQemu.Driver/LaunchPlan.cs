using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Driver.Files;

namespace NomadQemu.Driver;

/// <summary>
/// Everything StartTask decided before touching the system: the opened job files, the exact argv. Owns the
/// opened descriptors: dispose it once the supervisor holds its copies (or the start failed).
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
    PassedFds Fds
) : IDisposable
{
    public void Dispose() => Fds.Dispose();
}
