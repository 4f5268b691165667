using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// A Nomad job as far as a standalone run needs it. Equality is structural and ignores <see cref="Position"/>
/// (the same job read from HCL and from JSON compares equal).
/// </summary>
public sealed record JobSpec
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>"service" unless the job says otherwise.</summary>
    public string Type { get; init; } = "service";

    /// <summary><c>["*"]</c> (any datacenter) unless the job says otherwise, as in Nomad 1.5+.</summary>
    public IReadOnlyList<string> Datacenters { get; init; } = ["*"];

    public required IReadOnlyList<GroupSpec> Groups { get; init; }

    /// <summary>Where the job is defined, for messages of the form <c>file:line:col: ...</c>.</summary>
    public required HclPosition Position { get; init; }

    public bool Equals(JobSpec? other) =>
        other is not null
        && Id == other.Id
        && Name == other.Name
        && Type == other.Type
        && Same.Items(Datacenters, other.Datacenters)
        && Same.Items(Groups, other.Groups);

    public override int GetHashCode() => HashCode.Combine(Id, Name, Type, Groups.Count);
}

/// <summary>A task group: tasks placed together, with the group's network.</summary>
public sealed record GroupSpec
{
    public required string Name { get; init; }

    public int Count { get; init; } = 1;

    /// <summary>The group <c>network</c> block, if any.</summary>
    public NetworkSpec? Network { get; init; }

    public required IReadOnlyList<TaskSpec> Tasks { get; init; }

    public required HclPosition Position { get; init; }

    public bool Equals(GroupSpec? other) =>
        other is not null
        && Name == other.Name
        && Count == other.Count
        && Equals(Network, other.Network)
        && Same.Items(Tasks, other.Tasks);

    public override int GetHashCode() => HashCode.Combine(Name, Count, Tasks.Count);
}

/// <summary>A <c>network</c> block: at group level (current Nomad) or inside task <c>resources</c> (legacy).</summary>
public sealed record NetworkSpec
{
    /// <summary>"host" unless set ("bridge", "none", "cni/NAME").</summary>
    public string Mode { get; init; } = "host";

    /// <summary>Requested bandwidth; 0 when not given (only the legacy task-level form uses it).</summary>
    public int Mbits { get; init; }

    public IReadOnlyList<PortSpec> Ports { get; init; } = [];

    public required HclPosition Position { get; init; }

    public bool Equals(NetworkSpec? other) =>
        other is not null && Mode == other.Mode && Mbits == other.Mbits && Same.Items(Ports, other.Ports);

    public override int GetHashCode() => HashCode.Combine(Mode, Mbits, Ports.Count);
}

/// <summary>A <c>port "label" { static = ..., to = ... }</c> block.</summary>
public sealed record PortSpec
{
    public required string Label { get; init; }

    /// <summary>The fixed host port, or null for a dynamic port.</summary>
    public int? Static { get; init; }

    /// <summary>The port inside the task/guest to map to, or null when not mapped.</summary>
    public int? To { get; init; }

    /// <summary>The client host network to use; "default" when not given.</summary>
    public string HostNetwork { get; init; } = "default";

    public required HclPosition Position { get; init; }

    public bool Equals(PortSpec? other) =>
        other is not null
        && Label == other.Label
        && Static == other.Static
        && To == other.To
        && HostNetwork == other.HostNetwork;

    public override int GetHashCode() => HashCode.Combine(Label, Static, To, HostNetwork);
}
