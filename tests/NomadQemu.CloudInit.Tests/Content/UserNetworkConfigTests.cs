using System.Text;
using NomadQemu.CloudInit.Network;
using NomadQemu.CloudInit.Tests.Support;

namespace NomadQemu.CloudInit.Tests.Content;

public sealed class UserNetworkConfigTests
{
    [Fact]
    public void Render_DefaultV2Dhcp_MatchesNicByQuotedMac()
    {
        var text = Encoding.UTF8.GetString(new UserNetworkConfig { MacAddress = Seeds.Mac }.Render());

        Assert.Equal(
            "version: 2\nethernets:\n  \"eth0\":\n    match:\n      macaddress: \"52:54:00:12:34:56\"\n    set-name: \"eth0\"\n    dhcp4: true\n",
            text
        );
    }

    [Fact]
    public void Build_NoJobNetworkConfig_UsesDefaultNetwork()
    {
        var network = new UserNetworkConfig { MacAddress = Seeds.Mac, Addressing = NetworkAddressing.Static };

        var seed = SeedBuilder.Build(
            new SeedRequest
            {
                AllocId = Seeds.AllocId,
                TaskName = Seeds.TaskName,
                DefaultNetwork = network,
            }
        );

        Assert.Equal(network.Render(), seed.NetworkConfig);
    }

    [Fact]
    public void Build_NoNetworkAtAll_OmitsNetworkConfig()
    {
        var seed = SeedBuilder.Build(new SeedRequest { AllocId = Seeds.AllocId, TaskName = Seeds.TaskName });

        Assert.Null(seed.NetworkConfig);
        Assert.Null(seed.VendorData);
        Assert.Empty(seed.UserData);
    }

    [Fact]
    public void Build_JobNetworkConfig_ByteExactOverDefault()
    {
        var job = Seeds.Utf8("# mine\nversion: 2\nethernets:\n  e:\n    dhcp6: true\n");

        var seed = SeedBuilder.Build(
            new SeedRequest
            {
                AllocId = Seeds.AllocId,
                TaskName = Seeds.TaskName,
                NetworkConfig = job,
                DefaultNetwork = new UserNetworkConfig { MacAddress = Seeds.Mac },
            }
        );

        Assert.Same(job, seed.NetworkConfig);
    }
}
