using NomadQemu.Runner.Tests.Fixtures;

namespace NomadQemu.Runner.Tests;

/// <summary>
/// `run` after a killed `run`, and `run` started the way shells start background jobs (SIGINT ignored): the
/// leftover VMs are stopped by the next run on the same data dir, and SIGINT still means "power off".
/// </summary>
public sealed class RunLeftoverTests : IAsyncLifetime
{
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(120);
    private readonly ShortTempDir _data = new();
    private ImageServer _server = null!;

    public ValueTask InitializeAsync()
    {
        _server = new ImageServer(Guest.Image);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        foreach (var pid in QemuProcesses.Holding(_data.Path))
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        _data.Dispose();
    }

    private string[] Arguments => Guest.RunArguments(_server.ImageUrl, "sha256:" + Guest.Sha256, _data.Path);

    [Fact]
    public async Task Run_AfterARunWasSigkilled_StopsTheVmItLeft()
    {
        int leftover;
        await using (var killed = RunnerProcess.Start(Arguments, ownedPath: null))
        {
            await killed.WaitForLineAsync(
                l => l.StartsWith("hello: http://127.0.0.1:", StringComparison.Ordinal),
                s_boot,
                "the forwarded URL"
            );
            leftover = Assert.Single(QemuProcesses.Holding(_data.Path));
            killed.Signal(9);
            await killed.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.True(IsAlive(leftover), "the VM of the killed run should still run before the next run");

        await using var next = RunnerProcess.Start(Arguments, ownedPath: _data.Path);
        var line = await next.WaitForLineAsync(
            l => l.StartsWith("stopped a VM left running by an earlier run", StringComparison.Ordinal),
            s_boot,
            "the report of the stopped leftover VM"
        );
        Assert.Contains(_data.Path, line);
        Assert.False(IsAlive(leftover), $"QEMU {leftover} of the killed run still runs");
        await next.WaitForLineAsync(
            l => l.StartsWith("hello: http://127.0.0.1:", StringComparison.Ordinal),
            s_boot,
            "the new run's forwarded URL"
        );
        next.Signal(RunnerProcess.SIGINT);
        Assert.Equal(0, await next.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        Assert.Empty(QemuProcesses.Holding(_data.Path));
    }

    [Fact]
    public async Task Run_StartedWithSigintIgnored_StillPowersOffOnSigint()
    {
        // The harness really hands SIGINT over as ignored (bit 2 of SigIgn), as POSIX shells do for `cmd &`.
        var (_, status, _) = await RunnerProcess.RunShellAsync("trap '' INT; exec grep SigIgn /proc/self/status");
        var ignored = Convert.ToUInt64(status.Split(':')[1].Trim(), 16);
        Assert.True((ignored & (1UL << (2 - 1))) != 0, status);

        await using var runner = RunnerProcess.Start(Arguments, ownedPath: _data.Path, sigintIgnored: true);
        await runner.WaitForLineAsync(
            l => l.StartsWith("hello: http://127.0.0.1:", StringComparison.Ordinal),
            s_boot,
            "the forwarded URL"
        );
        runner.Signal(RunnerProcess.SIGINT);
        var code = await runner.WaitForExitAsync(TimeSpan.FromSeconds(40));
        Assert.True(code == 0, $"exit {code}\n{runner.Stdout}\n{runner.Stderr}");
        Assert.Contains("received SIGINT", runner.Stdout);
        Assert.Empty(QemuProcesses.Holding(_data.Path));
    }

    private static bool IsAlive(int pid)
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
