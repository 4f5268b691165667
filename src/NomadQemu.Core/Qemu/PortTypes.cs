namespace NomadQemu.Core.Qemu;

/// <summary>One host → guest forward; QEMU gets it for both TCP and UDP. An empty <paramref name="HostIp"/> binds all addresses.</summary>
public sealed record PortForward(string Label, string HostIp, int HostPort, int GuestPort);

/// <summary>
/// A group-network port as Nomad sends it (<c>Resources.ports</c>, proto <c>PortMapping</c>): <paramref name="HostPort"/>
/// is <c>value</c>, <paramref name="To"/> the job's <c>to</c> (0 = unset, -1 = same as the host port).
/// </summary>
public sealed record GroupPort(string Label, int HostPort, int To, string HostIp);

/// <summary>A port of a legacy task-level network (proto <c>NetworkPort</c>).</summary>
public sealed record LegacyPort(string Label, int Value);

/// <summary>A legacy task-level network (proto <c>NetworkResource</c>), deprecated in Nomad but still read by the built-in driver.</summary>
public sealed record LegacyNetwork(
    string Ip,
    IReadOnlyList<LegacyPort> ReservedPorts,
    IReadOnlyList<LegacyPort> DynamicPorts
);

/// <summary>DNS settings from the task's <c>DNSConfig</c>.</summary>
public sealed record DnsSettings(IReadOnlyList<string> Servers, IReadOnlyList<string> Searches);
