using NomadQemu.Core.Firmware;

namespace NomadQemu.Core.Tests.Firmware;

/// <summary>Descriptors as Debian's ovmf package installs them (copied facts: names, features, machines).</summary>
public sealed class FirmwareSelectionTests
{
    private static string Descriptor(string code, string vars, string machines, string features) =>
        $$"""
            {
              "interface-types": ["uefi"],
              "mapping": {
                "device": "flash",
                "executable": { "filename": "{{code}}", "format": "raw" },
                "nvram-template": { "filename": "{{vars}}", "format": "raw" }
              },
              "targets": [ { "architecture": "x86_64", "machines": [{{machines}}] } ],
              "features": [{{features}}]
            }
            """;

    private static readonly FirmwareDescriptor s_enrolled = FirmwareDescriptor.Parse(
        "40-secure-enrolled.json",
        Descriptor(
            "/fw/CODE_4M.ms.fd",
            "/fw/VARS_4M.ms.fd",
            "\"pc-q35-*\"",
            "\"acpi-s3\", \"enrolled-keys\", \"requires-smm\", \"secure-boot\""
        )
    )!;

    private static readonly FirmwareDescriptor s_secureEmpty = FirmwareDescriptor.Parse(
        "50-secure.json",
        Descriptor("/fw/CODE_4M.secboot.fd", "/fw/VARS_4M.fd", "\"pc-q35-*\"", "\"requires-smm\", \"secure-boot\"")
    )!;

    private static readonly FirmwareDescriptor s_plain = FirmwareDescriptor.Parse(
        "60-plain.json",
        Descriptor("/fw/CODE_4M.fd", "/fw/VARS_4M.fd", "\"pc-i440fx-*\", \"pc-q35-*\"", "\"acpi-s3\"")
    )!;

    private static readonly FirmwareDescriptor[] s_debian = [s_enrolled, s_secureEmpty, s_plain];

    [Fact]
    public void Parse_ReadsPathsTargetsAndFeatures()
    {
        Assert.Equal("/fw/CODE_4M.ms.fd", s_enrolled.CodePath);
        Assert.Equal("/fw/VARS_4M.ms.fd", s_enrolled.VarsTemplatePath);
        Assert.True(s_enrolled.EnforcesSecureBoot);
        Assert.True(s_enrolled.RequiresSmm);
        Assert.False(s_secureEmpty.EnforcesSecureBoot); // secure-boot capable, but no keys: nothing is enforced
        Assert.False(s_plain.RequiresSmm);
        Assert.Equal(["pc-i440fx-*", "pc-q35-*"], s_plain.Targets.Single().Machines);
    }

    [Theory]
    [InlineData("""{"interface-types":["bios"],"mapping":{"device":"memory","filename":"/x.bin"}}""")]
    [InlineData("""{"interface-types":["uefi"],"mapping":{"device":"memory","filename":"/x.fd"}}""")]
    [InlineData(
        """{"interface-types":["uefi"],"mapping":{"device":"flash","executable":{"filename":"/c.fd","format":"qcow2"},"nvram-template":{"filename":"/v.fd"}}}"""
    )]
    [InlineData(
        """{"interface-types":["uefi"],"mapping":{"device":"flash","executable":{"filename":"c.fd"},"nvram-template":{"filename":"/v.fd"}}}"""
    )]
    [InlineData("""{"interface-types":["uefi"],"mapping":{"device":"flash","executable":{"filename":"/c.fd"}}}""")]
    [InlineData("not json {")]
    [InlineData("[1,2]")]
    public void Parse_UnusableOrForeignDescriptor_IsSkippedNotThrown(string json) =>
        Assert.Null(FirmwareDescriptor.Parse("x.json", json));

    [Theory]
    [InlineData("q35")]
    [InlineData("pc")]
    [InlineData("pc-i440fx-7.2")]
    [InlineData("pc-q35-7.2")]
    public void Select_WithoutSecureBoot_TakesThePlainBuild(string machine) =>
        Assert.Same(s_plain, FirmwareSelector.Select(s_debian, "x86_64", machine, secureBoot: false));

    [Fact]
    public void Select_SecureBoot_TakesTheBuildWithEnrolledKeys() =>
        Assert.Same(s_enrolled, FirmwareSelector.Select(s_debian, "x86_64", "q35", secureBoot: true));

    [Fact]
    public void Select_SecureBootWithoutEnrolledKeysOnHost_FindsNothing() =>
        Assert.Null(FirmwareSelector.Select([s_secureEmpty, s_plain], "x86_64", "q35", secureBoot: true));

    [Fact]
    public void Select_SecureBootOnPc_FindsNothing() =>
        Assert.Null(FirmwareSelector.Select(s_debian, "x86_64", "pc", secureBoot: true));

    [Theory]
    [InlineData("aarch64", "q35")]
    [InlineData("x86_64", "microvm")]
    public void Select_OtherArchitectureOrMachine_FindsNothing(string arch, string machine) =>
        Assert.Null(FirmwareSelector.Select(s_debian, arch, machine, secureBoot: false));
}
