using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.CloudInit;

/// <summary>
/// The Debian guest built by scripts/build-debian-guest.sh, used where it lies: the plugin's <c>image_paths</c>
/// lets a job name its disk, kernel and initrd (as an operator's shared image dir would), so no test copies 300 MB.
/// </summary>
internal static class DebianGuest
{
    public static string Dir => TestEnvironment.DebianGuestDir;

    /// <summary>The kernel command line the image is built for (guest.env: root=/dev/vda, serial console).</summary>
    public static string KernelAppend =>
        File.ReadLines(Path.Combine(Dir, "guest.env"))
            .Single(l => l.StartsWith("DEBIAN_GUEST_KERNEL_APPEND=", StringComparison.Ordinal))
            .Split('=', 2)[1]
            .Trim('\'');

    public static byte[] PluginConfig() => NomadMsgpack.PluginConfig(imagePaths: new[] { Dir });

    /// <summary>Direct kernel boot of the image through an overlay (the default disk mode), on virtio (q35).</summary>
    public static byte[] DriverConfig(Dictionary<string, object?> cloudInit) =>
        VmTask.DriverConfig([
            ("image_path", Path.Combine(Dir, "disk.qcow2")),
            ("kernel", Path.Combine(Dir, "vmlinuz")),
            ("initrd", Path.Combine(Dir, "initrd.img")),
            ("kernel_args", KernelAppend),
            ("profile", "fast"),
            ("guest_agent", true),
            ("cloud_init", cloudInit),
        ]);
}
