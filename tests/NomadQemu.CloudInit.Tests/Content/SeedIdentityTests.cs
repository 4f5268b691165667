using System.Text.RegularExpressions;
using NomadQemu.CloudInit.Identity;

namespace NomadQemu.CloudInit.Tests.Content;

public sealed partial class SeedIdentityTests
{
    [Fact]
    public void InstanceId_SameAllocAndTask_Stable()
    {
        var first = SeedIdentity.InstanceId("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "web");
        var second = SeedIdentity.InstanceId("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "web");

        Assert.Equal(first, second);
        Assert.Matches("^nomad-[0-9a-f]{32}$", first);
    }

    [Fact]
    public void InstanceId_KnownAllocAndTask_PinnedAcrossPluginVersions()
    {
        // Changing the derivation would make every running alloc's next task restart a first boot after a plugin
        // upgrade (cloud-init would re-run its once-per-instance modules): this value must never change.
        Assert.Equal(
            "nomad-31bd0a99fd3febf6617c1227dc2ad23a",
            SeedIdentity.InstanceId("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "web")
        );
    }

    [Fact]
    public void InstanceId_RescheduledAllocOrOtherTask_Differs()
    {
        var original = SeedIdentity.InstanceId("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "web");

        Assert.NotEqual(original, SeedIdentity.InstanceId("9f00aa11-2f7a-4c8e-9d21-5b1f0e6a7c44", "web"));
        Assert.NotEqual(original, SeedIdentity.InstanceId("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "db"));
    }

    [Fact]
    public void InstanceId_SplitBetweenAllocAndTaskMoved_Differs()
    {
        Assert.NotEqual(SeedIdentity.InstanceId("ab", "c"), SeedIdentity.InstanceId("a", "bc"));
    }

    [Theory]
    [InlineData("web", "0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", "web-0b3c6d0e")]
    [InlineData("Web_Server.1", "0b3c6d0e-2f7a", "web-server-1-0b3c6d0e")]
    [InlineData("--a--b--", "0B3C6D0E", "a-b-0b3c6d0e")]
    [InlineData("日本語", "0b3c6d0e", "task-0b3c6d0e")]
    [InlineData("x", "ab", "x-ab")]
    public void Hostname_OddTaskNames_ValidDnsLabel(string task, string alloc, string expected)
    {
        Assert.Equal(expected, SeedIdentity.Hostname(alloc, task));
    }

    [Fact]
    public void Hostname_AllocIdWithoutLettersOrDigits_UsesHashSuffix()
    {
        var hostname = SeedIdentity.Hostname("----", "web");

        Assert.Matches("^web-[0-9a-f]{8}$", hostname);
    }

    [Fact]
    public void Hostname_VeryLongTaskName_BoundedTo63()
    {
        var hostname = SeedIdentity.Hostname("0b3c6d0e-2f7a", new string('a', 500) + "-tail");

        Assert.Equal(63, hostname.Length);
        Assert.Matches(DnsLabel(), hostname);
        Assert.EndsWith("-0b3c6d0e", hostname, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostname_RandomTaskNames_AlwaysValidLabel()
    {
        var random = new Random(11);
        for (var i = 0; i < 500; i++)
        {
            var task = new string([
                .. Enumerable.Range(0, random.Next(1, 90)).Select(_ => (char)random.Next(1, 0x3000)),
            ]);

            Assert.Matches(DnsLabel(), SeedIdentity.Hostname("0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44", task));
        }
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
