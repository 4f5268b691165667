using System.Text;
using NomadQemu.CloudInit.Network;
using NomadQemu.CloudInit.Tests.Support;

namespace NomadQemu.CloudInit.Tests.Content;

/// <summary>Every job input is an attacker's: each refusal is a <see cref="CloudInitException"/> naming the part.</summary>
public sealed class HostileInputTests
{
    private static CloudInitException Refused(SeedRequest request) =>
        Assert.Throws<CloudInitException>(() => SeedBuilder.Build(request));

    private static SeedRequest Request(
        byte[]? userData = null,
        byte[]? metaData = null,
        byte[]? vendorData = null,
        byte[]? networkConfig = null
    ) =>
        new()
        {
            AllocId = Seeds.AllocId,
            TaskName = Seeds.TaskName,
            UserData = userData,
            MetaData = metaData,
            VendorData = vendorData,
            NetworkConfig = networkConfig,
        };

    [Fact]
    public void Build_UserDataOverLimit_RefusedNamingUserDataWithoutQuotingIt()
    {
        var secret = Encoding.ASCII.GetBytes("#cloud-config\npassword: hunter2-SECRET\n");
        var huge = new byte[CloudInitLimits.MaxUserDataBytes + 1];
        secret.CopyTo(huge, 0);

        var error = Refused(Request(userData: huge));

        Assert.Equal("user-data", error.Part);
        Assert.Contains("over the limit of 16777216 bytes", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UserDataAtLimit_Accepted()
    {
        var seed = SeedBuilder.Build(Request(userData: new byte[CloudInitLimits.MaxUserDataBytes]));

        Assert.Equal(CloudInitLimits.MaxUserDataBytes, seed.UserData.Length);
    }

    [Fact]
    public void Build_VendorDataOverLimit_RefusedNamingVendorData()
    {
        var error = Refused(Request(vendorData: new byte[CloudInitLimits.MaxVendorDataBytes + 1]));

        Assert.Equal("vendor-data", error.Part);
    }

    [Fact]
    public void Build_MetaDataOverLimit_RefusedBeforeParsing()
    {
        var error = Refused(Request(metaData: new byte[CloudInitLimits.MaxMetaDataBytes + 1]));

        Assert.Equal("meta-data", error.Part);
        Assert.Contains("over the limit of 65536 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NetworkConfigOverLimit_RefusedNamingNetworkConfig()
    {
        var error = Refused(Request(networkConfig: new byte[CloudInitLimits.MaxNetworkConfigBytes + 1]));

        Assert.Equal("network-config", error.Part);
    }

    [Fact]
    public void Build_NonUtf8MetaData_RefusedWithOffset()
    {
        var error = Refused(Request(metaData: [.. "key: "u8, 0xC3, 0x28, .. "\n"u8]));

        Assert.Equal("meta-data", error.Part);
        Assert.Contains("is not valid UTF-8 (bad byte at offset 5)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NonUtf8UserData_PassedThroughByteExact()
    {
        byte[] binary = [0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x80];

        var seed = SeedBuilder.Build(Request(userData: binary));

        Assert.Equal(binary, seed.UserData);
    }

    [Theory]
    [InlineData("a: &x [1, 2]\nb: *x\n", "anchor")]
    [InlineData("a: [*x]\n", "alias")]
    [InlineData("a: 1\n---\nb: 2\n", "more than one YAML document")]
    [InlineData("[1, 2, 3]\n", "must be a mapping")]
    [InlineData("just text\n", "must be a mapping")]
    [InlineData("a: 1\na: 2\n", "has the key \"a\" twice")]
    [InlineData("? [x]\n: 1\n", "keys must be scalars")]
    [InlineData("a: !python/object:os.system x\n", "tag \"!python/object:os.system\"")]
    [InlineData("a: !custom x\n", "tag \"!custom\"")]
    [InlineData("a: [unclosed\n", "is not valid YAML at line")]
    [InlineData("a: \"unterminated\n", "is not valid YAML at line")]
    [InlineData("a: b: c\n", "is not valid YAML at line 1")]
    [InlineData("instance-id: [a, b]\n", "\"instance-id\" must be a non-empty string")]
    [InlineData("instance-id: \"\"\n", "\"instance-id\" must be a non-empty string")]
    [InlineData("local-hostname: {a: 1}\n", "\"local-hostname\" must be a non-empty string")]
    public void Build_HostileMetaData_RefusedWithReason(string metaData, string reason)
    {
        var error = Refused(Request(metaData: Seeds.Utf8(metaData)));

        Assert.Equal("meta-data", error.Part);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("cloud-init meta-data: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BillionLaughsMetaData_RefusedAtTheFirstAnchor()
    {
        var laughs = new StringBuilder("a: &a [\"lol\"]\n");
        for (var i = 1; i < 10; i++)
        {
            laughs.Append($"{(char)('a' + i)}: &{(char)('a' + i)} [*{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}]\n");
        }

        var error = Refused(Request(metaData: Seeds.Utf8(laughs.ToString())));

        Assert.Contains("anchors and aliases are not supported", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(33, "[", "]")]
    [InlineData(10_000, "[", "]")]
    [InlineData(10_000, "{a: ", "}")]
    public void Build_DeeplyNestedMetaData_RefusedWithoutStackOverflow(int depth, string open, string close)
    {
        var text =
            "k: " + string.Concat(Enumerable.Repeat(open, depth)) + string.Concat(Enumerable.Repeat(close, depth));

        var error = Refused(Request(metaData: Seeds.Utf8(text)));

        Assert.Contains("nests deeper than 32 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NestingAtTheDepthLimit_Accepted()
    {
        var text = "k: " + new string('[', 31) + new string(']', 31); // the root mapping is level 1

        var seed = SeedBuilder.Build(Request(metaData: Seeds.Utf8(text)));

        Assert.Contains("k:", Encoding.UTF8.GetString(seed.MetaData), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TooManyMetaDataValues_Refused()
    {
        var text = "k: [" + string.Join(",", Enumerable.Repeat("1", CloudInitLimits.MaxYamlNodes)) + "]";

        var error = Refused(Request(metaData: Seeds.Utf8(text)));

        Assert.Contains("more than 10000 values", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ethernets: {}\n", "must declare \"version: 1\" or \"version: 2\"")]
    [InlineData("version: 3\n", "must declare")]
    [InlineData("version: \"2\"\n", "must declare")]
    [InlineData("version: 1\n", "version 1 needs a \"config\" list")]
    [InlineData("- version: 2\n", "must be a mapping")]
    [InlineData("version: 2\nversion: 2\n", "twice")]
    [InlineData("version: 2\nethernets:\n\teth0: {}\n", "indents line 3 with a tab")]
    public void Build_BadNetworkConfig_RefusedWithReason(string networkConfig, string reason)
    {
        var error = Refused(Request(networkConfig: Seeds.Utf8(networkConfig)));

        Assert.Equal("network-config", error.Part);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_EmptyJobNetworkConfig_RefusedRatherThanSilentlyDroppingTheDefault()
    {
        var error = Refused(Request(networkConfig: []));

        Assert.Equal("network-config", error.Part);
    }

    [Theory]
    [InlineData("", "alloc_id")]
    [InlineData(null, "alloc_id")]
    public void Build_MissingAllocId_Refused(string? allocId, string part)
    {
        var request = new SeedRequest { AllocId = allocId!, TaskName = "web" };

        var error = Record.Exception(() => SeedBuilder.Build(request));

        Assert.True(error is CloudInitException or ArgumentNullException, error?.ToString());
        Assert.Contains(part, error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HugeTaskName_RefusedNamingTaskName()
    {
        var error = Refused(new SeedRequest { AllocId = Seeds.AllocId, TaskName = new string('t', 5000) });

        Assert.Equal("task_name", error.Part);
    }

    [Fact]
    public void Build_RandomBytesAsMetaDataAndNetworkConfig_OnlyEverRefusedCleanly()
    {
        // A seeded sweep: random bytes, random printable text and mutated YAML never escape as anything but a
        // CloudInitException (or succeed).
        var random = new Random(20261202);
        const string alphabet = "ab:{}[],-?&*!|>'\"%@`#\n\t \\0123456789~.";
        for (var i = 0; i < 2000; i++)
        {
            var input = (i % 3) switch
            {
                0 => Seeds.RandomBytes(random.Next(0, 256), random.Next()),
                1 => Seeds.Utf8(
                    new string([
                        .. Enumerable.Range(0, random.Next(0, 128)).Select(_ => alphabet[random.Next(alphabet.Length)]),
                    ])
                ),
                _ => Mutate(Seeds.Utf8("a: [1, {b: c}]\nd: \"e\"\nf:\n  - g\n"), random),
            };
            foreach (var request in new[] { Request(metaData: input), Request(networkConfig: input) })
            {
                var error = Record.Exception(() => SeedBuilder.Build(request));
                Assert.True(error is null or CloudInitException, $"input #{i} {Convert.ToHexString(input)}: {error}");
            }
        }
    }

    [Fact]
    public void DefaultNetwork_BadInterfaceName_RefusedNamingTheField()
    {
        var config = new UserNetworkConfig { MacAddress = Seeds.Mac, InterfaceName = "eth0\"\n  evil: 1" };

        var error = Assert.Throws<CloudInitException>(() => config.Render());

        Assert.Equal("network-config", error.Part);
        Assert.Contains("interface_name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.2.15", "address")]
    [InlineData("10.0.2.15/33", "address")]
    [InlineData("10.0.2.x/24", "address")]
    public void DefaultNetwork_BadStaticAddress_Refused(string address, string field)
    {
        var config = new UserNetworkConfig
        {
            MacAddress = Seeds.Mac,
            Addressing = NetworkAddressing.Static,
            Address = address,
        };

        var error = Assert.Throws<CloudInitException>(() => config.Render());

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", "name_servers")]
    [InlineData("::1", "name_servers")]
    public void DefaultNetwork_BadNameServer_Refused(string server, string field)
    {
        var config = new UserNetworkConfig
        {
            MacAddress = Seeds.Mac,
            Addressing = NetworkAddressing.Static,
            NameServers = [server],
        };

        var error = Assert.Throws<CloudInitException>(() => config.Render());

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultNetwork_SearchDomainWithYamlSyntax_Refused()
    {
        var config = new UserNetworkConfig
        {
            MacAddress = Seeds.Mac,
            Addressing = NetworkAddressing.Static,
            SearchDomains = ["a\"b"],
        };

        var error = Assert.Throws<CloudInitException>(() => config.Render());

        Assert.Contains("search_domains", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Mutate(byte[] text, Random random)
    {
        var copy = (byte[])text.Clone();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }
        return copy;
    }
}
