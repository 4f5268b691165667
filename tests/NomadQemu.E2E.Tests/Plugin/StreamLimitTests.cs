using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Plugin;

/// <summary>Nomad multiplexes every RPC over one HTTP/2 connection; long-lived streams must not starve unary calls.</summary>
public sealed class StreamLimitTests
{
    [Fact(Timeout = 240_000)]
    public async Task ManyOpenStreams_OnOneConnection_DoNotBlockUnaryCalls()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(
            dir.Path,
            cancellationToken: TestContext.Current.CancellationToken
        );
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var client = plugin.Driver;

        // 250 streams that stay open (TaskEvents never completes on its own), all on the one channel.
        var streams = Enumerable
            .Range(0, 250)
            .Select(_ => client.TaskEvents(new TaskEventsRequest(), cancellationToken: cts.Token))
            .ToList();
        await Task.WhenAll(streams.Select(s => s.ResponseHeadersAsync))
            .WaitAsync(TestEnvironment.Scaled(30), TestContext.Current.CancellationToken);

        using var unaryTimeout = new CancellationTokenSource(TestEnvironment.Scaled(5));
        var info = await plugin.Base.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: unaryTimeout.Token);

        Assert.Equal("qemu", info.Name);
        await cts.CancelAsync();
        foreach (var stream in streams)
        {
            stream.Dispose();
        }
    }
}
