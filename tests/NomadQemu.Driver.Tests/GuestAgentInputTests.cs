using NomadQemu.Driver.GuestAgent;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Driver.Tests;

/// <summary>
/// What the guest and the exec caller hand the driver is hostile: addresses from the guest are cleaned and
/// bounded before they reach events; commands are checked before they reach the agent.
/// </summary>
public sealed class GuestAgentInputTests
{
    private static GuestNetworkInterface Nic(string name, params (string Address, string Type, int Prefix)[] ips) =>
        new(name, null, [.. ips.Select(i => new GuestIpAddress(i.Address, i.Type, i.Prefix))], null);

    [Fact]
    public void Addresses_LoopbackDropped_GarbageDropped_PrefixClamped()
    {
        var list = GuestAddressList.From([
            Nic("lo", ("127.0.0.1", "ipv4", 8), ("::1", "ipv6", 128)),
            Nic("eth0", ("10.0.2.15", "ipv4", 24), ("not-an-ip", "ipv4", 24), ("fe80::1", "ipv6", 999)),
        ]);

        Assert.Equal("eth0 10.0.2.15/24, eth0 fe80::1/128", list.ToString());
        Assert.Equal("10.0.2.15", list.PrimaryIPv4?.ToString());
    }

    [Fact]
    public void Addresses_HostileNamesAndFloodsAreBounded()
    {
        var evil = new string('x', 500) + "\n\u001b[31m";
        var nics = Enumerable
            .Range(0, 100)
            .Select(i => Nic(evil, [.. Enumerable.Range(1, 100).Select(j => ($"10.{i}.0.{j}", "ipv4", 24))]))
            .ToList();

        var list = GuestAddressList.From(nics);

        Assert.Equal(GuestAddressList.MaxInterfaces * GuestAddressList.MaxAddressesPerInterface, list.Addresses.Count);
        Assert.All(list.Addresses, a => Assert.Equal(GuestAddressList.MaxNameChars, a.Interface.Length));
        Assert.DoesNotContain('\u001b', list.ToString());
        Assert.DoesNotContain('\n', list.ToString());
    }

    [Fact]
    public void Addresses_LinkLocalIPv4IsNotPrimary_EmptyReadsNone()
    {
        var list = GuestAddressList.From([Nic("eth0", ("169.254.3.4", "ipv4", 16))]);
        Assert.Null(list.PrimaryIPv4);
        Assert.Equal("none", GuestAddressList.Empty.ToString());
    }

    [Theory]
    [InlineData(new string[0], "command is empty")]
    [InlineData(new[] { "" }, "command is empty")]
    [InlineData(new[] { "sh", "a\0b" }, "NUL")]
    public void Command_Refused(string[] argv, string reason)
    {
        var e = Assert.Throws<DriverException>(() => GuestCommandGuard.Check(argv, 0));
        Assert.Equal(DriverErrorKind.InvalidConfig, e.Kind);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Command_TooManyArgumentsTooLongOrTooMuchStdin_Refused()
    {
        Assert.Throws<DriverException>(() =>
            GuestCommandGuard.Check([.. Enumerable.Repeat("a", GuestCommandGuard.MaxArguments + 1)], 0)
        );
        Assert.Throws<DriverException>(() =>
            GuestCommandGuard.Check(["sh", new string('a', GuestCommandGuard.MaxTotalChars)], 0)
        );
        var stdin = Assert.Throws<DriverException>(() =>
            GuestCommandGuard.Check(["cat"], ExecCommand.MaxStdinBytes + 1)
        );
        Assert.Contains("1 MiB", stdin.Message);
        GuestCommandGuard.Check(["cat"], ExecCommand.MaxStdinBytes); // the bound itself is allowed
    }
}
