using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>One task. Strings may still hold <c>${NOMAD_...}</c> references for <see cref="RuntimeInterpolator"/>.</summary>
public sealed record TaskSpec
{
    public static readonly TimeSpan DefaultKillTimeout = TimeSpan.FromSeconds(5);

    public required string Name { get; init; }

    public required string Driver { get; init; }

    /// <summary>
    /// The <c>config</c> block in Nomad's API shape: attributes as values, nested blocks as a list of objects
    /// under the block name (so <c>port_map { ssh = 22 }</c> reads as <c>port_map = [{ ssh = 22 }]</c>, while
    /// the attribute form <c>port_map = { ssh = 22 }</c> stays an object; drivers should accept both).
    /// </summary>
    public HclObject Config { get; init; } = HclObject.Empty;

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public ResourcesSpec Resources { get; init; } = new();

    public TimeSpan KillTimeout { get; init; } = DefaultKillTimeout;

    /// <summary>The signal to stop the task with, or null for the driver's default.</summary>
    public string? KillSignal { get; init; }

    public IReadOnlyList<ArtifactSpec> Artifacts { get; init; } = [];

    /// <summary>Job, group and task <c>meta</c> merged, the innermost winning (what NOMAD_META_* shows).</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();

    public required HclPosition Position { get; init; }

    public bool Equals(TaskSpec? other) =>
        other is not null
        && Name == other.Name
        && Driver == other.Driver
        && Config.Equals(other.Config)
        && Same.Entries(Env, other.Env)
        && Resources.Equals(other.Resources)
        && KillTimeout == other.KillTimeout
        && KillSignal == other.KillSignal
        && Same.Items(Artifacts, other.Artifacts)
        && Same.Entries(Meta, other.Meta);

    public override int GetHashCode() => HashCode.Combine(Name, Driver, Config, KillTimeout);
}

/// <summary>The task's <c>resources</c> block, with Nomad's defaults (100 MHz CPU, 300 MB memory).</summary>
public sealed record ResourcesSpec
{
    public int Cpu { get; init; } = 100;

    /// <summary>Reserved whole cores; 0 when not requested.</summary>
    public int Cores { get; init; }

    public int MemoryMb { get; init; } = 300;

    /// <summary>Memory oversubscription limit; 0 when not set.</summary>
    public int MemoryMaxMb { get; init; }

    /// <summary>Legacy task-level <c>network</c> blocks.</summary>
    public IReadOnlyList<NetworkSpec> Networks { get; init; } = [];

    public bool Equals(ResourcesSpec? other) =>
        other is not null
        && Cpu == other.Cpu
        && Cores == other.Cores
        && MemoryMb == other.MemoryMb
        && MemoryMaxMb == other.MemoryMaxMb
        && Same.Items(Networks, other.Networks);

    public override int GetHashCode() => HashCode.Combine(Cpu, Cores, MemoryMb, MemoryMaxMb);
}

/// <summary>An <c>artifact</c> block: something to download into the task directory before start.</summary>
public sealed record ArtifactSpec
{
    public required string Source { get; init; }

    /// <summary>Relative to the task directory; "local/" by default.</summary>
    public string Destination { get; init; } = "local/";

    /// <summary>"any", "file" or "dir".</summary>
    public string Mode { get; init; } = "any";

    /// <summary>go-getter options, e.g. <c>checksum = "sha256:..."</c>.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public required HclPosition Position { get; init; }

    public bool Equals(ArtifactSpec? other) =>
        other is not null
        && Source == other.Source
        && Destination == other.Destination
        && Mode == other.Mode
        && Same.Entries(Options, other.Options)
        && Same.Entries(Headers, other.Headers);

    public override int GetHashCode() => HashCode.Combine(Source, Destination, Mode);
}
