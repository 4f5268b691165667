using System.Text.Json;
using NomadQemu.CloudInit.Network;
using NomadQemu.CloudInit.Tests.Support;

namespace NomadQemu.CloudInit.Tests;

/// <summary>
/// The seed as cloud-init itself reads it: files extracted from the image by xorriso, then handed to cloud-init's
/// NoCloud datasource, YAML loader, network renderers and schema check (all from the host's cloud-init package).
/// </summary>
public sealed class CloudInitReadsSeedTests
{
    [Fact]
    public async Task NoCloud_TypicalSeed_ReadsDefaultsUserDataVendorDataAndNetwork()
    {
        var seed = Seeds.Typical();
        using var disk = new SeedOnDisk(seed);

        var read = await CloudInitOnHost.ReadSeedAsync(await disk.ExtractWithXorrisoAsync());

        Assert.True(read.GetProperty("found").GetBoolean());
        var expectedId = Identity.SeedIdentity.InstanceId(Seeds.AllocId, Seeds.TaskName);
        Assert.Equal(expectedId, read.GetProperty("instance_id").GetString());
        Assert.Equal("web-0b3c6d0e", read.GetProperty("metadata").GetProperty("local-hostname").GetString());
        Assert.Equal(Convert.ToBase64String(seed.UserData), read.GetProperty("userdata").GetString());
        Assert.Equal(Convert.ToBase64String(seed.VendorData!), read.GetProperty("vendordata").GetString());
        var network = read.GetProperty("network");
        Assert.Equal(2, network.GetProperty("version").GetInt32());
        var eth0 = network.GetProperty("ethernets").GetProperty("eth0");
        Assert.Equal("52:54:00:12:34:56", eth0.GetProperty("match").GetProperty("macaddress").GetString());
        Assert.True(eth0.GetProperty("dhcp4").GetBoolean());
    }

    [Fact]
    public async Task NoCloud_JobJsonMetaData_MergedOverDefaultsWithTypesKept()
    {
        const string job = """
            {"local-hostname": "db-primary", "count": 3, "ratio": 0.5, "enabled": true, "nothing": null,
             "text": "yes", "tags": ["a", 1], "nested": {"deep": {"key": "value"}}, "unicode": "Grüße 😀"}
            """;
        using var disk = new SeedOnDisk(Seeds.Typical(metaData: job));

        var read = await CloudInitOnHost.ReadSeedAsync(await disk.ExtractWithXorrisoAsync());

        var typed = read.GetProperty("metadata_typed");
        Assert.Equal("""["str","db-primary"]""", typed.GetProperty("local-hostname").GetRawText());
        Assert.Equal("""["int","3"]""", typed.GetProperty("count").GetRawText());
        Assert.Equal("""["float","0.5"]""", typed.GetProperty("ratio").GetRawText());
        Assert.Equal("""["bool","True"]""", typed.GetProperty("enabled").GetRawText());
        Assert.Equal("""["NoneType","None"]""", typed.GetProperty("nothing").GetRawText());
        Assert.Equal("""["str","yes"]""", typed.GetProperty("text").GetRawText());
        Assert.Equal("""[["str","a"],["int","1"]]""", typed.GetProperty("tags").GetRawText());
        Assert.Equal("""{"deep":{"key":["str","value"]}}""", typed.GetProperty("nested").GetRawText());
        Assert.Equal("Grüße 😀", read.GetProperty("metadata").GetProperty("unicode").GetString());
        var expectedId = Identity.SeedIdentity.InstanceId(Seeds.AllocId, Seeds.TaskName);
        Assert.Equal(expectedId, read.GetProperty("instance_id").GetString());
    }

    [Fact]
    public async Task NoCloud_JobInstanceId_WinsOverDefault()
    {
        using var disk = new SeedOnDisk(Seeds.Typical(metaData: "instance-id: pinned-by-job\n"));

        var read = await CloudInitOnHost.ReadSeedAsync(await disk.ExtractWithXorrisoAsync());

        Assert.Equal("pinned-by-job", read.GetProperty("instance_id").GetString());
    }

