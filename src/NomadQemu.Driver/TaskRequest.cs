using NomadQemu.Core.Qemu;

namespace NomadQemu.Driver;

/// <summary>
/// What StartTask gets from Nomad (or from the standalone runner), without any protocol types.
/// </summary>
public sealed record TaskRequest
{
    public required string TaskId { get; init; }
    public required string TaskName { get; init; }
    public required string AllocId { get; init; }
    public required string AllocDir { get; init; }
    public string JobName { get; init; } = "";

    /// <summary>Nomad's job id (unique in its namespace; JobName is only a display name).</summary>
    public string JobId { get; init; } = "";

    /// <summary>The parent's id for a dispatched or periodic child job, else empty.</summary>
    public string ParentJobId { get; init; } = "";
    public string Namespace { get; init; } = "";
    public string GroupName { get; init; } = "";
    public required string StdoutPath { get; init; }
    public required string StderrPath { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>The job's <c>config {}</c> block as Nomad's cty-msgpack bytes.</summary>
    public required byte[] DriverConfig { get; init; }

    public long MemoryMb { get; init; }
    public long MemoryMaxMb { get; init; }
    public string CpusetCpus { get; init; } = "";
    public string CgroupPath { get; init; } = "";
    public IReadOnlyList<GroupPort> GroupPorts { get; init; } = [];
    public IReadOnlyList<LegacyNetwork> LegacyNetworks { get; init; } = [];

    /// <summary>Network namespace path for group (bridge/CNI) networking; empty for host networking.</summary>
    public string NetnsPath { get; init; } = "";
    public IReadOnlyList<string> DnsServers { get; init; } = [];
    public IReadOnlyList<string> DnsSearches { get; init; } = [];

    public string TaskDir => Path.Combine(AllocDir, TaskName);
}
