using System.Security.Cryptography;
using NomadQemu.Driver.Node;

namespace NomadQemu.Driver.Tests;

/// <summary>The embedded probe is the assembled scripts/guest/kvm-probe.asm and really reaches its exit under QEMU.</summary>
public sealed class KvmProbeGuestTests
{
    [Fact]
    public void FirmwareImage_MatchesTheAssembledSource()
    {
        var image = KvmProbeGuest.FirmwareImage();

        Assert.Equal(65536, image.Length);
        Assert.Equal(
            "280c6dd8edb1c9c57bcc34ad9354516d6a04c37cb98e361230ffd74435af1aa7",
            Convert.ToHexStringLower(SHA256.HashData(image))
        );
    }

    [Fact]
    public async Task Probe_UnderTcg_ReachesLongModeAndExitsWithTheSuccessCode()
    {
        var firmware = Path.Combine(Path.GetTempPath(), $"probe-test-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(firmware, KvmProbeGuest.FirmwareImage(), TestContext.Current.CancellationToken);
        try
        {
            var result = await ProcessRunner.RunAsync(
                "qemu-system-x86_64",
                KvmProbeGuest.Arguments(firmware, "tcg"),
                TimeSpan.FromSeconds(20),
                TestContext.Current.CancellationToken
            );

            Assert.False(result.TimedOut);
            Assert.Equal(KvmProbeGuest.SuccessExitCode, result.ExitCode);
        }
        finally
        {
            File.Delete(firmware);
        }
    }

    [Fact]
    public async Task KvmProbe_MissingDevice_NotUsableWithReason()
    {
        var status = await new KvmProbe("/dev/does-not-exist-kvm").ProbeAsync(
            "qemu-system-x86_64",
            null,
            TestContext.Current.CancellationToken
        );

        Assert.False(status.Usable);
        Assert.Contains("does not exist", status.Reason);
    }
}
