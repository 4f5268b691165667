using NomadQemu.Core.Config;
using NomadQemu.Core.WarmStart;

namespace NomadQemu.Core.Tests.WarmStart;

public sealed class WarmStartGuardTests
{
    private static readonly TaskConfig s_warm = new()
    {
        ImagePath = "local/disk.qcow2",
        GuestAgent = true,
        WarmStart = new WarmStartConfig(new WarmReadiness(true, null, null), TimeSpan.FromMinutes(2)),
    };

    [Fact]
    public void PlainWarmConfig_Accepted()
    {
        WarmStartGuard.Check(s_warm);
        WarmStartGuard.Check(s_warm with { Args = ["-device", "virtio-rng-pci"] });
    }

    [Fact]
    public void WithoutWarmStart_NothingIsRefused()
    {
        WarmStartGuard.Check(s_warm with { WarmStart = null, DiskMode = DiskMode.InPlace, Args = ["-numa", "node"] });
    }

    public static TheoryData<string, string> Refusals() =>
        new()
        {
            { "cloud_init", "instance-id" },
            { "disk_mode", "in_place" },
            { "disk", "extra disks" },
            { "firmware", "variable store" },
            { "args", "vhost-user" },
            { "warm_start.ready.guest_agent", "guest_agent = true" },
        };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void UnclonableCombination_RefusedNamingTheKey(string key, string why)
    {
        var config = key switch
        {
            "cloud_init" => s_warm with { CloudInit = new CloudInitConfig() },
            "disk_mode" => s_warm with { DiskMode = DiskMode.InPlace },
            "disk" => s_warm with { Disks = [new DiskConfig { Name = "disk[0]", SizeBytes = 1 << 20 }] },
            "firmware" => s_warm with { Firmware = Core.Config.Firmware.Uefi },
            "args" => s_warm with
            {
                Args = ["-chardev", "socket,id=c,path=/x", "-device", "VHOST-USER-fs-pci,chardev=c"],
            },
            _ => s_warm with { GuestAgent = false },
        };

        var e = Assert.Throws<ConfigException>(() => WarmStartGuard.Check(config));

        Assert.Equal(key, e.Key);
        Assert.Contains(why, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("vfio-pci,host=01:00.0")]
    [InlineData("memory-backend-ram,id=m,size=1G")]
    [InlineData("-incoming")]
    [InlineData("virtio-balloon")]
    public void HostStateArgs_Refused(string arg)
    {
        var e = Assert.Throws<ConfigException>(() => WarmStartGuard.Check(s_warm with { Args = [arg] }));

        Assert.Equal("args", e.Key);
        Assert.Contains(arg, e.Message);
    }
}
