namespace NomadQemu.Driver;

/// <summary>Why a driver operation failed, which decides the gRPC status and whether Nomad restarts the task.</summary>
public enum DriverErrorKind
{
    /// <summary>The job or operator config is wrong; a restart cannot help.</summary>
    InvalidConfig,

    /// <summary>No task with that id.</summary>
    NotFound,

    /// <summary>A transient failure worth a restart (e.g. QEMU died while booting).</summary>
    Recoverable,

    /// <summary>The request does not make sense in the task's current state.</summary>
    FailedPrecondition,

    /// <summary>Something on this node is broken (missing binary, I/O error).</summary>
    Internal,

    /// <summary>A task with that id is already started or starting.</summary>
    AlreadyExists,
}

/// <summary>A driver failure with a message fit for the job author or operator.</summary>
public sealed class DriverException(DriverErrorKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public DriverErrorKind Kind { get; } = kind;

    public static DriverException NotFound(string taskId) =>
        new(DriverErrorKind.NotFound, $"task not found for given id: {taskId}");
}
