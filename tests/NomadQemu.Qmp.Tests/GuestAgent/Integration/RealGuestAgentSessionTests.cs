using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Qmp.Tests.GuestAgent.Integration;

/// <summary>Against a real qemu-ga 7.2 on this host (the session: agent restarts, successive and concurrent clients, no agent listening; see <see cref="HostGuestAgent"/> for what is blocked and why).</summary>
public sealed class RealGuestAgentSessionTests
{
    [Fact]
    public async Task AgentRestart_RealAgent_TheCallWhileItIsDownFailsTypedAndTheNextReconnectsAndResyncs()
    {
        using var timeout = TestTimeout.Start(60);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();
        await client.PingAsync(timeout.Token);

        await host.KillAsync(timeout.Token);
        await Assert.ThrowsAsync<GuestAgentNotConnectedException>(() => client.PingAsync(timeout.Token));
        host.StartAgain();
        await client.PingAsync(timeout.Token);

        Assert.Equal(2, client.SynchronizationCount);
        Assert.True(client.IsSynchronized);
    }

    [Fact]
    public async Task NewClient_AfterThePreviousClientWentAway_ConnectsToTheSameSocketAndSyncs()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using (var previous = host.CreateClient())
        {
            await previous.PingAsync(timeout.Token);
        }

        await using var next = host.CreateClient();
        var status = await next.RunAsync(new GuestExecRequest("true"), timeout.Token);

        Assert.Equal(0, status.ExitCode);
    }

    [Fact]
    public async Task SecondClient_WhileAnotherHoldsTheSocket_IsNotAnsweredUntilTheFirstLeaves()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        var first = host.CreateClient();
        await first.PingAsync(timeout.Token);
        await using var second = host.CreateClient(
            HostGuestAgent.Options with
            {
                SyncTimeout = TimeSpan.FromSeconds(1),
            }
        );

        var ex = await Assert.ThrowsAsync<GuestAgentNotRespondingException>(() => second.PingAsync(timeout.Token));
        await first.DisposeAsync();
        await second.PingAsync(timeout.Token);

        Assert.Contains("another client holds the socket", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstCall_NoAgentListening_ThrowsNotConnectedAfterTheConnectTimeout()
    {
        using var timeout = TestTimeout.Start(30);
        var directory = ShortTempPaths.NewDirectory("qga");
        try
        {
            var path = Path.Combine(directory, "absent.sock");
            await using var client = new GuestAgentClient(
                path,
                HostGuestAgent.Options with
                {
                    ConnectTimeout = TimeSpan.FromMilliseconds(300),
                }
            );

            var ex = await Assert.ThrowsAsync<GuestAgentNotConnectedException>(() => client.PingAsync(timeout.Token));

            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            ShortTempPaths.DeleteQuietly(directory);
        }
    }
}
