namespace NomadQemu.Qmp.Tests;

/// <summary>Every async test is bounded: the test run's token plus a deadline.</summary>
internal static class TestTimeout
{
    /// <summary>One multiplier for every timeout, for slow machines (the same variable the other suites read).</summary>
    public static double Scale =>
        double.TryParse(
            Environment.GetEnvironmentVariable("NOMAD_QEMU_TEST_TIMEOUT_SCALE"),
            System.Globalization.CultureInfo.InvariantCulture,
            out var scale
        )
        && scale > 0
            ? scale
            : 1.0;

    public static TimeSpan Scaled(double seconds) => TimeSpan.FromSeconds(seconds * Scale);

    public static CancellationTokenSource Start(int seconds = 10)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Scaled(seconds));
        return source;
    }
}
