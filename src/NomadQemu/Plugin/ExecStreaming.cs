using Google.Protobuf;
using Grpc.Core;
using NomadQemu.Driver;
using Proto = NomadQemu.Protocol.Drivers;

namespace NomadQemu.Plugin;

/// <summary>
/// Nomad's ExecTaskStreaming (<c>nomad alloc exec</c>, <c>nomad action</c>) on top of the guest agent. The
/// contract (plugins/drivers/execstreaming.go): the first request carries <c>setup</c>; then stdin data,
/// a stdin close, terminal sizes and empty heartbeats. We answer with stdout/stderr data, a close marker
/// for each, and finally <c>exited</c> with the result. The guest agent takes all input at start and gives
/// all output at exit, so stdin is collected until the client closes it (bounded), and output is sent in
/// chunks once the command has exited.
/// </summary>
internal static class ExecStreaming
{
    /// <summary>Output chunk size: far below gRPC's 4 MiB message limit, large enough to keep overhead small.</summary>
    public const int ChunkBytes = 64 * 1024;

    public static async Task RunAsync(
        QemuDriver driver,
        IAsyncStreamReader<Proto.ExecTaskStreamingRequest> requests,
        IServerStreamWriter<Proto.ExecTaskStreamingResponse> responses,
        CancellationToken cancellationToken
    )
    {
        if (!await requests.MoveNext(cancellationToken))
        {
            throw Invalid("ExecTaskStreaming: the stream ended before the setup message");
        }
        var setup = requests.Current.Setup ?? throw Invalid("ExecTaskStreaming: the first message must carry setup");
        if (setup.Tty)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, QemuDriver.TtyRefusal));
        }
        // Before collecting stdin: someone typing into a task without an agent should learn that first.
        await driver.EnsureExecReadyAsync(setup.TaskId, cancellationToken);
        var stdin = await ReadStdinAsync(requests, cancellationToken);
        var outcome = await driver.ExecAsync(
            setup.TaskId,
            new ExecCommand([.. setup.Command], stdin, Timeout: null),
            cancellationToken
        );
        await SendAsync(responses, outcome.Stdout, stdout: true, cancellationToken);
        await SendAsync(responses, outcome.Stderr, stdout: false, cancellationToken);
        await responses.WriteAsync(
            new Proto.ExecTaskStreamingResponse { Exited = true, Result = ProtoMapping.ToExitResult(outcome.Exit) },
            cancellationToken
        );
    }

    /// <summary>Stdin until the client closes it (or half-closes the stream); heartbeats and sizes are skipped.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadStdinAsync(
        IAsyncStreamReader<Proto.ExecTaskStreamingRequest> requests,
        CancellationToken cancellationToken
    )
    {
        using var buffer = new MemoryStream();
        while (await requests.MoveNext(cancellationToken))
        {
            var message = requests.Current;
            if (message.Setup is not null)
            {
                throw Invalid("ExecTaskStreaming: setup may only come first");
            }
            if (message.Stdin is not { } stdin)
            {
                continue; // heartbeat or terminal size: nothing to do without a terminal
            }
            if (buffer.Length + stdin.Data.Length > ExecCommand.MaxStdinBytes)
            {
                throw new RpcException(
                    new Status(
                        StatusCode.InvalidArgument,
                        $"exec: stdin is larger than {ExecCommand.MaxStdinBytes} bytes (1 MiB), the most a command in a "
                            + "VM can be given (the guest agent takes all input at start); pass large data through "
                            + "the network or the task's files instead"
                    )
                );
            }
            stdin.Data.WriteTo(buffer);
            if (stdin.Close)
            {
                break;
            }
        }
        return buffer.ToArray();
    }

    private static async Task SendAsync(
        IServerStreamWriter<Proto.ExecTaskStreamingResponse> responses,
        byte[] data,
        bool stdout,
        CancellationToken cancellationToken
    )
    {
        for (var offset = 0; offset < data.Length; offset += ChunkBytes)
        {
            var operation = new Proto.ExecTaskStreamingIOOperation
            {
                Data = ByteString.CopyFrom(data, offset, Math.Min(ChunkBytes, data.Length - offset)),
            };
            await responses.WriteAsync(Wrap(operation, stdout), cancellationToken);
        }
        await responses.WriteAsync(
            Wrap(new Proto.ExecTaskStreamingIOOperation { Close = true }, stdout),
            cancellationToken
        );
    }

    private static Proto.ExecTaskStreamingResponse Wrap(Proto.ExecTaskStreamingIOOperation operation, bool stdout) =>
        stdout ? new() { Stdout = operation } : new() { Stderr = operation };

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
