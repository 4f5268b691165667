using System.Text;
using System.Text.Json;
using NomadQemu.Qmp.GuestAgent;
using NomadQemu.Qmp.Tests.GuestAgent.Fakes;

namespace NomadQemu.Qmp.Tests.GuestAgent;

/// <summary>guest-exec and guest-exec-status against the fake: encoding, decoding, capture modes, kill on abandon.</summary>
public sealed class GuestAgentExecTests
{
    [Fact]
    public async Task ExecAsync_EncodesPathArgumentsEnvironmentInputAndCapture()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;
        var request = new GuestExecRequest("/bin/sh", "-c", "cat; echo \"$X\"")
        {
            Environment = ["X=1", "PATH=/bin"],
            Input = "stdin bytes"u8.ToArray(),
        };

        var exec = client.ExecAsync(request, timeout.Token);
        var sent = await agent.ExpectCommandAsync("guest-exec", timeout.Token);
        agent.Reply("""{"pid": 4242}""");

        Assert.Equal(4242, await exec);
        var arguments = sent.Arguments;
        Assert.Equal("/bin/sh", arguments.GetProperty("path").GetString());
        Assert.Equal(
            ["-c", "cat; echo \"$X\""],
            arguments.GetProperty("arg").EnumerateArray().Select(a => a.GetString())
        );
        Assert.Equal(["X=1", "PATH=/bin"], arguments.GetProperty("env").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(
            "stdin bytes"u8.ToArray(),
            Convert.FromBase64String(arguments.GetProperty("input-data").GetString()!)
        );
        Assert.Equal(JsonValueKind.True, arguments.GetProperty("capture-output").ValueKind);
    }

    [Fact]
    public async Task ExecAsync_NoArgumentsNoInputNoCapture_OmitsThoseMembers()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var exec = client.ExecAsync(new GuestExecRequest("true") { Capture = GuestExecCapture.None }, timeout.Token);
        var sent = await agent.ExpectCommandAsync("guest-exec", timeout.Token);
        agent.Reply("""{"pid": 7}""");
        await exec;

        Assert.Equal(["path"], sent.Arguments.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task ExecAsync_MergedCaptureOnQemuGa72_ThrowsNotSupportedAfterAskingTheVersion()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var exec = client.ExecAsync(new GuestExecRequest("ls") { Capture = GuestExecCapture.Merged }, timeout.Token);
        await agent.ExpectCommandAsync("guest-info", timeout.Token);
        agent.Reply("""{"version": "7.2.22", "supported_commands": []}""");

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => exec);
        Assert.Contains("8.1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("7.2.22", ex.Message, StringComparison.Ordinal);
        Assert.True(agent.HasNoUnreadBytes, "guest-exec must not be sent");
    }

    [Theory]
    [InlineData(GuestExecCapture.Merged, "merged")]
    [InlineData(GuestExecCapture.StandardOutputOnly, "stdout")]
    [InlineData(GuestExecCapture.StandardErrorOnly, "stderr")]
    public async Task ExecAsync_EnumCaptureOnQemuGa81_SendsTheModeNameAndAsksTheVersionOnce(
        GuestExecCapture capture,
        string expected
    )
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var sentModes = new List<string?>();
        for (var i = 0; i < 2; i++)
        {
            var exec = client.ExecAsync(new GuestExecRequest("ls") { Capture = capture }, timeout.Token);
            var command = await agent.ReadCommandAsync(timeout.Token);
            if (command.Name == "guest-info")
            {
                Assert.Equal(0, i);
                agent.Reply("""{"version": "8.1.0", "supported_commands": []}""");
                command = await agent.ExpectCommandAsync("guest-exec", timeout.Token);
            }

            agent.Reply("""{"pid": 9}""");
            await exec;
            sentModes.Add(command.Arguments.GetProperty("capture-output").GetString());
        }

