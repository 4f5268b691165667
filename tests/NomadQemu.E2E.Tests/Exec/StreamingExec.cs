using Google.Protobuf;
using Grpc.Core;
using NomadQemu.Protocol.Drivers;

namespace NomadQemu.E2E.Tests.Exec;

/// <summary>Drives ExecTaskStreaming the way Nomad's client does, and records every response in order.</summary>
internal sealed class StreamingExec
{
    public List<ExecTaskStreamingResponse> Responses { get; } = [];

    public byte[] Stdout => Collect(r => r.Stdout);
    public byte[] Stderr => Collect(r => r.Stderr);

    public static async Task<StreamingExec> RunAsync(
        Driver.DriverClient driver,
        string taskId,
        string[] command,
        IReadOnlyList<byte[]> stdinChunks,
        CancellationToken cancellationToken,
        bool tty = false
    )
    {
        using var call = driver.ExecTaskStreaming(cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(
                new ExecTaskStreamingRequest
                {
                    Setup = new ExecTaskStreamingRequest.Types.Setup
                    {
                        TaskId = taskId,
                        Command = { command },
                        Tty = tty,
                    },
                },
                cancellationToken
            );
            // A heartbeat, as Nomad's client sends them: an empty message.
            await call.RequestStream.WriteAsync(new ExecTaskStreamingRequest(), cancellationToken);
            foreach (var chunk in stdinChunks)
            {
                await call.RequestStream.WriteAsync(
                    new ExecTaskStreamingRequest
                    {
                        Stdin = new ExecTaskStreamingIOOperation { Data = ByteString.CopyFrom(chunk) },
                    },
                    cancellationToken
                );
            }
            await call.RequestStream.WriteAsync(
                new ExecTaskStreamingRequest { Stdin = new ExecTaskStreamingIOOperation { Close = true } },
                cancellationToken
            );
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The plugin may end the call (e.g. refusing it) while we still write: the status it sent is read
            // from the response stream below, not from this write's failure (which can carry an empty detail).
        }
        var run = new StreamingExec();
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            run.Responses.Add(response);
        }
        await call.RequestStream.CompleteAsync();
        return run;
    }

    private byte[] Collect(Func<ExecTaskStreamingResponse, ExecTaskStreamingIOOperation?> pick) =>
        [.. Responses.Select(pick).Where(o => o is not null).SelectMany(o => o!.Data.ToByteArray())];
}
