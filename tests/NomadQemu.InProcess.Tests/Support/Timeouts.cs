using NomadQemu.TestKit;

namespace NomadQemu.InProcess.Tests.Support;

/// <summary>
/// Upper bounds only: every wait ends as soon as its condition holds (milliseconds on an idle machine). They
/// are long because a loaded 2-core CI box can take seconds to start a .NET process (the fake, the supervisor).
/// </summary>
public static class Timeouts
{
    public static TimeSpan Long => TestEnvironment.Scaled(60);

    public static CancellationToken Token()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Long);
        return source.Token;
    }
}
