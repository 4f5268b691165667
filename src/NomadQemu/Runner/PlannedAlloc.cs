using NomadQemu.JobFiles;

namespace NomadQemu.Runner;

/// <summary>One instance of a group: its alloc dir and its tasks.</summary>
internal sealed record PlannedAlloc(
    GroupSpec Group,
    int Index,
    AllocDirectory Directory,
    IReadOnlyList<PlannedTask> Tasks
);
