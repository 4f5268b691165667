using System.Text.Json.Serialization;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Supervision;

/// <summary>
/// What the driver asks a supervisor to run. Written to the task's run dir before the supervisor starts.
/// <see cref="PassFds"/>: the descriptors the supervisor inherited that QEMU must get at the same numbers (the
/// job's opened files; QEMU's argv names them, never a path). <see cref="TaskId"/> and <see cref="Emulator"/> let a
/// restarted plugin check that a run dir and a pid handed back in driver_state are really this task's.
/// </summary>
internal sealed record LaunchRequest(
    string Executable,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<string> Environment,
    string WorkingDirectory,
    string StdoutPath,
    string StderrPath,
    string? CgroupPath,
    IReadOnlyList<int>? PassFds = null,
    string? TaskId = null,
    string? Emulator = null,
    string? MemoryCgroupPath = null,
    bool MemoryCgroupCreated = false
);

/// <summary>
/// Written by the supervisor first thing, before it spawns QEMU: from then on an orphan sweep can find (and
/// kill) it even if the plugin died before the supervisor reported QEMU started.
/// </summary>
internal sealed record SupervisorSelf(int Pid, ulong StartTicks)
{
    [JsonIgnore]
    public ProcessIdentity Identity => new(Pid, StartTicks);
}

/// <summary>Written by the supervisor once QEMU runs: who to watch, with pid-recycling-proof identities.</summary>
internal sealed record SupervisorStarted(
    int SupervisorPid,
    ulong SupervisorStartTicks,
    int QemuPid,
    ulong QemuStartTicks,
    DateTimeOffset StartedAt
)
{
    [JsonIgnore]
    public ProcessIdentity Qemu => new(QemuPid, QemuStartTicks);

    [JsonIgnore]
    public ProcessIdentity Supervisor => new(SupervisorPid, SupervisorStartTicks);
}

/// <summary>
/// Written by the supervisor when QEMU is gone (or could not start). This file is how the true outcome
/// survives the plugin: a restarted plugin cannot waitpid a process that is not its child.
/// </summary>
internal sealed record ExitRecord(int ExitCode, int Signal, bool OomKilled, string? Error, DateTimeOffset ExitedAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(LaunchRequest))]
[JsonSerializable(typeof(SupervisorSelf))]
[JsonSerializable(typeof(SupervisorStarted))]
[JsonSerializable(typeof(ExitRecord))]
internal sealed partial class SupervisorJson : JsonSerializerContext;
