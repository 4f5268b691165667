using Grpc.Core;
using NomadQemu.Protocol.GoPlugin;

namespace NomadQemu.Plugin;

/// <summary>
/// go-plugin's controller: Nomad's client calls Shutdown when it is done with this instance (after every
/// start-up fingerprint launch, and when the agent stops). Answer first, then stop serving; the host
/// removes the socket and the process exits well inside the client's 2 s grace. Running VMs are untouched.
/// </summary>
internal sealed class ControllerService(IHostApplicationLifetime lifetime) : GRPCController.GRPCControllerBase
{
    public override Task<Empty> Shutdown(Empty request, ServerCallContext context)
    {
        // Let the response leave before Kestrel starts draining connections.
        _ = Task.Delay(TimeSpan.FromMilliseconds(50))
            .ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
        return Task.FromResult(new Empty());
    }
}
