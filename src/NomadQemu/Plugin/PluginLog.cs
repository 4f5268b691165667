namespace NomadQemu.Plugin;

/// <summary>
/// Log lines of the plugin front, event ids 2000–2999. Parameters are hclog fields, not repeated in the
/// message (see <c>NomadQemu.Driver.Logging.DriverLog</c>).
/// </summary>
internal static partial class PluginLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "plugin serving")]
    public static partial void Serving(ILogger logger, string socket);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "plugin configured")]
    public static partial void Configured(
        ILogger logger,
        string image_paths,
        string args_allowlist,
        string emulators_allowlist
    );

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "fingerprint failed")]
    public static partial void FingerprintFailed(ILogger logger, string error);
}
