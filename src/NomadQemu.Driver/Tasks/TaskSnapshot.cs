namespace NomadQemu.Driver.Tasks;

/// <summary>A consistent copy of a task's state, taken under its lock.</summary>
public sealed record TaskSnapshot(
    string TaskId,
    string TaskName,
    bool Running,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    TaskExit? Exit
);
