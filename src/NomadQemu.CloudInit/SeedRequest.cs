using NomadQemu.CloudInit.Network;

namespace NomadQemu.CloudInit;

/// <summary>
/// What a task asks of its seed: the job's four inputs as bytes (already rendered by Nomad; inline values or
/// files read from the task dir, bounded by <see cref="CloudInitLimits"/>), and what the driver knows about the
/// task (alloc id, task name, its NIC). Inputs are plain arrays, null meaning "not given" (a null array assigned to a
/// nullable <c>ReadOnlyMemory</c> would silently become an empty, present value).
/// </summary>
public sealed class SeedRequest
{
    /// <summary>The allocation's id: decides <c>instance-id</c>, so a rescheduled alloc is a first boot.</summary>
    public required string AllocId { get; init; }

    public required string TaskName { get; init; }

    /// <summary>Written byte-exact (#cloud-config, a script, MIME multipart, gzip...); null writes an empty file.</summary>
    public byte[]? UserData { get; init; }

    /// <summary>The job's meta-data as a YAML or JSON mapping, merged over the defaults; null for the defaults alone.</summary>
    public byte[]? MetaData { get; init; }

    /// <summary>Written byte-exact; null leaves <c>/vendor-data</c> out.</summary>
    public byte[]? VendorData { get; init; }

    /// <summary>The job's network-config (v1 or v2), checked and then written byte-exact; wins over
    /// <see cref="DefaultNetwork"/>.</summary>
    public byte[]? NetworkConfig { get; init; }

    /// <summary>The network-config to generate when the job gives none; null (with no job network-config) leaves
    /// <c>/network-config</c> out, and cloud-init falls back to DHCP on the first NIC.</summary>
    public UserNetworkConfig? DefaultNetwork { get; init; }
}