    [Fact]
    public async Task NoCloud_JobNetworkConfigWithTopLevelNetworkKey_PassedThroughByteExact()
    {
        var networkConfig = Seeds.Utf8(
            "network:\n  version: 1\n  config:\n    - type: physical\n      name: ens3\n      subnets:\n        - type: dhcp\n"
        );
        var seed = SeedBuilder.Build(
            new SeedRequest
            {
                AllocId = Seeds.AllocId,
                TaskName = Seeds.TaskName,
                NetworkConfig = networkConfig,
                DefaultNetwork = new UserNetworkConfig { MacAddress = Seeds.Mac },
            }
        );
        using var disk = new SeedOnDisk(seed);
        var files = await disk.ExtractWithXorrisoAsync();

        var read = await CloudInitOnHost.ReadSeedAsync(files);

        Assert.Equal(networkConfig, File.ReadAllBytes(Path.Combine(files, "network-config")));
        var v1 = read.GetProperty("network").GetProperty("network");
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal("ens3", v1.GetProperty("config")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Schema_CloudConfigUserDataFromImage_IsValid()
    {
        using var disk = new SeedOnDisk(Seeds.Typical());
        var files = await disk.ExtractWithXorrisoAsync();

        var result = await CloudInitOnHost.SchemaAsync(Path.Combine(files, "user-data"));

        Assert.True(result.ExitCode == 0, result.Stderr + result.Text);
        Assert.Contains("Valid cloud-config", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_InvalidCloudConfig_IsRefusedByTheSameCheck()
    {
        // The check above can fail: the same command refuses a cloud-config that breaks the schema.
        using var dir = new NomadQemu.TestKit.ShortTempDir();
        var path = Path.Combine(dir.Path, "user-data");
        await File.WriteAllTextAsync(path, "#cloud-config\nruncmd: 5\n", TestContext.Current.CancellationToken);

        var result = await CloudInitOnHost.SchemaAsync(path);

        Assert.NotEqual(0, result.ExitCode);
    }

    [Theory]
    [InlineData(NetworkConfigVersion.V2, NetworkAddressing.Dhcp)]
    [InlineData(NetworkConfigVersion.V2, NetworkAddressing.Static)]
    [InlineData(NetworkConfigVersion.V1, NetworkAddressing.Dhcp)]
    [InlineData(NetworkConfigVersion.V1, NetworkAddressing.Static)]
    public async Task NetConvert_DefaultNetworkConfig_RendersNicMatchedByMacWithSlirpAddresses(
        NetworkConfigVersion version,
        NetworkAddressing addressing
    )
    {
        var config = new UserNetworkConfig
        {
            MacAddress = Seeds.Mac,
            Version = version,
            Addressing = addressing,
            SearchDomains = ["service.consul"],
        };

        var networkd = await CloudInitOnHost.NetConvertAsync(config.Render(), "networkd");
        var eni = await CloudInitOnHost.NetConvertAsync(config.Render(), "eni");
        var netplan = await CloudInitOnHost.NetConvertAsync(config.Render(), "netplan");

        Assert.Contains("MACAddress=52:54:00:12:34:56", networkd, StringComparison.Ordinal);
        Assert.Contains("Name=eth0", networkd, StringComparison.Ordinal);
        Assert.Contains("52:54:00:12:34:56", netplan, StringComparison.Ordinal);
        if (addressing == NetworkAddressing.Dhcp)
        {
            Assert.Contains("DHCP=ipv4", networkd, StringComparison.Ordinal);
            Assert.Contains("iface eth0 inet dhcp", eni, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("Address=10.0.2.15/24", networkd, StringComparison.Ordinal);
            Assert.Contains("Gateway=10.0.2.2", networkd, StringComparison.Ordinal);
            Assert.Contains("DNS=10.0.2.3", networkd, StringComparison.Ordinal);
            Assert.Contains("Domains=service.consul", networkd, StringComparison.Ordinal);
            Assert.Contains("iface eth0 inet static", eni, StringComparison.Ordinal);
            Assert.Contains("address 10.0.2.15/24", eni, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LoadYaml_TrickyScalars_SameTypesAsTheJobsOwnText()
    {
        // What PyYAML (YAML 1.1) resolves in the job's text must be what it resolves in ours.
        const string job = """
            plain_yes: yes
            plain_on: on
            quoted_yes: "yes"
            octal: 0755
            sexagesimal: 1:20
            date: 2001-12-14
            inf: .inf
            empty:
            tilde: ~
            quoted_null: "null"
            single: 'it''s'
            literal: |
              line one
              line two
            folded: >
              folded
              text
            controls: "tab\there bell\a nul\0 del\x7f nel\x85 ls\u2028 bom\ufeff"
            "key: with colon": 1
            "#not-a-comment": 2
            "- dash": 3
            binary: !!binary aGVsbG8=
            explicit_str: !!str 123
            list_of_maps:
              - name: a
                value: 1
              - {name: b, value: [x, "y", 3]}
            """;

        var ours = MetaDataDocument.Build(Seeds.Utf8(job), "iid", "host");
        var fromOurs = await CloudInitOnHost.LoadYamlAsync(ours);
        var fromJob = await CloudInitOnHost.LoadYamlAsync(Seeds.Utf8(job));

        var expected = JsonSerializer.Serialize(fromJob);
        var withoutDefaults = fromOurs.EnumerateObject().Where(p => p.Name is not ("instance-id" or "local-hostname"));
        Assert.Equal(expected, JsonSerializer.Serialize(withoutDefaults.ToDictionary(p => p.Name, p => p.Value)));
        Assert.Contains("\"plain_yes\":[\"bool\",\"True\"]", expected, StringComparison.Ordinal);
        Assert.Contains("\"octal\":[\"int\",\"493\"]", expected, StringComparison.Ordinal);
    }
}
