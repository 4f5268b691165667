using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Tests.Cty;

public sealed class CtyNumberTests
{
    [Theory]
    [InlineData("123", "123")]
    [InlineData("-0.50", "-0.5")]
    [InlineData("+7", "7")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1.5E-3", "0.0015")]
    [InlineData(".25", "0.25")]
    [InlineData("0e5", "0")]
    [InlineData("1200", "1200")]
    public void TryParse_Valid_GivesPlainText(string text, string expected)
    {
        Assert.True(CtyNumber.TryParse(text, out var number));
        Assert.Equal(expected, number.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("abc")]
    [InlineData("--1")]
    [InlineData("1e")]
    [InlineData("1e99999")] // exponent bound: would otherwise allocate a 100 kB digit string on demand
    [InlineData("0x10")]
    [InlineData(".")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(CtyNumber.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_TooLong_ReturnsFalse()
    {
        Assert.False(CtyNumber.TryParse(new string('9', CtyNumber.MaxTextLength + 1), out _));
    }

    [Fact]
    public void Equality_SameValueDifferentSpelling_IsEqual()
    {
        Assert.True(CtyNumber.TryParse("80.00", out var a));
        Assert.True(CtyNumber.TryParse("8e1", out var b));

        Assert.Equal(a, b);
        Assert.Equal(CtyNumber.FromInt64(80), a);
        Assert.Equal(CtyNumber.FromDouble(80.0), a);
    }

    [Theory]
    [InlineData("9223372036854775807", true)]
    [InlineData("9223372036854775808", false)]
    [InlineData("-9223372036854775808", true)]
    [InlineData("1.5", false)]
    [InlineData("1e30", false)]
    public void TryGetInt64_Table(string text, bool fits)
    {
        Assert.True(CtyNumber.TryParse(text, out var number));

        Assert.Equal(fits, number.TryGetInt64(out _));
    }
}
