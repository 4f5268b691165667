using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Core.Tests.Qemu;

public sealed class PortForwardResolverTests
{
    private static readonly Dictionary<string, int> s_noMap = [];

    [Fact]
    public void Resolve_GroupPortInPortMap_ForwardsToMappedGuestPort()
    {
        var forwards = PortForwardResolver.Resolve(
            new Dictionary<string, int> { ["http"] = 80 },
            [new GroupPort("http", 25000, 0, "10.0.0.5")],
            []
        );

        Assert.Equal([new PortForward("http", "10.0.0.5", 25000, 80)], forwards);
    }

    [Fact]
    public void Resolve_GroupPortWithToAndNoPortMap_ForwardsToTo()
    {
        var forwards = PortForwardResolver.Resolve(
            s_noMap,
            [new GroupPort("http", 25000, 80, ""), new GroupPort("metrics", 25001, 0, "")],
            []
        );

        Assert.Equal([new PortForward("http", "", 25000, 80)], forwards);
    }

    [Fact]
    public void Resolve_PortMapOverridesTo()
    {
        var forwards = PortForwardResolver.Resolve(
            new Dictionary<string, int> { ["http"] = 8080 },
            [new GroupPort("http", 25000, 80, "")],
            []
        );

        Assert.Equal(8080, Assert.Single(forwards).GuestPort);
    }

    [Fact]
    public void Resolve_ToMinusOne_UsesHostPort()
    {
        var forwards = PortForwardResolver.Resolve(s_noMap, [new GroupPort("p", 25000, -1, "")], []);

        Assert.Equal(25000, Assert.Single(forwards).GuestPort);
    }

    [Fact]
    public void Resolve_LegacyNetwork_UsesNetworkIpAfterGroupPorts()
    {
        LegacyNetwork legacy = new(
            "192.168.1.10",
            [new LegacyPort("ssh", 2222)],
            [new LegacyPort("http", 31000), new LegacyPort("grpc", 31001)]
        );

        var forwards = PortForwardResolver.Resolve(
            new Dictionary<string, int>
            {
                ["ssh"] = 22,
                ["http"] = 80,
                ["admin"] = 9000,
            },
            [new GroupPort("admin", 26000, 0, "")],
            [legacy]
        );

        Assert.Equal(
            [
                new PortForward("admin", "", 26000, 9000),
                new PortForward("ssh", "192.168.1.10", 2222, 22),
                new PortForward("http", "192.168.1.10", 31000, 80),
            ],
            forwards
        );
    }

    [Fact]
    public void Resolve_LabelInGroupAndLegacy_TakesGroup()
    {
        var forwards = PortForwardResolver.Resolve(
            new Dictionary<string, int> { ["http"] = 80 },
            [new GroupPort("http", 25000, 0, "")],
            [new LegacyNetwork("10.0.0.1", [], [new LegacyPort("http", 31000)])]
        );

        Assert.Equal(25000, Assert.Single(forwards).HostPort);
    }

    [Fact]
    public void Resolve_UnknownLabel_ListsAvailable()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            PortForwardResolver.Resolve(
                new Dictionary<string, int> { ["x"] = 80 },
                [new GroupPort("web", 1, 0, ""), new GroupPort("api", 2, 0, "")],
                []
            )
        );

        Assert.Equal("port_map label \"x\" is not a port of this task's network; available: api, web", ex.Message);
        Assert.Equal("port_map", ex.Key);
    }

    [Fact]
    public void Resolve_UnknownLabelWithoutNetwork_SaysNone()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            PortForwardResolver.Resolve(new Dictionary<string, int> { ["x"] = 80 }, [], [])
        );

        Assert.EndsWith("available: (none: the task has no network ports)", ex.Message);
    }

    [Fact]
    public void GuestPortMap_MapsLabelToGuestPort()
    {
        var map = PortForwardResolver.GuestPortMap([
            new PortForward("http", "", 25000, 80),
            new PortForward("ssh", "1.2.3.4", 25001, 22),
        ]);

        Assert.Equal(new Dictionary<string, int> { ["http"] = 80, ["ssh"] = 22 }, map);
    }
}

public sealed class AcceleratorResolverTests
{
    [Theory]
    [InlineData("auto", true, "kvm")]
    [InlineData("auto", false, "tcg")]
    [InlineData(null, true, "kvm")]
    [InlineData("", false, "tcg")]
    [InlineData("kvm", false, "kvm")] // explicit: the driver decides whether to refuse
    [InlineData("tcg", true, "tcg")]
    [InlineData("hvf", false, "hvf")]
    public void Resolve_Table(string? configured, bool kvmUsable, string expected)
    {
        Assert.Equal(expected, AcceleratorResolver.Resolve(configured, kvmUsable));
    }
}

public sealed class VcpuResolverTests
{
    [Theory]
    [InlineData(8, "0-3", 8)]
    [InlineData(null, "0-3,8,10-11", 7)]
    [InlineData(null, "5", 1)]
    [InlineData(null, "", 1)]
    [InlineData(null, null, 1)]
    [InlineData(null, "garbage,2-1", 1)]
    [InlineData(null, "0-1,1-2", 3)]
    public void Resolve_Table(int? configured, string? cpuset, int expected)
    {
        Assert.Equal(expected, VcpuResolver.Resolve(configured, cpuset));
    }
}
