using Google.Protobuf;
using Grpc.Core;
using NomadQemu.Driver;
using Proto = NomadQemu.Protocol.Drivers;

namespace NomadQemu.Plugin;

/// <summary>Nomad's Driver service: one short method per RPC (decode → driver core → encode).</summary>
internal sealed class DriverService(QemuDriver driver, FingerprintFeed fingerprints) : Proto.Driver.DriverBase
{
    private static readonly Proto.DriverCapabilities s_capabilities = new()
    {
        SendSignals = true,
        // Through the guest agent (tasks with guest_agent = true); see ExecStreaming.
        Exec = true,
        // Host paths: image_path and args refer to files on the node, as QEMU runs there.
        FsIsolation = Proto.DriverCapabilities.Types.FSIsolation.None,
        NetworkIsolationModes =
        {
            Proto.NetworkIsolationSpec.Types.NetworkIsolationMode.Host,
            Proto.NetworkIsolationSpec.Types.NetworkIsolationMode.Group,
        },
        MustCreateNetwork = false,
        MountConfigs = Proto.DriverCapabilities.Types.MountConfigs.NoMounts,
        DisableLogCollection = false,
    };

    public override Task<Proto.TaskConfigSchemaResponse> TaskConfigSchema(
        Proto.TaskConfigSchemaRequest request,
        ServerCallContext context
    ) =>
        Task.FromResult(
            new Proto.TaskConfigSchemaResponse { Spec = SchemaMapping.ToSpec(Core.Config.TaskConfigSchema.Spec) }
        );

    public override Task<Proto.CapabilitiesResponse> Capabilities(
        Proto.CapabilitiesRequest request,
        ServerCallContext context
    ) => Task.FromResult(new Proto.CapabilitiesResponse { Capabilities = s_capabilities });

    public override async Task Fingerprint(
        Proto.FingerprintRequest request,
        IServerStreamWriter<Proto.FingerprintResponse> responseStream,
        ServerCallContext context
    )
    {
        try
        {
            var published = await fingerprints.CurrentAsync().WaitAsync(context.CancellationToken);
            while (true)
            {
                await responseStream.WriteAsync(published.Response, context.CancellationToken);
                published = await published.Next.WaitAsync(context.CancellationToken);
            }
        }
        catch (OperationCanceledException) { }
    }

