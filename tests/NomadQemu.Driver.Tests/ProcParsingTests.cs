using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Tests;

public sealed class ProcParsingTests
{
    [Fact]
    public void ParseStateAndStart_CommandWithSpacesAndParens()
    {
        // Field 2 is "(name)" and may itself contain ") (" — parse after the LAST ')'.
        var stat =
            "4243 (qemu) (evil) x) S 1 4243 4243 0 -1 4194560 1000 0 0 0 250 30 0 0 20 0 4 0 987654 1000000 5000 18446744073709551615";

        var (state, ticks) = ProcessIdentity.ParseStateAndStart(stat);

        Assert.Equal('S', state);
        Assert.Equal(987654UL, ticks);
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
