using NomadQemu.Core.Config;
using NomadQemu.Core.WarmStart;
using static NomadQemu.Core.Tests.Config.ConfigTestData;

namespace NomadQemu.Core.Tests.WarmStart;

public sealed class WarmStartConfigDecodeTests
{
    private static TaskConfig Decode(object? warm) => TaskConfig.Decode(Encode(Task(("warm_start", warm))));

    private static Dictionary<string, object?> Ready(params (string Key, object? Value)[] entries) =>
        new()
        {
            ["guest_agent"] = entries.FirstOrDefault(e => e.Key == "guest_agent").Value,
            ["guest_port"] = entries.FirstOrDefault(e => e.Key == "guest_port").Value,
            ["delay"] = entries.FirstOrDefault(e => e.Key == "delay").Value,
        };

    [Fact]
    public void NoBlock_NoWarmStart()
    {
        Assert.Null(TaskConfig.Decode(Encode(Task())).WarmStart);
    }

    [Fact]
    public void AgentReadiness_DefaultTimeout()
    {
        var warm = Decode(new Dictionary<string, object?> { ["ready"] = Ready(("guest_agent", true)) }).WarmStart;

        Assert.NotNull(warm);
        Assert.Equal(new WarmReadiness(true, null, null), warm.Ready);
        Assert.Equal(TimeSpan.FromMinutes(2), warm.Timeout);
    }

    [Fact]
    public void PortReadiness_AndTimeout_AsTheApiWritesBlocks()
    {
        var warm = Decode(
            new object[]
            {
                new Dictionary<string, object?>
                {
                    ["ready"] = new object[] { Ready(("guest_port", 80)) },
                    ["timeout"] = "1m30s",
                },
            }
        ).WarmStart!;

        Assert.Equal(80, warm.Ready.GuestPort);
        Assert.Equal(TimeSpan.FromSeconds(90), warm.Timeout);
    }

    [Fact]
    public void DelayReadiness_Parsed()
    {
        var warm = Decode(new Dictionary<string, object?> { ["ready"] = Ready(("delay", "2500ms")) }).WarmStart!;

        Assert.Equal(TimeSpan.FromMilliseconds(2500), warm.Ready.Delay);
        Assert.Equal("delay=2500ms", warm.Ready.Describe());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("two")]
    public void Ready_NotExactlyOneCondition_Refused(string which)
    {
        var ready = which == "none" ? Ready() : Ready(("guest_agent", true), ("delay", "5s"));
        var e = Assert.Throws<ConfigException>(() => Decode(new Dictionary<string, object?> { ["ready"] = ready }));

        Assert.Equal("warm_start.ready", e.Key);
        Assert.Contains("exactly one", e.Message);
    }

    [Fact]
    public void MissingReadyBlock_Refused()
    {
        var e = Assert.Throws<ConfigException>(() => Decode(new Dictionary<string, object?> { ["timeout"] = "1m" }));

        Assert.Equal("warm_start.ready", e.Key);
    }

    [Theory]
    [InlineData("timeout", "10")]
    [InlineData("timeout", "-5s")]
    [InlineData("timeout", "48h")]
    [InlineData("delay", "soon")]
    public void BadDurations_RefusedByFullKey(string key, string value)
    {
        var block =
            key == "timeout"
                ? new Dictionary<string, object?> { ["ready"] = Ready(("guest_agent", true)), ["timeout"] = value }
                : new Dictionary<string, object?> { ["ready"] = Ready(("delay", value)) };

        var e = Assert.Throws<ConfigException>(() => Decode(block));

        Assert.Equal(key == "timeout" ? "warm_start.timeout" : "warm_start.ready.delay", e.Key);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void GuestPortOutOfRange_Refused()
    {
        var e = Assert.Throws<ConfigException>(() =>
            Decode(new Dictionary<string, object?> { ["ready"] = Ready(("guest_port", 70000)) })
        );

        Assert.Equal("warm_start.ready.guest_port", e.Key);
    }
}
