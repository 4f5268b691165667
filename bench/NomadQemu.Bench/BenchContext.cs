using NomadQemu.TestKit;

namespace NomadQemu.Bench;

/// <summary>What every item needs: the options, a log, and plugin sessions isolated from anything else on the machine.</summary>
public sealed class BenchContext(BenchOptions options, TextWriter log, CancellationToken cancellationToken)
{
    public BenchOptions Options { get; } = options;
    public CancellationToken Cancellation { get; } = cancellationToken;

    /// <summary>Generous: 10 TCG guests booting at once on 2 shared cores take tens of seconds.</summary>
    public TimeSpan BootTimeout { get; } = TimeSpan.FromSeconds(180);

    public void Log(string message) => log.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>
    /// A configured plugin (SetConfig + first fingerprint done) with its own state dir, so its task ledger never
    /// meets the ledger of a test run sharing this machine.
    /// </summary>
    public async Task<(PluginSession Session, ShortTempDir StateDir)> StartSessionAsync()
    {
        var stateDir = new ShortTempDir();
        var session = await PluginSession.StartAsync(
            NomadMsgpack.PluginConfig(stateDir: stateDir.Path),
            cancellationToken: Cancellation
        );
        return (session, stateDir);
    }
}
