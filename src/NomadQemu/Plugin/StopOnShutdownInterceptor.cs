using Grpc.Core;
using Grpc.Core.Interceptors;

namespace NomadQemu.Plugin;

/// <summary>
/// Ends every call in flight when the plugin stops (go-plugin's Shutdown, SIGTERM), the way grpc-go's
/// <c>Server.Stop</c> does for Go plugins: Nomad's client SIGKILLs 2 s after Shutdown, and a graceful drain
/// would otherwise wait for streams that only end when the client goes away. VMs are not touched.
/// </summary>
internal sealed class StopOnShutdownInterceptor(IHostApplicationLifetime lifetime) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation
    )
    {
        using var linked = Link(context);
        return await continuation(request, new StoppingCallContext(context, linked.Token));
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation
    )
    {
        using var linked = Link(context);
        await continuation(request, responseStream, new StoppingCallContext(context, linked.Token));
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation
    )
    {
        using var linked = Link(context);
        return await continuation(requestStream, new StoppingCallContext(context, linked.Token));
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation
    )
    {
        using var linked = Link(context);
        await continuation(requestStream, responseStream, new StoppingCallContext(context, linked.Token));
    }

    private CancellationTokenSource Link(ServerCallContext context) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
}
