using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Qmp.Tests.GuestAgent.Integration;

/// <summary>Against a real qemu-ga 7.2 on this host (exec: guest-exec and its status, stdin, environment, output limits, killing a process tree; see <see cref="HostGuestAgent"/> for what is blocked and why).</summary>
public sealed class RealGuestAgentExecTests
{
    [Fact]
    public async Task RunAsync_RealAgent_ReturnsStdoutStderrAndExitCode()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        var status = await client.RunAsync(
            new GuestExecRequest("/bin/sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3"),
            timeout.Token
        );

        Assert.True(status.Exited);
        Assert.Equal(3, status.ExitCode);
        Assert.Null(status.Signal);
        Assert.Equal("out\n", Encoding.UTF8.GetString(status.StandardOutput));
        Assert.Equal("err\n", Encoding.UTF8.GetString(status.StandardError));
        Assert.False(status.StandardOutputTruncated);
    }

    [Fact]
    public async Task RunAsync_RealAgentWithStdin_TheProcessReadsAllOfItThenEndOfFile()
    {
        using var timeout = TestTimeout.Start(60);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();
        var input = RandomNumberGenerator.GetBytes(1024 * 1024);

        var status = await client.RunAsync(new GuestExecRequest("cat") { Input = input }, timeout.Token);

        Assert.Equal(0, status.ExitCode);
        Assert.Equal(SHA256.HashData(input), SHA256.HashData(status.StandardOutput));
    }

    [Fact]
    public async Task RunAsync_RealAgentWithEnvironment_ReplacesTheWholeEnvironment()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        var status = await client.RunAsync(
            new GuestExecRequest("/bin/sh", "-c", "echo \"$GREETING|${HOME-unset}\"")
            {
                Environment = ["GREETING=hi there"],
            },
            timeout.Token
        );

        Assert.Equal("hi there|unset\n", Encoding.UTF8.GetString(status.StandardOutput));
    }

    [Fact]
    public async Task ExecAsync_RealAgentMissingProgram_ThrowsCommandExceptionAndStaysUsable()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        var ex = await Assert.ThrowsAsync<GuestAgentCommandException>(() =>
            client.ExecAsync(new GuestExecRequest("/nonexistent/program"), timeout.Token)
        );
        await client.PingAsync(timeout.Token);

        Assert.Equal("GenericError", ex.ErrorClass);
        Assert.Contains("/nonexistent/program", ex.Description, StringComparison.Ordinal);
        Assert.Equal(1, client.SynchronizationCount);
    }

    [Fact]
    public async Task RunAsync_RealAgentOneMebibyteOfOutput_ArrivesWhole()
    {
        using var timeout = TestTimeout.Start(60);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        var status = await client.RunAsync(
            new GuestExecRequest("head", "-c", "1048576", "/dev/urandom"),
            timeout.Token
        );

        Assert.Equal(0, status.ExitCode);
        Assert.Equal(1024 * 1024, status.StandardOutput.Length);
        Assert.False(status.StandardOutputTruncated);
    }

    [Fact]
    public async Task RunAsync_RealAgentOutputBeyondSixteenMebibytes_IsTruncatedAndFlagged()
    {
        using var timeout = TestTimeout.Start(120);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();

        var status = await client.RunAsync(
            new GuestExecRequest(
                "head",
                "-c",
                (17 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "/dev/zero"
            ),
            timeout.Token
        );

        Assert.Equal(0, status.ExitCode);
        Assert.True(status.StandardOutputTruncated);
        Assert.Equal(16 * 1024 * 1024, status.StandardOutput.Length);
    }

    [Fact]
    public async Task KillProcessTreeAsync_RealAgentLongRunningTree_KillsEveryProcessAndTheStatusShowsSignal9()
    {
        using var timeout = TestTimeout.Start(60);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();
        var pidFile = Path.Combine(host.Directory, "pids");
        var pid = await client.ExecAsync(LongRunningTree(pidFile), timeout.Token);
        var tree = await WaitForPidsAsync(pidFile, 3, timeout.Token);

        var killed = await client.KillProcessTreeAsync(pid, timeout.Token);
        var status = await client.WaitForExitAsync(pid, timeout.Token);
        var again = await client.KillProcessTreeAsync(pid, timeout.Token);

        Assert.True(killed);
        Assert.Equal(pid, tree[0]);
        Assert.Equal(9, status.Signal);
        Assert.Null(status.ExitCode);
        Assert.False(again, "the process is gone and reaped: nothing to kill");
        await AssertAllGoneAsync(tree, timeout.Token);
    }

    [Fact]
    public async Task KillProcessTreeAsync_RealAgentPidThatIsNotTheAgentsChild_IsLeftAlone()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();
        using var bystander = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var killed = await client.KillProcessTreeAsync(bystander.Id, timeout.Token);

            Assert.False(killed);
            Assert.False(bystander.HasExited);
        }
        finally
        {
            bystander.Kill();
            await bystander.WaitForExitAsync(timeout.Token);
        }
    }

    [Fact]
    public async Task RunAsync_RealAgentCancelledWhileTheCommandRuns_KillsTheTreeBeforeThrowing()
    {
        using var timeout = TestTimeout.Start(60);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();
        var pidFile = Path.Combine(host.Directory, "pids");
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        var run = client.RunAsync(LongRunningTree(pidFile), caller.Token);
        var tree = await WaitForPidsAsync(pidFile, 3, timeout.Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await AssertAllGoneAsync(tree, timeout.Token);

        // Cancelled while polling, the client killed and reaped the process before throwing; cancelled before the
        // pid arrived, it does so in the background. Either way the agent ends up forgetting a killed process.
        while (true)
        {
            try
            {
                var status = await client.GetExecStatusAsync(tree[0], timeout.Token);
                if (status.Exited)
                {
                    Assert.Equal(9, status.Signal);
                    break;
                }
            }
            catch (GuestAgentCommandException ex)
            {
                Assert.Contains("pid", ex.Description, StringComparison.Ordinal);
                break;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    // sh (the agent's child) starts two sleeps in the background and waits; it writes all three pids first.
    private static GuestExecRequest LongRunningTree(string pidFile) =>
        new(
            "/bin/sh",
            "-c",
            "sleep 1000 & a=$!; sleep 1001 & b=$!; printf '%s\\n' $$ $a $b > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; wait",
            "tree",
            pidFile
        );

    private static async Task<int[]> WaitForPidsAsync(string pidFile, int count, CancellationToken cancellationToken)
    {
        while (!File.Exists(pidFile))
        {
            await Task.Delay(20, cancellationToken);
        }

        var pids = (await File.ReadAllLinesAsync(pidFile, cancellationToken)).Select(int.Parse).ToArray();
        Assert.Equal(count, pids.Length);
        return pids;
    }

    // Gone, or a zombie waiting for whoever adopted it: either way it runs no more.
    private static async Task AssertAllGoneAsync(int[] pids, CancellationToken cancellationToken)
    {
        foreach (var pid in pids)
        {
            while (IsRunning(pid))
            {
                await Task.Delay(20, cancellationToken);
            }
        }

        static bool IsRunning(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        }
    }
}
