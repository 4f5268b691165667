using System.Security.Cryptography;

namespace NomadQemu.Runner.Tests.Fixtures;

/// <summary>Facts about the built test guest.</summary>
public static class Guest
{
    public const string PageMarker = "nomad-qemu test guest";
    public const string ReadyMarker = "TEST-GUEST-READY";

    public static string Image => Path.Combine(TestEnvironment.GuestDir, "disk.qcow2");

    public static string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Image)));

    /// <summary>
    /// `run examples/hello-vm.nomad.hcl` with the image URL and checksum as variables. TCG unless
    /// NOMAD_QEMU_TEST_KVM=1: on nested hosts /dev/kvm can pass the driver's KVM probe while this guest's
    /// BIOS boot dies with "KVM internal error" (seen on the CI host), which would test the host, not the runner.
    /// </summary>
    public static string[] RunArguments(string imageUrl, string checksum, string dataDir, params string[] extra) =>
        [
            "run",
            RepoFiles.ExampleJob,
            "--var",
            $"image_url={imageUrl}",
            "--var",
            $"image_checksum={checksum}",
            "--data-dir",
            dataDir,
            .. Environment.GetEnvironmentVariable("NOMAD_QEMU_TEST_KVM") == "1" ? Array.Empty<string>() : ["--no-kvm"],
            .. extra,
        ];
}
