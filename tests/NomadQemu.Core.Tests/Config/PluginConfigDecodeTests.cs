using NomadQemu.Core.Config;
using static NomadQemu.Core.Tests.Config.ConfigTestData;

namespace NomadQemu.Core.Tests.Config;

public sealed class PluginConfigDecodeTests
{
    [Fact]
    public void Decode_EmptyBytes_GivesDefaults()
    {
        var config = PluginConfig.Decode(ReadOnlyMemory<byte>.Empty);

        Assert.Empty(config.ImagePaths);
        Assert.Empty(config.ArgsAllowlist);
        Assert.Empty(config.EmulatorsAllowlist);
        Assert.True(config.KvmProbe);
        Assert.Null(config.StateDir);
    }

    [Fact]
    public void Decode_NomadShapedPayload_ReadsEveryKey()
    {
        var bytes = Encode(
            new Dictionary<string, object?>
            {
                ["image_paths"] = new[] { "/srv/images" },
                ["args_allowlist"] = new[] { "-smp", "-cpu" },
                ["emulators_allowlist"] = new[] { "x86_64" },
                ["kvm_probe"] = false,
                ["state_dir"] = "/var/lib/nomad-qemu",
            }
        );

        var config = PluginConfig.Decode(bytes);

        Assert.Equal(["/srv/images"], config.ImagePaths);
        Assert.Equal(["-smp", "-cpu"], config.ArgsAllowlist);
        Assert.Equal(["x86_64"], config.EmulatorsAllowlist);
        Assert.False(config.KvmProbe);
        Assert.Equal("/var/lib/nomad-qemu", config.StateDir);
    }

    [Fact]
    public void Decode_AllKeysNil_GivesDefaults()
    {
        var bytes = Encode(PluginConfigSchema.Spec.Attributes.Keys.ToDictionary(k => k, _ => (object?)null));

        var config = PluginConfig.Decode(bytes);

        Assert.True(config.KvmProbe);
        Assert.Empty(config.ImagePaths);
    }

    [Fact]
    public void Decode_ImagePathsNotAList_NamesKey()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            PluginConfig.Decode(Encode(new Dictionary<string, object?> { ["image_paths"] = true }))
        );

        Assert.Equal("config key \"image_paths\": expected a list of strings, got a bool (true)", ex.Message);
    }
}
