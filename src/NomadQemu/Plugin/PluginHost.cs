using Grpc.HealthCheck;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using NomadQemu.Logging;

namespace NomadQemu.Plugin;

/// <summary>
/// Serves the plugin over plain HTTP/2 gRPC on a unix socket and prints the handshake line once the
/// socket accepts connections. Nomad dials that socket once and multiplexes every RPC over the one
/// connection, so the HTTP/2 stream limit must be far above what hundreds of tasks keep open.
/// </summary>
internal static class PluginHost
{
    /// <summary>Each running task holds a WaitTask and a TaskStats stream; Kestrel's default is 100.</summary>
    public const int MaxStreamsPerConnection = 100_000;

    /// <summary>
    /// How long a stop waits for calls in flight before Kestrel aborts the connections. go-plugin servers stop
    /// hard (grpc-go's Stop ends every call at once) and the client SIGKILLs 2 s after Shutdown; our long calls
    /// (WaitTask, the streams) end themselves on ApplicationStopping, so this only bounds a call that does not.
    /// </summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(PluginOptions options)
    {
        var socketPath = Handshake.NewSocketPath(Environment.GetEnvironmentVariable);
        // The empty builder: no appsettings files, no environment-variable configuration, nothing watched.
        // The slim builder watches its content root (the working directory) for config changes, and Nomad
        // starts plugins in the agent's working directory, often "/": the recursive inotify setup made the
        // handshake take 2 s there, and 20 s on a busy machine.
        var builder = WebApplication.CreateEmptyBuilder(
            new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory }
        );
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Logging.AddProvider(new HclogLoggerProvider(HclogSink.Stderr, options.LogLevel));
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // Framework chatter (request logs, "Now listening on") would only be noise in the agent's log.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.MaxStreamsPerConnection = MaxStreamsPerConnection;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddSingleton<IHostLifetime, PluginLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownGrace);
        builder.Services.AddGrpc(grpc =>
        {
            // go-plugin's client allows MaxInt32 both ways; match it.
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = true;
            grpc.Interceptors.Add<StopOnShutdownInterceptor>();
        });
        var health = new HealthServiceImpl();
        health.SetStatus("plugin", Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddSingleton(health);
        builder.Services.AddSingleton(options);
        PluginServices.Register(builder.Services);

        var app = builder.Build();
        app.MapGrpcService<HealthServiceImpl>();
        PluginServices.Map(app);

        try
        {
            await app.StartAsync();
            WriteHandshake(Handshake.Line(socketPath));
            PluginLog.Serving(
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NomadQemu.Plugin"),
                socketPath
            );
            await app.WaitForShutdownAsync();
        }
        finally
        {
            await app.DisposeAsync();
            TryDelete(socketPath);
        }
        return 0;
    }

    /// <summary>The handshake must be the very first bytes on stdout, written once and flushed.</summary>
    private static void WriteHandshake(string line)
    {
        using var stdout = Console.OpenStandardOutput();
        var bytes = System.Text.Encoding.ASCII.GetBytes(line + "\n");
        stdout.Write(bytes);
        stdout.Flush();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
