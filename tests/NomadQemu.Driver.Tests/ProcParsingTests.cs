using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Tests;

public sealed class ProcParsingTests
{
    [Fact]
    public void TryParse_CommandWithSpacesAndParens_FieldsCountedAfterTheLastParen()
    {
        // Field 2 is "(name)" and may itself contain ") (" — parse after the LAST ')'.
        var stat =
            "4243 (qemu) (evil) x) S 1 4243 4243 0 -1 4194560 1000 0 0 0 250 30 0 0 20 0 4 0 987654 1000000 5000 18446744073709551615";

        var parsed = ProcStat.TryParse(stat)!.Value;

        Assert.Equal('S', parsed.State);
        Assert.Equal(250UL, parsed.UserTicks);
        Assert.Equal(30UL, parsed.SystemTicks);
        Assert.Equal(987654UL, parsed.StartTicks);
        Assert.Equal(5000UL, parsed.RssPages);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4243 (qemu")]
    [InlineData("4243 (qemu) S 1 2")]
    [InlineData("4243 (qemu) S 1 4243 4243 0 -1 4194560 1000 0 0 0 x 30 0 0 20 0 4 0 987654 1000000 5000")]
    public void TryParse_TruncatedOrGarbled_Null(string stat)
    {
        Assert.Null(ProcStat.TryParse(stat));
    }

    [Fact]
    public void Read_Self_MatchesIdentityAndIsRunning()
    {
        var stat = ProcStat.Read(Environment.ProcessId)!.Value;

        Assert.False(stat.HasExited);
        Assert.Equal(ProcessIdentity.ReadStartTicks(Environment.ProcessId), stat.StartTicks);
        Assert.True(stat.RssPages > 0);
    }

    [Fact]
    public void Of_Self_IsAliveAndAStaleStartTimeIsNot()
    {
        var self = ProcessIdentity.Of(Environment.ProcessId)!.Value;

        Assert.True(self.IsAlive());
        Assert.False((self with { StartTicks = self.StartTicks + 1 }).IsAlive());
        Assert.Null(ProcessIdentity.Of(int.MaxValue));
    }

    [Fact]
    public void CountCpus_ReadsCpusetLists()
    {
        Assert.Equal(4, Core.Qemu.VcpuResolver.CountCpus("0-3"));
        Assert.Equal(5, Core.Qemu.VcpuResolver.CountCpus("0-1,4,8-9"));
    }
}
