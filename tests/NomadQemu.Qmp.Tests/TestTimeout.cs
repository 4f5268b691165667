namespace NomadQemu.Qmp.Tests;

/// <summary>Every async test is bounded: the test run's token plus a deadline.</summary>
internal static class TestTimeout
{
    public static CancellationTokenSource Start(int seconds = 10)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(TimeSpan.FromSeconds(seconds));
        return source;
    }
}
