using System.Diagnostics;
using Grpc.Core;
using NomadQemu.Chaos.Tests.Support;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.Recovery;

/// <summary>
/// The plugin SIGKILLed in the middle of StartTask. Nomad never got a handle, so it will never recover that
/// task: the next instance must find and remove whatever the cut-short start created (its orphan sweep runs
/// at the first Fingerprint). The kill lands at different phases (overlay creation, supervisor start, QEMU
/// booting, QMP wait, or even after the reply); every case must end with nothing left.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class InterruptedStartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ChaosNode _node = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _node.StartPluginAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    /// <summary>Kill as soon as a file of the given start phase appears in the run dir (the overlay: in the task's
    /// disk folder) or after a fixed delay.</summary>
    [Theory]
    [InlineData("after 20 ms")]
    [InlineData("overlay.qcow2")]
    [InlineData("launch.json")]
    [InlineData("started.json")]
    [InlineData("qmp.sock")]
    public async Task PluginKilledDuringStartTask_NextInstanceLeavesNoOrphan(string killWhen)
    {
        var task = _node.NewTask();
        var call = _node.Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(VmTask.DriverConfig(), 128) },
            cancellationToken: Ct
        );
        var watch = Stopwatch.StartNew();
        if (killWhen.StartsWith("after", StringComparison.Ordinal))
        {
            await Task.Delay(20, Ct);
        }
        else
        {
            var marker =
                killWhen == "overlay.qcow2"
                    ? Path.Combine(task.TaskDir, ".qemu-disks", killWhen)
                    : Path.Combine(task.RunDir, killWhen);
            var limit = TestEnvironment.Scaled(30);
            while (!File.Exists(marker) && !call.ResponseAsync.IsCompleted && watch.Elapsed < limit)
            {
                Thread.SpinWait(200);
            }
            // Every marker exists before StartTask can return, so a kill without it did not test that phase.
            Assert.True(
                File.Exists(marker),
                $"{killWhen} never appeared ({watch.ElapsedMilliseconds} ms, StartTask {(call.ResponseAsync.IsCompleted ? "completed: " + call.ResponseAsync.Status : "pending")}): {Describe(task)}"
            );
        }
        await _node.KillPluginAsync();
        var phase = Describe(task);
        var handle = await HandleIfReturnedAsync(call);
        output.WriteLine(
            $"killed after {watch.ElapsedMilliseconds} ms: {phase}; StartTask {(handle is null ? "did not return" : "had returned")}"
        );

        await _node.StartPluginAsync();
        if (handle is not null)
        {
            // Nomad has the handle: it recovers, then destroys when it no longer wants the task.
            await _node.RecoverAsync(handle);
        }
        // For a task without a handle Nomad may still destroy its id; that must succeed.
        await _node.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );

        await ChaosNode.AssertNothingLeftAsync(task);
        Assert.True(
            _node.LedgerEntries().Length == 0,
            "ledger entries left: "
                + string.Join("; ", _node.LedgerEntries().Select(f => $"{Path.GetFileName(f)}: {File.ReadAllText(f)}"))
        );
        var gone = await Assert.ThrowsAsync<RpcException>(async () =>
            await _node.Driver.InspectTaskAsync(new InspectTaskRequest { TaskId = task.TaskId }, cancellationToken: Ct)
        );
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    private static async Task<TaskHandle?> HandleIfReturnedAsync(AsyncUnaryCall<StartTaskResponse> call)
    {
        try
        {
            return (await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(5))).Handle;
        }
        catch (RpcException)
        {
            return null;
        }
    }

    private static string Describe(VmTask task)
    {
        var files = Directory.Exists(task.RunDir)
            ? string.Join(",", Directory.GetFileSystemEntries(task.RunDir).Select(Path.GetFileName))
            : "no run dir";
        var processes = HostProcesses.Mentioning(task.AllocDir).Count;
        return $"run dir [{files}], {processes} processes under the alloc dir";
    }
}
