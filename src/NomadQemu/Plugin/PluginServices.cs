using System.Globalization;
using NomadQemu.Driver;

namespace NomadQemu.Plugin;

/// <summary>Every gRPC service the plugin serves, and the one driver core behind them.</summary>
internal static class PluginServices
{
    /// <summary>Test hook: a shorter fingerprint period in seconds (default 30, as HashiCorp's drivers).</summary>
    public const string FingerprintPeriodVariable = "NOMAD_QEMU_FINGERPRINT_PERIOD";

    public static void Register(IServiceCollection services)
    {
        services.AddSingleton(provider => new QemuDriver(
            Cli.SupervisorCommand.DriverOptions(),
            provider.GetRequiredService<ILoggerFactory>()
        ));
        var period =
            double.TryParse(
                Environment.GetEnvironmentVariable(FingerprintPeriodVariable),
                NumberStyles.Float,
                CultureInfo.InvariantCulture,
                out var seconds
            )
            && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.FromSeconds(30);
        services.AddSingleton(new FingerprintSchedule(period));
        services.AddSingleton<FingerprintFeed>();
    }

    public static void Map(WebApplication app)
    {
        app.MapGrpcService<BasePluginService>();
        app.MapGrpcService<DriverService>();
        app.MapGrpcService<ControllerService>();
        app.MapGrpcService<StdioService>();
        app.MapGrpcService<BrokerService>();
    }
}
