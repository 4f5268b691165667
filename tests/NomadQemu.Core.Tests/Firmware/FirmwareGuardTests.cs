using NomadQemu.Core.Config;
using NomadQemu.Core.Validation;
using static NomadQemu.Core.Tests.Config.ConfigTestData;

namespace NomadQemu.Core.Tests.Firmware;

public sealed class FirmwareGuardTests
{
    private static TaskConfig Config(params (string Key, object? Value)[] entries) =>
        TaskConfig.Decode(Encode(Task(entries)));

    [Fact]
    public void Decode_Defaults_AreBiosWithoutSecureBoot()
    {
        var config = Config();
        Assert.Equal(NomadQemu.Core.Config.Firmware.Bios, config.Firmware);
        Assert.False(config.SecureBoot);
        FirmwareGuard.Check(config);
    }

    [Fact]
    public void Decode_UnknownFirmware_IsRefusedNamingKeyAndChoices()
    {
        var e = Assert.Throws<ConfigException>(() => Config(("firmware", "coreboot")));
        Assert.Equal("firmware", e.Key);
        Assert.Contains("\"bios\", \"uefi\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"coreboot\"", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("q35")]
    [InlineData("pc")]
    [InlineData("pc-q35-7.2")]
    public void Uefi_OnPcMachines_IsAccepted(string machine) =>
        FirmwareGuard.Check(Config(("firmware", "uefi"), ("machine_type", machine)));

    [Fact]
    public void Uefi_WithSecureBootOnQ35_IsAccepted() =>
        FirmwareGuard.Check(Config(("firmware", "uefi"), ("secure_boot", true), ("profile", "fast")));

    public static TheoryData<string, string, string> Incompatible =>
        new()
        {
            {
                """{"firmware":"bios","secure_boot":true,"machine_type":"q35"}""",
                "secure_boot",
                "needs firmware = \"uefi\""
            },
            { """{"firmware":"uefi","machine_type":"microvm"}""", "machine_type", "PC machines only" },
            { """{"firmware":"uefi","secure_boot":true,"machine_type":"pc"}""", "machine_type", "needs SMM" },
            { """{"firmware":"uefi","secure_boot":true}""", "machine_type", "needs SMM" }, // compat profile: pc
            { """{"firmware":"uefi","drive_interface":"pflash"}""", "drive_interface", "pflash units" },
            { """{"firmware":"uefi","args":["-bios","/tmp/x.fd"]}""", "args", "-bios cannot be combined" },
            { """{"firmware":"uefi","args":["-pflash","/tmp/x.fd"]}""", "args", "-pflash cannot be combined" },
        };

    [Theory]
    [MemberData(nameof(Incompatible))]
    public void IncompatibleCombination_IsRefusedNamingTheKeyAndRule(string json, string key, string rule)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var entries = document
            .RootElement.EnumerateObject()
            .Select(p =>
                (
                    p.Name,
                    p.Value.ValueKind switch
                    {
                        System.Text.Json.JsonValueKind.True => true,
                        System.Text.Json.JsonValueKind.Array => p
                            .Value.EnumerateArray()
                            .Select(v => v.GetString())
                            .ToArray(),
                        _ => (object?)p.Value.GetString(),
                    }
                )
            )
            .ToArray();

        var e = Assert.Throws<ConfigException>(() => FirmwareGuard.Check(Config(entries)));

        Assert.Equal(key, e.Key);
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
    }
}
