using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NomadQemu.InProcess.Tests.Support;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.InProcess.Tests.Rpc;

/// <summary>A task's whole life as Nomad drives it, through the host's services in this process.</summary>
public sealed class RpcLifecycleTests : IAsyncLifetime
{
    private readonly FakeNode _node = new();
    private readonly FakeTask _task = new();
    private InProcessPlugin _plugin = null!;

    public async ValueTask InitializeAsync() => _plugin = await InProcessPlugin.StartAsync(_node);

    [Fact]
    public async Task StartInspectStopWaitDestroy_FakeVm_EachRpcAnswersAsNomadExpects()
    {
        var client = _plugin.Driver;
        var token = Timeouts.Token();

        var started = await _plugin.StartAsync(_task);
        var inspected = await client.InspectTaskAsync(
            new InspectTaskRequest { TaskId = _task.TaskId },
            cancellationToken: token
        );
        using var wait = client.WaitTaskAsync(new WaitTaskRequest { TaskId = _task.TaskId }, cancellationToken: token);
        await client.StopTaskAsync(
            new StopTaskRequest { TaskId = _task.TaskId, Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) },
            cancellationToken: token
        );
        var exited = await wait;
        await client.DestroyTaskAsync(new DestroyTaskRequest { TaskId = _task.TaskId }, cancellationToken: token);

        Assert.Equal(StartTaskResponse.Types.Result.Success, started.Result);
        Assert.False(started.Handle.DriverState.IsEmpty);
        Assert.Equal(TaskState.Running, inspected.Task.State);
        Assert.Equal("tcg", inspected.Driver.Attributes["accelerator"]);
        Assert.Equal(0, exited.Result.ExitCode);
        Assert.Equal(0, exited.Result.Signal);
        Assert.Empty(exited.Err);
        Assert.False(Directory.Exists(_task.RunDir));
    }

    [Fact]
    public async Task Fingerprint_FakeNode_HealthyWithItsAttributes()
    {
        using var stream = _plugin.Driver.Fingerprint(new FingerprintRequest(), cancellationToken: Timeouts.Token());

        Assert.True(await stream.ResponseStream.MoveNext(Timeouts.Token()));
        var fingerprint = stream.ResponseStream.Current;

        Assert.Equal(FingerprintResponse.Types.HealthState.Healthy, fingerprint.Health);
        Assert.Equal("9.2.0", fingerprint.Attributes["driver.qemu.version"].StringVal);
        Assert.False(fingerprint.Attributes["driver.qemu.kvm"].BoolVal);
    }

    /// <summary>Nomad's topology in SetConfig sets the MHz per core behind total_ticks (2 cores: 2400 + 2000 MHz).</summary>
    [Fact]
    public async Task SetConfig_WithTopology_StatsTicksUseNomadsCompute()
    {
        await _plugin.Base.SetConfigAsync(
            new SetConfigRequest
            {
                MsgpackConfig = ByteString.CopyFrom(NomadMsgpack.PluginConfig()),
                NomadConfig = new NomadConfig
                {
                    Driver = new NomadDriverConfig
                    {
                        Topology = new ClientTopology
                        {
                            Cores =
                            {
                                new ClientTopologyCore { CoreId = 0, BaseSpeed = 2400 },
                                new ClientTopologyCore { CoreId = 1, GuessSpeed = 2000 },
                            },
                        },
                    },
                },
            },
            cancellationToken: Timeouts.Token()
        );
        await _plugin.StartAsync(_task, "burn-cpu");

        using var stream = _plugin.Driver.TaskStats(
            new TaskStatsRequest
            {
                TaskId = _task.TaskId,
                CollectionInterval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(300)),
            },
            cancellationToken: Timeouts.Token()
        );
        // The first sample comes at once and shows memory only (CPU needs two samples); the second has CPU.
        Assert.True(await stream.ResponseStream.MoveNext(Timeouts.Token()));
        Assert.Equal(0, stream.ResponseStream.Current.Stats.AggResourceUsage.Cpu.Percent);
        Assert.True(await stream.ResponseStream.MoveNext(Timeouts.Token()));
        var cpu = stream.ResponseStream.Current.Stats.AggResourceUsage.Cpu;

        Assert.True(cpu.Percent > 1, $"the fake spins a thread: {cpu.Percent} %");
        Assert.Equal(cpu.Percent / 100 * (2400 + 2000) / 2, cpu.TotalTicks, 6);
    }

    public async ValueTask DisposeAsync()
    {
        await _plugin.DisposeAsync();
        _task.Dispose();
        _node.Dispose();
    }
}
