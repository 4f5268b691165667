using System.Text.Json;
using NomadQemu.Qmp.GuestAgent;
using NomadQemu.Qmp.Tests.GuestAgent.Fakes;

namespace NomadQemu.Qmp.Tests.GuestAgent;

/// <summary>Typed commands against the fake: what goes on the wire and how replies decode.</summary>
public sealed class GuestAgentCommandTests
{
    [Fact]
    public async Task GetInfoAsync_DecodesVersionAndCommands()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.GetInfoAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-info", timeout.Token);
        agent.Reply(
            """{"version": "7.2.22", "supported_commands": [{"enabled": true, "name": "guest-exec", "success-response": true}, {"enabled": false, "name": "guest-shutdown", "success-response": false}]}"""
        );
        var info = await call;

        Assert.Equal("7.2.22", info.Version);
        Assert.Equal(new GuestAgentCommandInfo("guest-shutdown", false, false), info.SupportedCommands[1]);
        Assert.True(info.IsEnabled("guest-exec"));
        Assert.False(info.IsEnabled("guest-shutdown"));
        Assert.False(info.IsEnabled("guest-nope"));
        Assert.True(info.IsAtLeast(7, 2));
        Assert.False(info.IsAtLeast(8, 1));
    }

    [Theory]
    [InlineData("8.1.0", true)]
    [InlineData("10.0.2", true)]
    [InlineData("8.0.5", false)]
    [InlineData("8.1", true)]
    [InlineData("8.1rc2", true)]
    [InlineData("weird", false)]
    public void GuestAgentInfo_IsAtLeast_ComparesMajorThenMinor(string version, bool expected) =>
        Assert.Equal(expected, new GuestAgentInfo(version, []).IsAtLeast(8, 1));

    [Fact]
    public async Task GetNetworkInterfacesAsync_DecodesAddressesAndToleratesMissingOptionalFields()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.GetNetworkInterfacesAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-network-get-interfaces", timeout.Token);
        agent.Reply(
            """[{"name": "eth0", "hardware-address": "52:54:00:12:34:56", "ip-addresses": [{"ip-address-type": "ipv4", "ip-address": "10.0.2.15", "prefix": 24}, {"ip-address-type": "ipv6", "ip-address": "fe80::1", "prefix": 64}], "statistics": {"rx-bytes": 1, "rx-packets": 2, "rx-errs": 3, "rx-dropped": 4, "tx-bytes": 5, "tx-packets": 6, "tx-errs": 7, "tx-dropped": 8}, "future-field": true}, {"name": "dummy0"}]"""
        );
        var interfaces = await call;

        Assert.Equal(2, interfaces.Count);
        var eth0 = interfaces[0];
        Assert.Equal("52:54:00:12:34:56", eth0.HardwareAddress);
        Assert.Equal(new GuestIpAddress("10.0.2.15", "ipv4", 24), eth0.IpAddresses[0]);
        Assert.True(eth0.IpAddresses[1].TryGetIPAddress(out var v6));
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, v6!.AddressFamily);
        Assert.Equal(new GuestNetworkStatistics(1, 2, 3, 4, 5, 6, 7, 8), eth0.Statistics);
        Assert.Equal("dummy0", interfaces[1].Name);
        Assert.Null(interfaces[1].HardwareAddress);
        Assert.Empty(interfaces[1].IpAddresses);
        Assert.Null(interfaces[1].Statistics);
    }

    [Fact]
    public async Task SetTimeAsync_SendsNanosecondsSince1970_OrNoTimeToReadTheHardwareClock()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;
        var when = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000).AddTicks(1234567);

        var explicitTime = client.SetTimeAsync(when, timeout.Token);
        var sent = await agent.ExpectCommandAsync("guest-set-time", timeout.Token);
        agent.Reply("{}");
        await explicitTime;
        var fromRtc = client.SetTimeAsync(null, timeout.Token);
        var sentWithout = await agent.ExpectCommandAsync("guest-set-time", timeout.Token);
        agent.Reply("{}");
        await fromRtc;

        Assert.Equal(1_800_000_000_123_456_700L, sent.Arguments.GetProperty("time").GetInt64());
        Assert.False(sentWithout.Arguments.TryGetProperty("time", out _));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            _ = client.SetTimeAsync(DateTimeOffset.UnixEpoch.AddDays(-1));
        });
    }

    [Fact]
    public async Task GetTimeAsync_ImpossibleTime_ThrowsProtocolException()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.GetTimeAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-get-time", timeout.Token);
        agent.Reply("-5");

        await Assert.ThrowsAsync<GuestAgentProtocolException>(() => call);
    }

    [Fact]
    public async Task ShutdownAsync_NoReplyWithinTheGrace_CountsAsAcceptedAndTheNextCallResyncs()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var shutdown = client.ShutdownAsync(GuestShutdownMode.Reboot, timeout.Token);
        var sent = await agent.ExpectCommandAsync("guest-shutdown", timeout.Token);
        await shutdown;
        Assert.False(client.IsSynchronized);
        var next = client.PingAsync(timeout.Token);
        agent.ReplyError("GenericError", "late failure of the shutdown program"); // must not be taken for the ping's
        await agent.ServeSyncAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-ping", timeout.Token);
        agent.Reply("{}");
        await next;

        Assert.Equal("reboot", sent.Arguments.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task ShutdownAsync_ErrorReplyWithinTheGrace_ThrowsCommandException()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var shutdown = client.ShutdownAsync(cancellationToken: timeout.Token);
        var sent = await agent.ExpectCommandAsync("guest-shutdown", timeout.Token);
        agent.ReplyError("CommandNotFound", "Command guest-shutdown has been disabled");

        var ex = await Assert.ThrowsAsync<GuestAgentCommandException>(() => shutdown);
        Assert.Equal("CommandNotFound", ex.ErrorClass);
        Assert.Equal("powerdown", sent.Arguments.GetProperty("mode").GetString());
        Assert.True(client.IsSynchronized);
    }

    [Fact]
    public async Task ShutdownAsync_ConnectionClosesAfterTheCommand_CountsAsAccepted()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var shutdown = client.ShutdownAsync(GuestShutdownMode.Halt, timeout.Token);
        await agent.ExpectCommandAsync("guest-shutdown", timeout.Token);
        agent.Close();

        await shutdown;
        Assert.False(client.IsSynchronized);
    }

    [Fact]
    public async Task ShutdownAsync_WritingTheCommandFails_ThrowsNotConnectedBecauseItNeverArrived()
    {
        using var timeout = TestTimeout.Start();
        (var client, _, var socket) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;
        socket.LastTransport!.WriteFailure = new IOException("Broken pipe");

        var ex = await Assert.ThrowsAsync<GuestAgentNotConnectedException>(() =>
            client.ShutdownAsync(GuestShutdownMode.Powerdown, timeout.Token)
        );

        Assert.Contains("guest-shutdown", ex.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(ex.InnerException);
    }

    [Fact]
    public async Task Fsfreeze_StatusFreezeFreezeListAndThaw_UseTheRightCommandsAndDecodeCounts()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var status = client.GetFsfreezeStatusAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-fsfreeze-status", timeout.Token);
        agent.Reply("\"thawed\"");
        var freezeAll = client.FreezeFilesystemsAsync(null, timeout.Token);
        await agent.ExpectCommandAsync("guest-fsfreeze-freeze", timeout.Token);
        agent.Reply("3");
        var freezeSome = client.FreezeFilesystemsAsync(["/", "/data"], timeout.Token);
        var list = await agent.ExpectCommandAsync("guest-fsfreeze-freeze-list", timeout.Token);
        agent.Reply("2");
        var thaw = client.ThawFilesystemsAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-fsfreeze-thaw", timeout.Token);
        agent.Reply("3");
        var odd = client.GetFsfreezeStatusAsync(timeout.Token);
        await agent.ExpectCommandAsync("guest-fsfreeze-status", timeout.Token);
        agent.Reply("\"melting\"");

        Assert.Equal(GuestFsfreezeStatus.Thawed, await status);
        Assert.Equal(3, await freezeAll);
        Assert.Equal(2, await freezeSome);
        Assert.Equal(
            ["/", "/data"],
            list.Arguments.GetProperty("mountpoints").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Equal(3, await thaw);
        var ex = await Assert.ThrowsAsync<GuestAgentProtocolException>(() => odd);
        Assert.Contains("melting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_OpenWriteReadClose_EncodeBase64AndDecodeIt()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var open = client.OpenFileAsync("/etc/motd", "w+", timeout.Token);
        var openSent = await agent.ExpectCommandAsync("guest-file-open", timeout.Token);
        agent.Reply("1000");
        var write = client.WriteFileAsync(1000, "hello\n"u8.ToArray(), timeout.Token);
        var writeSent = await agent.ExpectCommandAsync("guest-file-write", timeout.Token);
        agent.Reply("""{"count": 6, "eof": false}""");
        var read = client.ReadFileAsync(1000, 100, timeout.Token);
        var readSent = await agent.ExpectCommandAsync("guest-file-read", timeout.Token);
        agent.Reply("""{"count": 6, "buf-b64": "aGVsbG8K", "eof": true}""");
        var close = client.CloseFileAsync(1000, timeout.Token);
        var closeSent = await agent.ExpectCommandAsync("guest-file-close", timeout.Token);
        agent.Reply("{}");

        Assert.Equal(1000, await open);
        Assert.Equal("/etc/motd", openSent.Arguments.GetProperty("path").GetString());
        Assert.Equal("w+", openSent.Arguments.GetProperty("mode").GetString());
        Assert.Equal(6, await write);
        Assert.Equal("aGVsbG8K", writeSent.Arguments.GetProperty("buf-b64").GetString());
        Assert.Equal(1000, writeSent.Arguments.GetProperty("handle").GetInt64());
        var data = await read;
        Assert.Equal("hello\n"u8.ToArray(), data.Data);
        Assert.True(data.EndOfFile);
        Assert.Equal(100, readSent.Arguments.GetProperty("count").GetInt32());
        await close;
        Assert.Equal(1000, closeSent.Arguments.GetProperty("handle").GetInt64());
    }

    [Fact]
    public async Task Files_BadArguments_AreRefusedBeforeAnythingIsSent()
    {
        var socket = new FakeGuestAgentSocket();
        await using var client = socket.CreateClient();

        await Assert.ThrowsAsync<ArgumentException>(() => client.OpenFileAsync("/etc/pass\0wd"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            client.ReadFileAsync(1, GuestAgentClient.MaxFileReadBytes + 1)
        );
        await Assert.ThrowsAsync<ArgumentException>(() =>
            client.FreezeFilesystemsAsync(["/ok", "/bad\0"], TestContext.Current.CancellationToken)
        );
        Assert.Equal(0, socket.Connections);
    }

    [Fact]
    public async Task ExecuteAsync_ArbitraryCommand_PassesArgumentsAndReturnsADetachedValue()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.ExecuteAsync(
            "guest-get-osinfo",
            new System.Text.Json.Nodes.JsonObject { ["x"] = 1 },
            timeout.Token
        );
        var sent = await agent.ExpectCommandAsync("guest-get-osinfo", timeout.Token);
        agent.Reply("""{"id": "debian"}""");
        var result = await call;

        Assert.Equal(1, sent.Arguments.GetProperty("x").GetInt32());
        Assert.Equal("debian", result.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Object, result.ValueKind);
    }
}