    public override Task<Proto.StartTaskResponse> StartTask(
        Proto.StartTaskRequest request,
        ServerCallContext context
    ) =>
        RpcErrors.Guard(async () =>
        {
            var task =
                request.Task
                ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "StartTask without a task"));
            var started = await driver.StartTaskAsync(ProtoMapping.ToTaskRequest(task), context.CancellationToken);
            var response = new Proto.StartTaskResponse
            {
                Result = Proto.StartTaskResponse.Types.Result.Success,
                Handle = new Proto.TaskHandle
                {
                    Version = QemuDriver.TaskHandleVersion,
                    Config = task,
                    State = Proto.TaskState.Running,
                    DriverState = ByteString.CopyFrom(started.DriverState),
                },
            };
            if (started.GuestPorts.Count > 0)
            {
                response.NetworkOverride = ProtoMapping.ToNetworkOverride(started.GuestPorts);
            }
            return response;
        });

    public override Task<Proto.RecoverTaskResponse> RecoverTask(
        Proto.RecoverTaskRequest request,
        ServerCallContext context
    ) =>
        RpcErrors.Guard(async () =>
        {
            var handle =
                request.Handle
                ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "RecoverTask without a handle"));
            // Nomad never sets task_id here; the id lives in the handle's config.
            var id = !string.IsNullOrEmpty(handle.Config?.Id) ? handle.Config.Id : request.TaskId;
            if (string.IsNullOrEmpty(id))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "RecoverTask handle carries no task id"));
            }
            await driver.RecoverTaskAsync(
                id,
                handle.DriverState.Memory,
                ProtoMapping.ToStatusInfo(handle.Config),
                context.CancellationToken
            );
            return new Proto.RecoverTaskResponse();
        });

    public override Task<Proto.WaitTaskResponse> WaitTask(Proto.WaitTaskRequest request, ServerCallContext context) =>
        RpcErrors.Guard(async () =>
        {
            var exit = await driver.WaitTaskAsync(request.TaskId, context.CancellationToken);
            return new Proto.WaitTaskResponse { Result = ProtoMapping.ToExitResult(exit), Err = exit.Error ?? "" };
        });

    public override Task<Proto.StopTaskResponse> StopTask(Proto.StopTaskRequest request, ServerCallContext context) =>
        RpcErrors.Guard(async () =>
        {
            var timeout = ProtoMapping.ToBoundedTimeSpan(request.Timeout, "timeout", TimeSpan.FromSeconds(5));
            await driver.StopTaskAsync(request.TaskId, timeout, request.Signal, context.CancellationToken);
            return new Proto.StopTaskResponse();
        });

    public override Task<Proto.DestroyTaskResponse> DestroyTask(
        Proto.DestroyTaskRequest request,
        ServerCallContext context
    ) =>
        RpcErrors.Guard(async () =>
        {
            await driver.DestroyTaskAsync(request.TaskId, request.Force, context.CancellationToken);
            return new Proto.DestroyTaskResponse();
        });

    public override Task<Proto.InspectTaskResponse> InspectTask(
        Proto.InspectTaskRequest request,
        ServerCallContext context
    ) =>
        RpcErrors.Guard(() =>
        {
            var snapshot = driver.InspectTask(request.TaskId);
            var details = driver.Describe(request.TaskId);
            var response = new Proto.InspectTaskResponse
            {
                Task = ProtoMapping.ToTaskStatus(snapshot),
                Driver = new Proto.TaskDriverStatus(),
                NetworkOverride = ProtoMapping.ToNetworkOverride(driver.GuestPorts(request.TaskId)),
            };
            foreach (var (key, value) in details)
            {
                response.Driver.Attributes[key] = value;
            }
            return Task.FromResult(response);
        });

    public override async Task TaskStats(
        Proto.TaskStatsRequest request,
        IServerStreamWriter<Proto.TaskStatsResponse> responseStream,
        ServerCallContext context
    )
    {
        await RpcErrors.Guard(async () =>
        {
            // Inside the guard: a malformed interval must be InvalidArgument, not an escaped exception (Unknown).
            var interval = ProtoMapping.ToBoundedTimeSpan(
                request.CollectionInterval,
                "collection_interval",
                TimeSpan.FromSeconds(1)
            );
            await foreach (var usage in driver.StatsAsync(request.TaskId, interval, context.CancellationToken))
            {
                await responseStream.WriteAsync(
                    new Proto.TaskStatsResponse { Stats = ProtoMapping.ToTaskStats(usage) },
                    context.CancellationToken
                );
            }
            return true;
        });
    }

    public override async Task TaskEvents(
        Proto.TaskEventsRequest request,
        IServerStreamWriter<Proto.DriverTaskEvent> responseStream,
        ServerCallContext context
    )
    {
        try
        {
            // Headers now: the stream is established even when no event comes for a long time.
            await context.WriteResponseHeadersAsync([]);
            await foreach (var e in driver.EventsAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(ProtoMapping.ToEvent(e), context.CancellationToken);
            }
        }
        catch (OperationCanceledException) { }
    }

    public override Task<Proto.SignalTaskResponse> SignalTask(
        Proto.SignalTaskRequest request,
        ServerCallContext context
    ) =>
        RpcErrors.Guard(async () =>
        {
            await driver.SignalTaskAsync(request.TaskId, request.Signal, context.CancellationToken);
            return new Proto.SignalTaskResponse();
        });

    public override Task<Proto.ExecTaskResponse> ExecTask(Proto.ExecTaskRequest request, ServerCallContext context) =>
        RpcErrors.Guard(async () =>
        {
            // Script checks always send a timeout; none (or zero) means no deadline rather than an instant one.
            var timeout = ProtoMapping.ToBoundedTimeSpan(request.Timeout, "timeout", TimeSpan.Zero);
            var outcome = await driver.ExecAsync(
                request.TaskId,
                new ExecCommand(
                    [.. request.Command],
                    ReadOnlyMemory<byte>.Empty,
                    timeout > TimeSpan.Zero ? timeout : null
                ),
                context.CancellationToken
            );
            return ProtoMapping.ToExecTaskResponse(outcome);
        });

    public override Task ExecTaskStreaming(
        IAsyncStreamReader<Proto.ExecTaskStreamingRequest> requestStream,
        IServerStreamWriter<Proto.ExecTaskStreamingResponse> responseStream,
        ServerCallContext context
    ) =>
        RpcErrors.Guard(async () =>
        {
            await ExecStreaming.RunAsync(driver, requestStream, responseStream, context.CancellationToken);
            return true;
        });

    public override Task<Proto.CreateNetworkResponse> CreateNetwork(
        Proto.CreateNetworkRequest request,
        ServerCallContext context
    ) =>
        throw new RpcException(
            new Status(
                StatusCode.Unimplemented,
                "the qemu driver uses the network namespace Nomad creates (must_create_network = false)"
            )
        );

    public override Task<Proto.DestroyNetworkResponse> DestroyNetwork(
        Proto.DestroyNetworkRequest request,
        ServerCallContext context
    ) =>
        throw new RpcException(
            new Status(
                StatusCode.Unimplemented,
                "the qemu driver uses the network namespace Nomad creates (must_create_network = false)"
            )
        );

    public override Task<Proto.InitResponse> Init(Proto.InitRequest request, ServerCallContext context) =>
        Task.FromResult(new Proto.InitResponse());

    public override Task<Proto.ShutdownResponse> Shutdown(Proto.ShutdownRequest request, ServerCallContext context) =>
        Task.FromResult(new Proto.ShutdownResponse());
}
