using NomadQemu.CloudInit.Network;

namespace NomadQemu.CloudInit.Tests.Content;

public sealed class MacAddressTests
{
    [Theory]
    [InlineData("52:54:00:12:34:56", "52:54:00:12:34:56")]
    [InlineData("52:54:00:AB:cd:EF", "52:54:00:ab:cd:ef")]
    [InlineData("02-00-00-00-00-01", "02:00:00:00:00:01")]
    public void Parse_ValidUnicast_CanonicalLowerCase(string text, string expected)
    {
        Assert.Equal(expected, MacAddress.Parse(text).ToString());
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "multicast")]
    [InlineData("ff:ff:ff:ff:ff:ff", "multicast")]
    [InlineData("00:00:00:00:00:00", "all-zero")]
    [InlineData("52:54:00:12:34", "six hex pairs")]
    [InlineData("52:54:00:12:34:5g", "six hex pairs")]
    [InlineData("52:54:00:12:34:567", "six hex pairs")]
    [InlineData("52:54:00:12:34:+5", "six hex pairs")]
    [InlineData("", "six hex pairs")]
    public void Parse_Invalid_RefusedWithRule(string text, string rule)
    {
        var error = Assert.Throws<CloudInitException>(() => MacAddress.Parse(text));

        Assert.Equal("mac_address", error.Part);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForTask_SameTask_StableQemuPrefixUnicast()
    {
        var mac = MacAddress.ForTask("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "web");

        Assert.Equal(mac, MacAddress.ForTask("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "web"));
        Assert.StartsWith("52:54:00:", mac.ToString(), StringComparison.Ordinal);
        Assert.Equal(mac, MacAddress.Parse(mac.ToString()));
        Assert.NotEqual(mac, MacAddress.ForTask("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "db"));
    }
}
