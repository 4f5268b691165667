using Grpc.Core;
using NomadQemu.Cli;
using NomadQemu.Core.Config;
using NomadQemu.Driver;
using NomadQemu.Protocol.Base;

namespace NomadQemu.Plugin;

/// <summary>
/// Nomad's base plugin service: who we are, what our agent config looks like, and accepting that config.
/// The name defaults to "qemu" so this plugin replaces the built-in driver (the external one wins when its
/// version is not lower than the built-in's 0.1.0).
/// </summary>
internal sealed class BasePluginService(
    PluginOptions options,
    QemuDriver driver,
    FingerprintFeed fingerprints,
    ILogger<BasePluginService> log
) : BasePlugin.BasePluginBase
{
    public const string ApiVersion = "v0.1.0";

    public override Task<PluginInfoResponse> PluginInfo(PluginInfoRequest request, ServerCallContext context) =>
        Task.FromResult(
            new PluginInfoResponse
            {
                Type = PluginType.Driver,
                PluginApiVersions = { ApiVersion },
                PluginVersion = BuildInfo.Version,
                Name = options.DriverName,
            }
        );

    public override Task<ConfigSchemaResponse> ConfigSchema(ConfigSchemaRequest request, ServerCallContext context) =>
        Task.FromResult(new ConfigSchemaResponse { Spec = SchemaMapping.ToSpec(PluginConfigSchema.Spec) });

    public override Task<SetConfigResponse> SetConfig(SetConfigRequest request, ServerCallContext context)
    {
        PluginConfig config;
        try
        {
            config = PluginConfig.Decode(request.MsgpackConfig.Memory);
        }
        catch (ConfigException e)
        {
            throw new RpcException(
                new Status(StatusCode.InvalidArgument, RpcErrors.Limit("invalid qemu plugin config: " + e.Message))
            );
        }
        driver.SetConfig(config, ProtoMapping.ToNodeCompute(request.NomadConfig?.Driver?.Topology));
        fingerprints.Refresh();
        PluginLog.Configured(
            log,
            string.Join(",", config.ImagePaths),
            string.Join(",", config.ArgsAllowlist),
            string.Join(",", config.EmulatorsAllowlist)
        );
        return Task.FromResult(new SetConfigResponse());
    }
}
