using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NomadQemu.Driver;
using NomadQemu.Plugin;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.InProcess.Tests.Support;

/// <summary>
/// The host's gRPC services (PluginServices: base plugin, driver, controller, stdio, broker) served by Kestrel
/// in this process on a real unix socket, with the driver core pointed at a <see cref="FakeNode"/>, and a
/// client dialled the way go-plugin dials. Only the process launch and handshake line of PluginHost are not
/// exercised here (the end-to-end suites cover those).
/// </summary>
public sealed class InProcessPlugin : IAsyncDisposable
{
    private readonly ShortTempDir _socketDir = new();
    private WebApplication _app = null!;

    public GrpcChannel Channel { get; private set; } = null!;
    public QemuDriver Core { get; private set; } = null!;
    public BasePlugin.BasePluginClient Base => new(Channel);
    public Protocol.Drivers.Driver.DriverClient Driver => new(Channel);

    public static async Task<InProcessPlugin> StartAsync(FakeNode node, byte[]? pluginConfig = null)
    {
        var plugin = new InProcessPlugin();
        var socket = Path.Combine(plugin._socketDir.Path, "plugin.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(socket, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.MaxStreamsPerConnection = PluginHost.MaxStreamsPerConnection;
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new PluginOptions(PluginOptions.DefaultDriverName, LogLevel.Trace));
        PluginServices.Register(builder.Services);
        // Registered last, so it is the QemuDriver every service receives.
        builder.Services.AddSingleton(provider => new QemuDriver(
            node.Options,
            provider.GetRequiredService<ILoggerFactory>()
        ));
        plugin._app = builder.Build();
        PluginServices.Map(plugin._app);
        await plugin._app.StartAsync();
        plugin.Core = plugin._app.Services.GetRequiredService<QemuDriver>();
        plugin.Channel = PluginProcess.CreateChannel(socket);
        await plugin.Base.SetConfigAsync(
            new SetConfigRequest
            {
                // The fake emulator is a dotnet program from this suite's build output, which the jail's minimal root
                // does not hold: this tier tests the driver's paths unjailed; the jail is the E2E tier's.
                MsgpackConfig = ByteString.CopyFrom(pluginConfig ?? NomadMsgpack.PluginConfig(jail: false)),
                PluginApiVersion = BasePluginService.ApiVersion,
            }
        );
        return plugin;
    }

    /// <summary>StartTask as Nomad sends it for <paramref name="task"/>.</summary>
    public async Task<StartTaskResponse> StartAsync(
        FakeTask task,
        string fakeMode = "",
        params (string, object?)[] config
    )
    {
        var request = task.Request(fakeMode, config);
        var task2 = new TaskConfig
        {
            Id = request.TaskId,
            Name = request.TaskName,
            AllocId = request.AllocId,
            AllocDir = request.AllocDir,
            StdoutPath = request.StdoutPath,
            StderrPath = request.StderrPath,
            MsgpackDriverConfig = ByteString.CopyFrom(request.DriverConfig),
            Env = { new Dictionary<string, string>(request.Env) },
            Resources = new Resources
            {
                AllocatedResources = new AllocatedTaskResources
                {
                    Memory = new AllocatedMemoryResources { MemoryMb = request.MemoryMb },
                },
            },
        };
        return await Driver.StartTaskAsync(new StartTaskRequest { Task = task2 });
    }

    public async ValueTask DisposeAsync()
    {
        Channel?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _socketDir.Dispose();
    }
}
