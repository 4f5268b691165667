using System.Diagnostics;
using NomadQemu.Chaos.Tests.Support;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.Contract;

/// <summary>
/// The plugin SIGKILLed after it spawned a VM's supervisor but before the supervisor reported QEMU started.
/// The window is held open on purpose: the task's stdout FIFO has no reader yet, so the supervisor waits
/// for one before it spawns QEMU. The next instance sweeps; a reader then appears. Nothing may start.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class SupervisorWindowTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ChaosNode _node = new();
    private readonly ShortTempDir _fifos = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _node.StartPluginAsync();

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        _fifos.Dispose();
    }

    [Fact(Timeout = 300_000)]
    public async Task PluginKilledBeforeSupervisorReportsStarted_NextInstanceSweeps_NoQemuEverRuns()
    {
        var task = _node.NewTask();
        var stdout = Path.Combine(_fifos.Path, "stdout.fifo");
        Run("mkfifo", stdout);
        var config = task.TaskConfig(ChaosNode.FastConfig(task), 128);
        config.StdoutPath = stdout;
        var call = _node.Driver.StartTaskAsync(new StartTaskRequest { Task = config }, cancellationToken: Ct);

        // The supervisor runs and waits for a reader on the stdout FIFO.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!HostProcesses.Mentioning(task.RunDir).Any(p => p.CommandLine.Contains("__supervise")))
        {
            Assert.True(DateTime.UtcNow < deadline, "the supervisor never started");
            await Task.Delay(20, Ct);
        }
        await Task.Delay(500, Ct);
        await _node.KillPluginAsync();
        try
        {
            await call.ResponseAsync;
        }
        catch (Grpc.Core.RpcException) { }

        await _node.StartPluginAsync();
        // A reader appears: a supervisor that survived the sweep would now spawn QEMU.
        using var reader = Process.Start("sh", ["-c", "exec 3<>\"$0\"; sleep 8", stdout])!;
        await Task.Delay(TimeSpan.FromSeconds(4), Ct);

        var left = HostProcesses.Mentioning(task.AllocDir);
        output.WriteLine(string.Join("\n", left.Select(p => $"{p.Pid} {p.CommandLine}")));
        Assert.True(left.Count == 0, $"still running: {string.Join("; ", left.Select(p => p.CommandLine))}");
        await ChaosNode.AssertNothingLeftAsync(task);
        Assert.Empty(_node.LedgerEntries());
        reader.Kill();
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(program, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
