using NomadQemu.Core.Qemu;

namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// Ids the driver's own command line uses (drive, guest-agent chardev and channel, user network) and the ones QEMU
/// derives from it (<c>-qmp</c> → <c>compat_monitor0</c>, <c>-serial stdio</c> → <c>serial0</c>). A job value that
/// names one would attach to, or replace, a part of the VM the driver relies on.
/// </summary>
internal static class DriverIds
{
    public static IReadOnlyList<string> All { get; } =
    [
        QemuCommandLineBuilder.DriveId,
        QemuCommandLineBuilder.GuestAgentChardevId,
        QemuCommandLineBuilder.GuestAgentChannel,
        QemuCommandLineBuilder.NetdevId,
        "compat_monitor0",
        "serial0",
    ];

    public static bool Contains(string value) => All.Contains(value, StringComparer.Ordinal);
}
