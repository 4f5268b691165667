using NomadQemu.Runner.Tests.Fixtures;

namespace NomadQemu.Runner.Tests;

/// <summary>
/// End-to-end runs of examples/hello-vm.nomad.hcl: the artifact really travels over HTTP from a loopback
/// server, the real test guest boots under QEMU, and SIGINT powers it off.
/// </summary>
public sealed class RunTests : IAsyncLifetime
{
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(120);

    // The job's kill_timeout is 20 s; the guest powers off in far less, and the run must end within it.
    private static readonly TimeSpan s_killTimeout = TimeSpan.FromSeconds(20);

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

    [Fact]
    public async Task Run_ExampleJob_ServesGuestPageAndPowersOffOnSigint()
    {
        await using var runner = RunnerProcess.Start(
            Guest.RunArguments(_server.ImageUrl, "sha256:" + Guest.Sha256, _data.Path),
            ownedPath: _data.Path
        );

        var urlLine = await runner.WaitForLineAsync(
            l => l.StartsWith("hello: http://127.0.0.1:", StringComparison.Ordinal),
            s_boot,
            "the forwarded URL"
        );
        Assert.EndsWith("(port http → guest 80)", urlLine);
        var url = urlLine.Split(' ')[1];
        var page = await FetchPageAsync(url, s_boot);
        Assert.Contains(Guest.PageMarker, page);
        await runner.WaitForLineAsync(
            l =>
                l.StartsWith("hello | ", StringComparison.Ordinal)
                && l.Contains(Guest.ReadyMarker, StringComparison.Ordinal),
            s_boot,
            "the guest console"
        );
        var qemu = QemuProcesses.Holding(_data.Path);
        Assert.NotEmpty(qemu);
        // `run` jails QEMU like the plugin does: never root.
        Assert.All(qemu, pid => Assert.NotEqual(0, QemuProcesses.RealUid(pid)));

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        runner.Signal(RunnerProcess.SIGINT);
        var code = await runner.WaitForExitAsync(s_killTimeout + TimeSpan.FromSeconds(10));

        Assert.True(code == 0, $"exit {code}\n{runner.Stdout}\n{runner.Stderr}");
        Assert.True(stopping.Elapsed < s_killTimeout, $"stopping took {stopping.Elapsed}");
        Assert.Contains("hello: VM stopped after", runner.Stdout);
        Assert.Contains("(exit code 0)", runner.Stdout);
        Assert.Empty(QemuProcesses.Holding(_data.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "alloc")));
    }

    [Fact]
    public async Task Run_BadChecksum_FailsWithBothSumsAndStartsNothing()
    {
        var wrong = new string('0', 64);
        await using var runner = RunnerProcess.Start(
            Guest.RunArguments(_server.ImageUrl, "sha256:" + wrong, _data.Path, "--keep-allocs"),
            ownedPath: _data.Path
        );

        var code = await runner.WaitForExitAsync(s_boot);

        Assert.Equal(3, code);
        var error = runner.Stderr.Trim();
        Assert.Single(error.Split('\n'));
        Assert.Contains($"expected {wrong}", error);
        Assert.Contains($"actual {Guest.Sha256}", error);
        Assert.DoesNotContain("VM started", runner.Stdout);
        Assert.Empty(QemuProcesses.Holding(_data.Path));
        var taskDir = Assert.Single(Directory.GetDirectories(Path.Combine(_data.Path, "alloc"))) + "/hello";
        Assert.Empty(Directory.EnumerateFiles(taskDir, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_data.Path, "cache"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Run_SecondRun_TakesTheImageFromTheCache()
    {
        var arguments = Guest.RunArguments(_server.ImageUrl, "sha256:" + Guest.Sha256, _data.Path);
        await using (var first = RunnerProcess.Start(arguments, ownedPath: _data.Path))
        {
            var ready = await first.WaitForLineAsync(
                l => l.StartsWith("hello: artifact ready:", StringComparison.Ordinal),
                s_boot,
                "the artifact"
            );
            Assert.DoesNotContain("from cache", ready);
            first.Signal(RunnerProcess.SIGINT);
            Assert.Equal(0, await first.WaitForExitAsync(s_killTimeout + TimeSpan.FromSeconds(30)));
        }
        Assert.Equal(1, _server.ImageRequests);

        await using var second = RunnerProcess.Start(arguments, ownedPath: _data.Path);
        var cached = await second.WaitForLineAsync(
            l => l.StartsWith("hello: artifact ready:", StringComparison.Ordinal),
            s_boot,
            "the artifact"
        );
        second.Signal(RunnerProcess.SIGINT);
        Assert.Equal(0, await second.WaitForExitAsync(s_killTimeout + TimeSpan.FromSeconds(30)));

        Assert.Contains("(from cache)", cached);
        Assert.Equal(1, _server.ImageRequests);
        Assert.Empty(QemuProcesses.Holding(_data.Path));
    }

    private static async Task<string> FetchPageAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var body = await http.GetStringAsync(url);
                if (body.Contains(Guest.PageMarker, StringComparison.Ordinal))
                {
                    return body;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException(
            $"{url} did not serve the guest page within {timeout.TotalSeconds} s: {last?.Message}"
        );
    }
}
