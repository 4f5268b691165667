using System.Diagnostics;
using NomadQemu.Chaos.Tests.Support;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.Contract;

/// <summary>
/// Nomad multiplexes every call over one connection. 300 Fingerprint and 300 TaskStats streams opened at
/// once must each get their first message within 1 s (one fingerprint fanned out, the first stats sample at
/// once), and a unary call must answer within 100 ms while they are open.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class FingerprintFanOutTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Streams = 300;
    private readonly ChaosNode _node = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _node.StartPluginAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact(Timeout = 300_000)]
    public async Task ThreeHundredFingerprintAndStatsStreams_AllAnswerWithinOneSecond_UnaryWithin100Ms()
    {
        var task = _node.NewTask();
        await _node.StartVmAsync(task);
        var driver = _node.Driver;
        using var calls = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var watch = Stopwatch.StartNew();
        var fingerprints = Enumerable
            .Range(0, Streams)
            .Select(_ => driver.Fingerprint(new FingerprintRequest(), cancellationToken: calls.Token))
            .ToList();
        var stats = Enumerable
            .Range(0, Streams)
            .Select(_ =>
                driver.TaskStats(
                    new TaskStatsRequest { TaskId = task.TaskId, CollectionInterval = VmTask.Seconds(1) },
                    cancellationToken: calls.Token
                )
            )
            .ToList();
        var firsts = fingerprints
            .Select(f => FirstAsync(f.ResponseStream, watch))
            .Concat(stats.Select(s => FirstAsync(s.ResponseStream, watch)))
            .ToList();

        // Meanwhile, a unary call on the same connection.
        await Task.Delay(100, Ct);
        var unary = Stopwatch.StartNew();
        var info = await _node.Session.Plugin.Base.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: Ct);
        unary.Stop();

        var times = await Task.WhenAll(firsts).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await calls.CancelAsync();
        foreach (var call in fingerprints)
        {
            call.Dispose();
        }
        foreach (var call in stats)
        {
            call.Dispose();
        }

        var slowest = times.Max();
        output.WriteLine(
            $"first messages: median {times.Order().ElementAt(times.Length / 2)} ms, slowest {slowest} ms; PluginInfo {unary.ElapsedMilliseconds} ms"
        );
        Assert.Equal("qemu", info.Name);
        // The contract figures (1 s, 100 ms) are measured by bench item 11 on a quiet machine; a test on a shared CI
        // machine can only separate fan-out from per-stream work: before it, no stream had its first message within
        // 10 s and PluginInfo did not answer within 2 s. NOMAD_QEMU_TEST_TIMEOUT_SCALE stretches both bounds.
        var firstBound = TestEnvironment.Scaled(5).TotalMilliseconds;
        var unaryBound = TestEnvironment.Scaled(1.5).TotalMilliseconds;
        Assert.True(slowest <= firstBound, $"slowest first message after {slowest} ms (must be ≤ {firstBound} ms)");
        Assert.True(
            unary.ElapsedMilliseconds <= unaryBound,
            $"PluginInfo took {unary.ElapsedMilliseconds} ms (must be ≤ {unaryBound} ms)"
        );
    }

    private static async Task<long> FirstAsync<T>(Grpc.Core.IAsyncStreamReader<T> stream, Stopwatch watch)
    {
        Assert.True(await stream.MoveNext(Ct), "stream ended before its first message");
        return watch.ElapsedMilliseconds;
    }
}
