using NomadQemu.Core.Qemu;

namespace NomadQemu.Core.Tests.Qemu;

public sealed class MemoryPlanTests
{
    [Theory]
    [InlineData(256, 1)]
    [InlineData(4096, 8)]
    public void GuestGetsMemory_LimitAddsTheOverhead(long memory, int vcpus)
    {
        var plan = MemoryPlan.For(memory, 0, vcpus);

        Assert.Equal(memory, plan.GuestMb);
        Assert.Equal(memory + plan.OverheadMb, plan.LimitMb);
        Assert.True(plan.OverheadMb >= MemoryPlan.BaseOverheadMb);
    }

    [Fact]
    public void Overhead_GrowsWithGuestSizeAndVcpus()
    {
        Assert.True(MemoryPlan.OverheadMbFor(8192, 1) > MemoryPlan.OverheadMbFor(256, 1));
        Assert.True(MemoryPlan.OverheadMbFor(256, 4) > MemoryPlan.OverheadMbFor(256, 1));
    }

    [Fact]
    public void MemoryMaxAboveTheOverhead_RaisesTheLimitNotTheGuest()
    {
        var plan = MemoryPlan.For(256, 2048, 1);

        Assert.Equal(256, plan.GuestMb);
        Assert.Equal(2048, plan.LimitMb);
    }

    [Fact]
    public void MemoryMaxBelowGuestPlusOverhead_NeverLowersTheLimitIntoAnOomKill()
    {
        var plan = MemoryPlan.For(256, 300, 1);

        Assert.Equal(256 + plan.OverheadMb, plan.LimitMb);
    }

    [Fact]
    public void DirectKernelBoot_AddsTheKernelAndInitrdCopiesQemuKeeps()
    {
        var without = MemoryPlan.For(256, 0, 1);
        var with = MemoryPlan.For(256, 0, 1, directBootBytes: (100L << 20) + 1);

        Assert.Equal(without.OverheadMb + 101, with.OverheadMb);
        Assert.Equal(256, with.GuestMb);
    }
}
