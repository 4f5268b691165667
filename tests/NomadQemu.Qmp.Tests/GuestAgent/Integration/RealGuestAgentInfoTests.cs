using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Qmp.Tests.GuestAgent.Integration;

/// <summary>Against a real qemu-ga 7.2 on this host (information and refusals: sync and the command list, interfaces, time, shutdown blocked, fsfreeze status; see <see cref="HostGuestAgent"/> for what is blocked and why).</summary>
public sealed class RealGuestAgentInfoTests
{
    [Fact]
    public async Task FirstCall_RealAgent_SynchronizesPingsAndReportsItsCommands()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        await client.PingAsync(timeout.Token);
        var info = await client.GetInfoAsync(timeout.Token);

        Assert.True(client.IsSynchronized);
        Assert.Equal(1, client.SynchronizationCount);
        Assert.True(info.IsAtLeast(7, 2), $"qemu-ga {info.Version}");
        Assert.True(info.IsEnabled("guest-exec"));
        Assert.True(info.IsEnabled("guest-exec-status"));
        Assert.False(info.IsEnabled("guest-shutdown"), "the host agent must run with guest-shutdown blocked");
        Assert.Contains(info.SupportedCommands, c => c.Name == "guest-shutdown" && !c.SuccessResponse);
    }

    [Fact]
    public async Task GetNetworkInterfacesAsync_RealAgent_ReportsLoopbackWithItsAddress()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        var interfaces = await client.GetNetworkInterfacesAsync(timeout.Token);

        var loopback = Assert.Single(interfaces, i => i.Name == "lo");
        Assert.Contains(new GuestIpAddress("127.0.0.1", "ipv4", 8), loopback.IpAddresses);
        Assert.NotNull(loopback.Statistics);
    }

    [Fact]
    public async Task Time_RealAgent_GetMatchesTheHostClockAndSetIsRefusedBecauseItIsBlockedHere()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        var guestTime = await client.GetTimeAsync(timeout.Token);
        var ex = await Assert.ThrowsAsync<GuestAgentCommandException>(() =>
            client.SetTimeAsync(DateTimeOffset.UtcNow, timeout.Token)
        );

        Assert.InRange((guestTime - DateTimeOffset.UtcNow).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Equal("CommandNotFound", ex.ErrorClass);
        Assert.Contains("disabled", ex.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShutdownAsync_RealAgentWithShutdownBlocked_ReportsTheErrorReplyAndStaysUsable()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        var ex = await Assert.ThrowsAsync<GuestAgentCommandException>(() =>
            client.ShutdownAsync(GuestShutdownMode.Powerdown, timeout.Token)
        );
        await client.PingAsync(timeout.Token);

        Assert.Equal("guest-shutdown", ex.Command);
        Assert.Contains("disabled", ex.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFsfreezeStatusAsync_RealAgent_ReportsThawed()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        Assert.Equal(GuestFsfreezeStatus.Thawed, await client.GetFsfreezeStatusAsync(timeout.Token));
    }
}
