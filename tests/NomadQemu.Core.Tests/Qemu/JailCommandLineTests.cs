using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Core.Validation.Args;
using static NomadQemu.Core.Tests.Config.ConfigTestData;

namespace NomadQemu.Core.Tests.Qemu;

/// <summary>What the jail needs from QEMU's command line: inherited sockets instead of paths, and seccomp.</summary>
public sealed class JailCommandLineTests
{
    private static readonly QemuLaunchSpec s_spec = new()
    {
        Config = new TaskConfig { ImagePath = "local/disk.img" },
        EmulatorPath = "/usr/bin/qemu-system-x86_64",
        Accelerator = "tcg",
        TaskName = "web",
        MemoryMb = 256,
        Vcpus = 1,
        Drive = new DriveSpec(new DiskLayer("raw", 1)),
        QmpSocketPath = "/a/web/.qemu/qmp.sock",
        GuestAgentSocketPath = "/a/web/.qemu/qga.sock",
        QmpSocketFd = 1000,
        GuestAgentSocketFd = 1001,
        Sandbox = true,
    };

    [Fact]
    public void Build_InheritedSockets_NameDescriptorsNotPaths()
    {
        var spec = s_spec with { Config = s_spec.Config with { GuestAgent = true } };

        var args = QemuCommandLineBuilder.Build(spec).Arguments;

        Assert.Contains("socket,id=qmp0,fd=1000,server=on,wait=off", args);
        Assert.Contains("chardev=qmp0,mode=control", args);
        Assert.Contains("socket,fd=1001,server=on,wait=off,id=qga0", args);
        Assert.DoesNotContain(args, a => a.Contains("qmp.sock", StringComparison.Ordinal));
        Assert.DoesNotContain(args, a => a.Contains("qga.sock", StringComparison.Ordinal));
        Assert.DoesNotContain("-qmp", args);
    }

    [Fact]
    public void Build_Sandbox_AddsEveryDenyGroupOnce()
    {
        var args = QemuCommandLineBuilder.Build(s_spec).Arguments.ToList();

        var at = args.IndexOf("-sandbox");
        Assert.True(at >= 0);
        Assert.Equal("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", args[at + 1]);
        Assert.Single(args, a => a == "-sandbox");
        Assert.DoesNotContain("-sandbox", QemuCommandLineBuilder.Build(s_spec with { Sandbox = false }).Arguments);
    }

    [Theory]
    [InlineData("-sandbox")]
    [InlineData("--sandbox")]
    public void ArgsPolicy_JobsOwnSandbox_RefusedWhateverTheAllowlist(string flag)
    {
        var ex = Assert.Throws<ConfigException>(() =>
            ArgsPolicy.Check([flag, "off"], ArgsAllowlist.Parse(["-sandbox"]), [])
        );

        Assert.Equal("args", ex.Key);
        Assert.Contains("-sandbox", ex.Message);
        Assert.Contains("seccomp", ex.Message);
    }

    [Fact]
    public void PluginConfig_JailKeys_DefaultOnAndDecoded()
    {
        Assert.True(PluginConfig.Default.Jail);
        Assert.True(PluginConfig.Default.Sandbox);
        Assert.Equal(2_000_000_000, PluginConfig.Default.JailUidBase);
        Assert.Equal(65_536, PluginConfig.Default.JailUidCount);

        var config = PluginConfig.Decode(
            Encode(
                new Dictionary<string, object?>
                {
                    ["jail"] = false,
                    ["sandbox"] = false,
                    ["jail_uid_base"] = 3_000_000,
                    ["jail_uid_count"] = 10,
                }
            )
        );

        Assert.False(config.Jail);
        Assert.False(config.Sandbox);
        Assert.Equal(3_000_000, config.JailUidBase);
        Assert.Equal(10, config.JailUidCount);
    }

    [Theory]
    [InlineData(1000, 10, "jail_uid_base")]
    [InlineData(2_147_000_000, 1_000_000, "jail_uid_count")]
    [InlineData(3_000_000, 1, "jail_uid_count")]
    public void PluginConfig_UnsafeUidRange_RefusedNamingTheKey(int uidBase, int count, string key)
    {
        var ex = Assert.Throws<ConfigException>(() =>
            PluginConfig.Decode(
                Encode(new Dictionary<string, object?> { ["jail_uid_base"] = uidBase, ["jail_uid_count"] = count })
            )
        );

        Assert.Contains($"config key \"{key}\"", ex.Message);
    }
}