        Assert.Equal([expected, expected], sentModes);
    }

    [Fact]
    public async Task GetExecStatusAsync_DecodesBase64OutputExitCodeSignalAndTruncation()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var running = client.GetExecStatusAsync(5, timeout.Token);
        var sent = await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply("""{"exited": false}""");
        var exited = client.GetExecStatusAsync(5, timeout.Token);
        await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply(
            """{"exitcode": 3, "err-data": "ZXJyCg==", "out-data": "aGkK", "err-truncated": false, "out-truncated": true, "exited": true}"""
        );
        var killed = client.GetExecStatusAsync(6, timeout.Token);
        await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply("""{"signal": 9, "exited": true}""");

        Assert.Equal(5, sent.Arguments.GetProperty("pid").GetInt64());
        var stillRunning = await running;
        Assert.False(stillRunning.Exited);
        Assert.Null(stillRunning.ExitCode);
        Assert.Empty(stillRunning.StandardOutput);
        var done = await exited;
        Assert.True(done.Exited);
        Assert.Equal(3, done.ExitCode);
        Assert.Null(done.Signal);
        Assert.Equal("hi\n", Encoding.UTF8.GetString(done.StandardOutput));
        Assert.Equal("err\n", Encoding.UTF8.GetString(done.StandardError));
        Assert.True(done.StandardOutputTruncated);
        Assert.False(done.StandardErrorTruncated);
        var signalled = await killed;
        Assert.Equal(9, signalled.Signal);
        Assert.Null(signalled.ExitCode);
        Assert.Empty(signalled.StandardOutput);
    }

    [Theory]
    [InlineData("""{"exitcode": 0}""")]
    [InlineData("""{"exited": true, "out-data": "not base64!"}""")]
    [InlineData("""{"exited": "yes"}""")]
    public async Task GetExecStatusAsync_MalformedStatus_ThrowsProtocolException(string reply)
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var call = client.GetExecStatusAsync(5, timeout.Token);
        await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply(reply);

        var ex = await Assert.ThrowsAsync<GuestAgentProtocolException>(() => call);
        Assert.Contains("guest-exec-status", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PollsUntilExited_AndReturnsTheFinalStatus()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var run = client.RunAsync(new GuestExecRequest("sleep", "1"), timeout.Token);
        await agent.ExpectCommandAsync("guest-exec", timeout.Token);
        agent.Reply("""{"pid": 11}""");
        for (var i = 0; i < 3; i++)
        {
            await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
            agent.Reply("""{"exited": false}""");
        }

        await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply("""{"exited": true, "exitcode": 0}""");

        Assert.Equal(0, (await run).ExitCode);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileRunning_KillsTheProcessTreeAndReapsItBeforeRethrowing()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        var run = client.RunAsync(new GuestExecRequest("sleep", "1000"), caller.Token);
        await agent.ExpectCommandAsync("guest-exec", timeout.Token);
        agent.Reply("""{"pid": 300}""");
        await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply("""{"exited": false}""");
        await caller.CancelAsync();
        var kill = await agent.ExpectCommandAsync("guest-exec", timeout.Token);
        agent.Reply("""{"pid": 301}""");
        var helperStatus = await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply("""{"exited": true, "exitcode": 0}""");
        var reap = await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply("""{"exited": true, "signal": 9}""");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var killArguments = kill.Arguments.GetProperty("arg").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Assert.Equal("/bin/sh", kill.Arguments.GetProperty("path").GetString());
        Assert.Equal(["-c", GuestAgentClient.KillTreeScript, "qga-kill-tree", "300"], killArguments);
        Assert.Equal(301, helperStatus.Arguments.GetProperty("pid").GetInt64());
        Assert.Equal(300, reap.Arguments.GetProperty("pid").GetInt64());
    }

    [Fact]
    public async Task RunAsync_CancelledBeforeThePidArrives_ThrowsAtOnceAndKillsTheProcessWhenThePidComes()
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        var run = client.RunAsync(new GuestExecRequest("sleep", "1000"), caller.Token);
        await agent.ExpectCommandAsync("guest-exec", timeout.Token);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        agent.Reply("""{"pid": 400}""");
        var kill = await agent.ExpectCommandAsync("guest-exec", timeout.Token);
        agent.Reply("""{"pid": 401}""");
        await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply("""{"exited": true, "exitcode": 0}""");
        var reap = await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply("""{"exited": true, "signal": 9}""");

        Assert.Equal("400", kill.Arguments.GetProperty("arg")[3].GetString());
        Assert.Equal(400, reap.Arguments.GetProperty("pid").GetInt64());
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public async Task KillProcessTreeAsync_HelperExitCode_TellsWhetherTheProcessWasKilledOrFails(
        int helperExit,
        bool throws
    )
    {
        using var timeout = TestTimeout.Start();
        (var client, var agent, _) = await FakeGuestAgentSocket.ConnectedAsync(timeout.Token);
        await using var clientScope = client;

        var kill = client.KillProcessTreeAsync(77, timeout.Token);
        await agent.ExpectCommandAsync("guest-exec", timeout.Token);
        agent.Reply("""{"pid": 78}""");
        await agent.ExpectCommandAsync("guest-exec-status", timeout.Token);
        agent.Reply($$"""{"exited": true, "exitcode": {{helperExit}}, "err-data": "Ym9vbQ=="}""");

        if (throws)
        {
            var ex = await Assert.ThrowsAsync<GuestAgentException>(() => kill);
            Assert.Contains("boom", ex.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.False(await kill);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(1L << 40)]
    public async Task KillProcessTreeAsync_ImplausiblePid_IsRefusedBeforeAnythingIsSent(long pid)
    {
        var socket = new FakeGuestAgentSocket();
        await using var client = socket.CreateClient();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.KillProcessTreeAsync(pid));
        Assert.Equal(0, socket.Connections);
    }

    public static TheoryData<GuestExecRequest, string> BadRequests =>
        new()
        {
            { new GuestExecRequest(""), "request.Path" },
            { new GuestExecRequest("/bin/e\0cho"), "request.Path" },
            { new GuestExecRequest("/bin/echo", "ok", "b\0d"), "request.Arguments[1]" },
            {
                new GuestExecRequest("/bin/echo") { Environment = ["A=1", "NOEQUALS"] },
                "request.Environment[1]"
            },
            {
                new GuestExecRequest("/bin/echo") { Environment = ["=x"] },
                "request.Environment[0]"
            },
            {
                new GuestExecRequest("/bin/echo") { Environment = ["A=\0"] },
                "request.Environment[0]"
            },
            {
                new GuestExecRequest("cat") { Input = new byte[GuestExecRequest.MaxInputBytes + 1] },
                "request.Input"
            },
        };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ExecAsync_ValueTheAgentWouldMangle_IsRefusedNamingIt(GuestExecRequest request, string name)
    {
        var socket = new FakeGuestAgentSocket();
        await using var client = socket.CreateClient();

        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.ExecAsync(request));

        Assert.Equal(name, ex.ParamName);
        Assert.Equal(0, socket.Connections);
    }
}
