using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NomadQemu.InProcess.Tests.Support;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.Protocol.Structs;

namespace NomadQemu.InProcess.Tests.Rpc;

/// <summary>
/// Every Driver RPC's failure as Nomad sees it (status code, message, RecoverableError detail), through the
/// host's services in this process over a real unix socket.
/// </summary>
public sealed class RpcErrorMappingTests : IAsyncLifetime
{
    private readonly FakeNode _node = new();
    private readonly FakeTask _task = new();
    private InProcessPlugin _plugin = null!;

    public async ValueTask InitializeAsync() => _plugin = await InProcessPlugin.StartAsync(_node);

    private static CallOptionsCarrier Call => new();

    [Fact]
    public async Task StartTask_QemuExitsDuringStart_FailedPreconditionMarkedRecoverable()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _plugin.StartAsync(_task, "exit-at-start=7"));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Contains("exit code 7", e.Status.Detail, StringComparison.Ordinal);
        var status = e.GetRpcStatus();
        Assert.NotNull(status);
        Assert.True(status.Details[0].Unpack<RecoverableError>().Recoverable);
    }

    [Fact]
    public async Task StartTask_ConfigMistake_InvalidArgumentNotRecoverable()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _plugin.StartAsync(_task, "", ("image_path", "local/absent.qcow2"))
        );

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("image_path", e.Status.Detail, StringComparison.Ordinal);
        Assert.Null(e.GetRpcStatus());
    }

    [Fact]
    public async Task StartTask_NoTask_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Driver.StartTaskAsync(new StartTaskRequest(), cancellationToken: Call.Token)
        );

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task UnknownTask_NotFoundForQueriesAndSuccessForStopAndDestroy()
    {
        const string id = "no-such-task";
        var client = _plugin.Driver;

        var wait = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.WaitTaskAsync(new WaitTaskRequest { TaskId = id }, cancellationToken: Call.Token)
        );
        var inspect = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.InspectTaskAsync(new InspectTaskRequest { TaskId = id }, cancellationToken: Call.Token)
        );
        var signal = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.SignalTaskAsync(
                new SignalTaskRequest { TaskId = id, Signal = "SIGTERM" },
                cancellationToken: Call.Token
            )
        );
        await client.StopTaskAsync(new StopTaskRequest { TaskId = id }, cancellationToken: Call.Token);
        await client.DestroyTaskAsync(new DestroyTaskRequest { TaskId = id }, cancellationToken: Call.Token);

        Assert.All([wait, inspect, signal], e => Assert.Equal(StatusCode.NotFound, e.StatusCode));
        Assert.Contains(id, wait.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskStats_UnknownTask_NotFoundOnTheStream()
    {
        using var stream = _plugin.Driver.TaskStats(
            new TaskStatsRequest
            {
                TaskId = "no-such-task",
                CollectionInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
            },
            cancellationToken: Call.Token
        );

        var e = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(Call.Token));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task StopTask_MalformedTimeout_InvalidArgumentNamingTheField()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Driver.StopTaskAsync(
                new StopTaskRequest
                {
                    TaskId = "x",
                    Timeout = new Duration { Seconds = 1, Nanos = -5 },
                },
                cancellationToken: Call.Token
            )
        );

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("timeout", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecoverTask_NoHandleOrCorruptState_InvalidArgument()
    {
        var noHandle = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Driver.RecoverTaskAsync(
                new RecoverTaskRequest { TaskId = "x" },
                cancellationToken: Call.Token
            )
        );
        var corrupt = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Driver.RecoverTaskAsync(
                new RecoverTaskRequest
                {
                    Handle = new Protocol.Drivers.TaskHandle
                    {
                        Config = new TaskConfig { Id = "x" },
                        DriverState = ByteString.CopyFromUtf8("not msgpack"),
                    },
                },
                cancellationToken: Call.Token
            )
        );

        Assert.Equal(StatusCode.InvalidArgument, noHandle.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, corrupt.StatusCode);
        Assert.Contains("cannot recover task x", corrupt.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignalTask_UnknownSignalOnRunningTask_InvalidArgument()
    {
        await _plugin.StartAsync(_task);

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Driver.SignalTaskAsync(
                new SignalTaskRequest { TaskId = _task.TaskId, Signal = "SIGWINCH" },
                cancellationToken: Call.Token
            )
        );

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task DestroyTask_RunningWithoutForce_FailedPrecondition()
    {
        await _plugin.StartAsync(_task);

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = _task.TaskId },
                cancellationToken: Call.Token
            )
        );

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
    }

    [Fact]
    public async Task ExecOnUnknownTask_NotFound_NetworkRpcs_Unimplemented()
    {
        var exec = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Driver.ExecTaskAsync(
                new ExecTaskRequest { TaskId = "x", Command = { "true" } },
                cancellationToken: Call.Token
            )
        );
        var network = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Driver.CreateNetworkAsync(new CreateNetworkRequest(), cancellationToken: Call.Token)
        );

        Assert.Equal(StatusCode.NotFound, exec.StatusCode);
        Assert.Contains("task not found", exec.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unimplemented, network.StatusCode);
    }

    [Fact]
    public async Task SetConfig_NotMsgpack_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _plugin.Base.SetConfigAsync(
                new SetConfigRequest { MsgpackConfig = ByteString.CopyFromUtf8("{not msgpack") },
                cancellationToken: Call.Token
            )
        );

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("invalid qemu plugin config", e.Status.Detail, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _plugin.DisposeAsync();
        _task.Dispose();
        _node.Dispose();
    }

    /// <summary>A per-call deadline, so a hung RPC fails the test instead of the run.</summary>
    private sealed class CallOptionsCarrier
    {
        public CancellationToken Token { get; } = Timeouts.Token();
    }
}
