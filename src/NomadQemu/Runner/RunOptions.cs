using System.Net;
using NomadQemu.Artifacts;

namespace NomadQemu.Runner;

/// <summary>What `run` was asked to do.</summary>
internal sealed record RunOptions
{
    public required string JobFile { get; init; }

    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    public required string DataDir { get; init; }

    /// <summary>Host address forwarded ports listen on; loopback unless the user opens them up.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Keep alloc dirs (disk overlays, logs) after the run instead of removing them.</summary>
    public bool KeepAllocs { get; init; }

    public bool Verbose { get; init; }

    /// <summary>
    /// The plugin's <c>kvm_probe = false</c>: KVM is never probed, so <c>accelerator = "auto"</c> picks TCG. For
    /// hosts (some nested VMs) where /dev/kvm passes the probe but real guests die with a KVM internal error.
    /// </summary>
    public bool NoKvm { get; init; }

    /// <summary>Nomad's artifact decompression limits (<c>--decompression-size-limit</c>, <c>--decompression-file-count-limit</c>).</summary>
    public DecompressionLimits DecompressionLimits { get; init; } = new();
}
