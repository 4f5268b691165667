using Grpc.Core;
using NomadQemu.Protocol.GoPlugin;

namespace NomadQemu.Plugin;

/// <summary>
/// go-plugin's stdio forwarding. Nomad discards whatever arrives here, and we never write to our own
/// stdout after the handshake, so the stream stays open and silent until the client goes away.
/// </summary>
internal sealed class StdioService : GRPCStdio.GRPCStdioBase
{
    public override async Task StreamStdio(
        Google.Protobuf.WellKnownTypes.Empty request,
        IServerStreamWriter<StdioData> responseStream,
        ServerCallContext context
    )
    {
        try
        {
            await context.WriteResponseHeadersAsync([]);
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException) { }
    }
}
