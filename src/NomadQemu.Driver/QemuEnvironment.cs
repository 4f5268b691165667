namespace NomadQemu.Driver;

/// <summary>
/// QEMU's whole environment, chosen by the driver. The task's <c>env</c> is meant for the guest and never
/// reaches QEMU: variables like <c>LD_PRELOAD</c> or <c>LD_LIBRARY_PATH</c> would otherwise run a job's code
/// inside the emulator. bwrap adds <c>PWD=/</c> when jailed.
/// </summary>
internal static class QemuEnvironment
{
    public static IReadOnlyList<string> Fixed { get; } = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"];
}
