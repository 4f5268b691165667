namespace NomadQemu.Driver.Tests;

public sealed class SignalsTests
{
    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("sigint", 2)]
    [InlineData("HUP", 1)]
    [InlineData("SIGPWR", 30)]
    [InlineData("9", 9)]
    [InlineData(" SIGSTOP ", 19)]
    public void TryParse_KnownNames(string text, int expected)
    {
        Assert.True(Signals.TryParse(text, out var number));
        Assert.Equal(expected, number);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SIGNOPE")]
    [InlineData("0")]
    [InlineData("99")]
    [InlineData("-9")]
    public void TryParse_Unknown_False(string? text) => Assert.False(Signals.TryParse(text, out _));
}
