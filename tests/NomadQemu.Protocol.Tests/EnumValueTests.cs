namespace NomadQemu.Protocol.Tests;

/// <summary>Enum numbers as the agent reads them; a shifted value changes the meaning silently.</summary>
public sealed class EnumValueTests
{
    private const string Base = "hashicorp.nomad.plugins.base.proto.";
    private const string Drv = "hashicorp.nomad.plugins.drivers.proto.";

    [Theory]
    [InlineData(Base + "PluginType", "UNKNOWN", 0)]
    [InlineData(Base + "PluginType", "DRIVER", 2)]
    [InlineData(Base + "PluginType", "DEVICE", 3)]
    [InlineData(Base + "CoreGrade", "Performance", 0)]
    [InlineData(Base + "CoreGrade", "Efficiency", 1)]
    [InlineData(Drv + "TaskState", "RUNNING", 1)]
    [InlineData(Drv + "TaskState", "EXITED", 2)]
    [InlineData(Drv + "FingerprintResponse.HealthState", "UNDETECTED", 0)]
    [InlineData(Drv + "FingerprintResponse.HealthState", "HEALTHY", 2)]
    [InlineData(Drv + "StartTaskResponse.Result", "FATAL", 2)]
    [InlineData(Drv + "DriverCapabilities.FSIsolation", "NONE", 0)]
    [InlineData(Drv + "DriverCapabilities.FSIsolation", "IMAGE", 2)]
    [InlineData(Drv + "DriverCapabilities.FSIsolation", "UNVEIL", 3)]
    [InlineData(Drv + "DriverCapabilities.MountConfigs", "UNKNOWN_MOUNTS", 0)]
    [InlineData(Drv + "DriverCapabilities.MountConfigs", "ANY_MOUNTS", 0)]
    [InlineData(Drv + "DriverCapabilities.MountConfigs", "NO_MOUNTS", 1)]
    [InlineData(Drv + "NetworkIsolationSpec.NetworkIsolationMode", "GROUP", 1)]
    [InlineData(Drv + "NetworkIsolationSpec.NetworkIsolationMode", "NONE", 3)]
    [InlineData(Drv + "CPUUsage.Fields", "PERCENT", 5)]
    [InlineData(Drv + "MemoryUsage.Fields", "USAGE", 5)]
    [InlineData(Drv + "MemoryUsage.Fields", "SWAP", 6)]
    [InlineData("plugin.StdioData.Channel", "STDOUT", 1)]
    [InlineData("plugin.StdioData.Channel", "STDERR", 2)]
    public void EnumValue_AsDeclared_HasUpstreamNumber(string enumName, string valueName, int number)
    {
        var value = ProtoCatalog.Enum(enumName).FindValueByName(valueName);

        Assert.NotNull(value);
        Assert.Equal(number, value.Number);
    }

    [Fact]
    public void PluginType_NumberOne_IsNotDefined()
    {
        // Upstream skips 1; a dense renumbering would turn DRIVER into DEVICE.
        Assert.Null(ProtoCatalog.Enum(Base + "PluginType").FindValueByNumber(1));
    }

    [Fact]
    public void MountConfigs_AliasedZero_MapsToOneGeneratedValue()
    {
        // allow_alias: both names decode to the same C# value, so "unknown" is read as "any".
        Assert.Equal(
            (int)Drivers.DriverCapabilities.Types.MountConfigs.AnyMounts,
            (int)Drivers.DriverCapabilities.Types.MountConfigs.UnknownMounts
        );
    }
}
