using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary><c>drive_interface</c> must be one of QEMU's <c>-drive if=</c> values (same list as the built-in driver).</summary>
public static class DriveInterfaceGuard
{
    public static IReadOnlyList<string> Allowed { get; } =
    ["ide", "scsi", "sd", "mtd", "floppy", "pflash", "virtio", "none"];

    /// <exception cref="ConfigException">The value is not in <see cref="Allowed"/>.</exception>
    public static void Check(string driveInterface)
    {
        if (!Allowed.Contains(driveInterface, StringComparer.Ordinal))
        {
            throw ConfigException.ForKey(
                TaskConfigSchema.DriveInterface,
                $"must be one of {string.Join(", ", Allowed)}, got \"{driveInterface}\""
            );
        }
    }
}
