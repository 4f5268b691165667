using Microsoft.Extensions.Logging.Abstractions;
using NomadQemu.Driver.Node;

namespace NomadQemu.Driver.Tests;

/// <summary>The firmware attributes follow the descriptors on the node, read from real files.</summary>
public sealed class FirmwareFingerprintTests : IDisposable
{
    private readonly string _top = Directory.CreateTempSubdirectory("nq-fw").FullName;
    private string Descriptors => Path.Combine(_top, "firmware");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public FirmwareFingerprintTests() => Directory.CreateDirectory(Descriptors);

    public void Dispose() => Directory.Delete(_top, recursive: true);

    private void Install(string name, string features, bool filesExist = true)
    {
        var code = Path.Combine(_top, name + ".code.fd");
        var vars = Path.Combine(_top, name + ".vars.fd");
        if (filesExist)
        {
            File.WriteAllText(code, "code");
            File.WriteAllText(vars, "vars");
        }
        File.WriteAllText(
            Path.Combine(Descriptors, name + ".json"),
            $$$"""
            {"interface-types":["uefi"],
             "mapping":{"device":"flash","executable":{"filename":"{{{code}}}","format":"raw"},"nvram-template":{"filename":"{{{vars}}}","format":"raw"}},
             "targets":[{"architecture":"x86_64","machines":["pc-q35-*"]}],
             "features":[{{{features}}}]}
            """
        );
    }

    private async Task<IReadOnlyDictionary<string, AttributeValue>> AttributesAsync()
    {
        using var fingerprinter = new Fingerprinter(
            () => Environment.GetEnvironmentVariable("PATH"),
            new KvmProbe(),
            () => _top,
            NullLogger.Instance,
            [Descriptors]
        );
        var fingerprint = await fingerprinter.FingerprintAsync([], probeKvm: false, Ct);
        Assert.Equal(DriverHealth.Healthy, fingerprint.Health);
        return fingerprint.Attributes;
    }

    [Fact]
    public async Task NoDescriptors_BiosOnly()
    {
        var attributes = await AttributesAsync();

        Assert.Equal(true, attributes["driver.qemu.firmware.bios"].Value);
        Assert.Equal(false, attributes["driver.qemu.firmware.uefi"].Value);
        Assert.Equal(false, attributes["driver.qemu.firmware.uefi_secure_boot"].Value);
    }

    [Fact]
    public async Task PlainAndEnrolledBuilds_UefiAndSecureBoot()
    {
        Install("40-enrolled", "\"enrolled-keys\",\"requires-smm\",\"secure-boot\"");
        Install("60-plain", "\"acpi-s3\"");

        var attributes = await AttributesAsync();

        Assert.Equal(true, attributes["driver.qemu.firmware.uefi"].Value);
        Assert.Equal(true, attributes["driver.qemu.firmware.uefi_secure_boot"].Value);
    }

    [Fact]
    public async Task SecureBootBuildWithoutKeys_IsNotSecureBoot_AndMissingFilesCountForNothing()
    {
        Install("50-secure", "\"requires-smm\",\"secure-boot\"");
        Install("60-plain", "\"acpi-s3\"", filesExist: false);

        var attributes = await AttributesAsync();

        Assert.Equal(false, attributes["driver.qemu.firmware.uefi"].Value);
        Assert.Equal(false, attributes["driver.qemu.firmware.uefi_secure_boot"].Value);
    }
}
