using Microsoft.Extensions.Logging;

namespace NomadQemu.Driver.Logging;

/// <summary>
/// Every log line the driver core writes, with a stable event id (1000–1999). Parameters are hclog fields
/// (snake_case, as Nomad's own plugins name them) and are not repeated in the message text: the host's hclog
/// writer puts each one beside <c>@message</c>, the way <c>logger.Info("task destroyed", "task_id", id)</c> does in Go.
/// </summary>
internal static partial class DriverLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "task event")]
    public static partial void TaskEvent(ILogger logger, string task_id, string @event);

    [LoggerMessage(
        EventId = 1002,
        Level = LogLevel.Warning,
        Message = "graceful power-down failed, falling back to a signal"
    )]
    public static partial void PowerdownFailed(ILogger logger, string task_id, string error);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "repeated power-down failed")]
    public static partial void PowerdownRepeatFailed(ILogger logger, string task_id, string error);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "sent a signal to QEMU")]
    public static partial void SignalSent(ILogger logger, string task_id, int signal, int pid);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "task destroyed")]
    public static partial void TaskDestroyed(ILogger logger, string task_id);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "could not remove a run dir")]
    public static partial void RunDirNotRemoved(ILogger logger, string run_dir, string error);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "task recovered")]
    public static partial void TaskRecovered(ILogger logger, string task_id, bool running);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "task exited")]
    public static partial void TaskExited(ILogger logger, string task_id, int exit_code, int signal);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Debug, Message = "QMP connect failed")]
    public static partial void QmpConnectFailed(ILogger logger, string task_id, string error);

    [LoggerMessage(
        EventId = 1010,
        Level = LogLevel.Warning,
        Message = "state_dir is not usable, orphan cleanup is off"
    )]
    public static partial void StateDirUnusable(ILogger logger, string state_dir, string error);

    [LoggerMessage(
        EventId = 1011,
        Level = LogLevel.Warning,
        Message = "removed a VM whose start was interrupted by a plugin crash"
    )]
    public static partial void OrphanRemoved(ILogger logger, string task_id, string run_dir);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "KVM probed")]
    public static partial void KvmProbed(ILogger logger, bool usable, string reason, long duration_ms);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Debug, Message = "KVM verdict reused from the state dir")]
    public static partial void KvmVerdictReused(ILogger logger, bool usable, string reason, DateTimeOffset probed_at);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "stopped a VM left by a runner that was killed")]
    public static partial void AbandonedTaskStopped(ILogger logger, string task_id, string run_dir);
}
