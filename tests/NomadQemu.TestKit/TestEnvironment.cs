namespace NomadQemu.TestKit;

/// <summary>Where the suite finds the published binary and the test guest (set by scripts/test.sh).</summary>
public static class TestEnvironment
{
    public static string Binary =>
        Environment.GetEnvironmentVariable("NOMAD_QEMU_BINARY") is { Length: > 0 } path && File.Exists(path)
            ? path
            : throw new InvalidOperationException(
                "NOMAD_QEMU_BINARY must point at the published nomad-driver-qemu (run scripts/test.sh)"
            );

    public static string GuestDir =>
        Environment.GetEnvironmentVariable("NOMAD_QEMU_TEST_GUEST") is { Length: > 0 } dir
        && File.Exists(Path.Combine(dir, "disk.qcow2"))
            ? dir
            : throw new InvalidOperationException(
                "NOMAD_QEMU_TEST_GUEST must point at the built test guest (run scripts/test.sh)"
            );

    /// <summary>The Debian guest with real cloud-init (scripts/build-debian-guest.sh; scripts/test.sh always sets it).</summary>
    public static string DebianGuestDir =>
        Environment.GetEnvironmentVariable("NOMAD_QEMU_DEBIAN_GUEST") is { Length: > 0 } dir
        && File.Exists(Path.Combine(dir, "disk.qcow2"))
            ? dir
            : throw new InvalidOperationException(
                "NOMAD_QEMU_DEBIAN_GUEST must point at the built Debian guest (run scripts/test.sh, or export NOMAD_QEMU_DEBIAN_GUEST=$(bash scripts/build-debian-guest.sh))"
            );

    /// <summary>
    /// The repository root (examples/ lives there): recorded at build time by a suite that needs it (assembly
    /// metadata "RepoRoot"), else found above the test assembly.
    /// </summary>
    public static string RepoRoot
    {
        get
        {
            var recorded = System
                .Reflection.Assembly.GetEntryAssembly()
                ?.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
                .OfType<System.Reflection.AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "RepoRoot")
                ?.Value;
            if (recorded is not null && File.Exists(Path.Combine(recorded, "NomadQemu.slnx")))
            {
                return recorded;
            }
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NomadQemu.slnx")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException(
                "cannot find the repository root (NomadQemu.slnx) above " + AppContext.BaseDirectory
            );
        }
    }

    public const string MagicCookie = "e4327c2e01eabfd75a8a67adb114fb34a757d57eee7728d857a8cec6e91a7255";

    /// <summary>One multiplier for every timeout, for slow machines.</summary>
    public static double TimeoutScale =>
        double.TryParse(
            Environment.GetEnvironmentVariable("NOMAD_QEMU_TEST_TIMEOUT_SCALE"),
            System.Globalization.CultureInfo.InvariantCulture,
            out var s
        )
        && s > 0
            ? s
            : 1.0;

    public static TimeSpan Scaled(double seconds) => TimeSpan.FromSeconds(seconds * TimeoutScale);
}
