using NomadQemu.Artifacts;
using NomadQemu.Driver;
using NomadQemu.JobFiles;

namespace NomadQemu.Runner;

/// <summary>One task of one allocation, ready for the driver: the request Nomad would send, plus what the runner needs.</summary>
internal sealed record PlannedTask(
    TaskSpec Spec,
    TaskRequest Request,
    IReadOnlyList<AllocatedPort> Ports,
    IReadOnlyList<ArtifactRequest> Artifacts
);
