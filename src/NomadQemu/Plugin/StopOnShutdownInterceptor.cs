using Grpc.Core;
using Grpc.Core.Interceptors;

namespace NomadQemu.Plugin;

/// <summary>
/// Ends every call in flight when the plugin stops (go-plugin's Shutdown, SIGTERM), the way grpc-go's
/// <c>Server.Stop</c> does for Go plugins: each call's HTTP/2 stream is reset, so WaitTask and the
/// Fingerprint/TaskEvents/TaskStats/stdio/broker streams end at once instead of holding Kestrel's graceful
/// drain open until the client goes away (Nomad's client SIGKILLs 2 s after Shutdown). VMs are not touched.
/// </summary>
internal sealed class StopOnShutdownInterceptor(IHostApplicationLifetime lifetime) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation
    )
    {
        using var _ = AbortOnStop(context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation
    )
    {
        using var _ = AbortOnStop(context);
        await continuation(request, responseStream, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation
    )
    {
        using var _ = AbortOnStop(context);
        return await continuation(requestStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation
    )
    {
        using var _ = AbortOnStop(context);
        await continuation(requestStream, responseStream, context);
    }

    /// <summary>Aborting the request fires the call's cancellation token, which every handler observes.</summary>
    private CancellationTokenRegistration AbortOnStop(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return lifetime.ApplicationStopping.Register(http.Abort);
    }
}
