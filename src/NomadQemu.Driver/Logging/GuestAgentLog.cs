using Microsoft.Extensions.Logging;

namespace NomadQemu.Driver.Logging;

/// <summary>
/// Log lines of the driver's guest-agent features (exec, readiness, agent shutdown, clock), event ids
/// 1200–1299. Fields are hclog fields, as in <see cref="DriverLog"/>.
/// </summary>
internal static partial class GuestAgentLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "exec in guest started")]
    public static partial void ExecStarted(ILogger logger, string task_id, string program, int stdin_bytes);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "exec in guest finished")]
    public static partial void ExecFinished(
        ILogger logger,
        string task_id,
        string program,
        int exit_code,
        int signal,
        double elapsed_ms
    );

    [LoggerMessage(
        EventId = 1202,
        Level = LogLevel.Warning,
        Message = "exec in guest passed its deadline and was killed"
    )]
    public static partial void ExecTimedOut(ILogger logger, string task_id, string program, double timeout_s);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "exec in guest failed")]
    public static partial void ExecFailed(ILogger logger, string task_id, string program, string error);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "guest-shutdown fallback failed")]
    public static partial void AgentShutdownFailed(ILogger logger, string task_id, string error);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "could not set the guest clock after resume")]
    public static partial void GuestClockNotSet(ILogger logger, string task_id, string error);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Debug, Message = "exec client went away; command killed in guest")]
    public static partial void ExecAbandoned(ILogger logger, string task_id, string program);
}
