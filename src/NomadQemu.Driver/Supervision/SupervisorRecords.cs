using System.Text.Json.Serialization;
using NomadQemu.Driver.Jail;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Supervision;

/// <summary>What the driver asks a supervisor to run. Written to the task's run dir before the supervisor starts.</summary>
/// <param name="Executable">QEMU.</param>
/// <param name="Arguments">QEMU's arguments.</param>
/// <param name="Environment">QEMU's whole environment (fixed by the driver, never the task's).</param>
/// <param name="WorkingDirectory">QEMU's working directory when not jailed (jailed: the jail's root).</param>
/// <param name="StdoutPath">Nomad's stdout FIFO.</param>
/// <param name="StderrPath">Nomad's stderr FIFO.</param>
/// <param name="CgroupPath">The task's cgroup, joined before anything is spawned.</param>
/// <param name="PassFds">The descriptors the supervisor inherited that QEMU must get at the same numbers (the
/// job's opened files; QEMU's argv names them, never a path).</param>
/// <param name="TaskId">With <paramref name="Emulator"/>, lets a restarted plugin check that a run dir and a pid
/// handed back in driver_state are really this task's.</param>
/// <param name="Emulator">The QEMU binary (the executable QEMU's pid must show).</param>
/// <param name="LauncherPrefix">Run as root before the jail (nsenter into the alloc's network namespace).</param>
/// <param name="QmpSocketPath">The supervisor creates QMP's listening socket here (0600) and hands it to QEMU at
/// <see cref="InheritedFds.QmpSocket"/>; null when QEMU is told a path itself.</param>
/// <param name="GuestAgentSocketPath">Same for the guest agent, at <see cref="InheritedFds.GuestAgentSocket"/>.</param>
/// <param name="Jail">How to jail QEMU; null runs it as root with the host's filesystem (plugin config jail = false).</param>
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
    bool MemoryCgroupCreated = false,
    IReadOnlyList<string>? LauncherPrefix = null,
    string? QmpSocketPath = null,
    string? GuestAgentSocketPath = null,
    JailSpec? Jail = null
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
    /// <summary>The uid a jailed QEMU runs as; null when not jailed.</summary>
    public int? JailUid { get; init; }

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
