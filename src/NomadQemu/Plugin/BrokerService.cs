using Grpc.Core;
using NomadQemu.Protocol.GoPlugin;

namespace NomadQemu.Plugin;

/// <summary>
/// go-plugin's connection broker. Nomad's driver and base plugins never use it, but the client opens the
/// stream on connect; read until it closes and offer nothing.
/// </summary>
internal sealed class BrokerService : GRPCBroker.GRPCBrokerBase
{
    public override async Task StartStream(
        IAsyncStreamReader<ConnInfo> requestStream,
        IServerStreamWriter<ConnInfo> responseStream,
        ServerCallContext context
    )
    {
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken)) { }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }
}
