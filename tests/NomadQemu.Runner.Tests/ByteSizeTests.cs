using NomadQemu.Runner;

namespace NomadQemu.Runner.Tests;

/// <summary>--decompression-size-limit takes sizes as Nomad's agent config writes them.</summary>
public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("100GB", 100_000_000_000)]
    [InlineData("100 gb", 100_000_000_000)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("1.5KB", 1500)]
    [InlineData("4096", 4096)]
    [InlineData("10k", 10_000)]
    [InlineData("0", 0)]
    public void TryParse_NomadSizes_AreBytes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-1GB")]
    [InlineData("1PB")]
    [InlineData("99999999999TB")]
    public void TryParse_NotASize_IsRefused(string text) => Assert.False(ByteSize.TryParse(text, out _));
}
