using NomadQemu.Core.Config;

namespace NomadQemu.Core.Qemu;

/// <summary>
/// Decides which host ports reach which guest ports. The built-in driver only read the deprecated task-level network
/// and bound every address; this also reads the group <c>network { port }</c> block and keeps each port's host IP.
/// </summary>
public static class PortForwardResolver
{
    /// <summary>
    /// Group ports first, then legacy ports (a label in both is taken from the group). A port is forwarded when
    /// <c>port_map</c> names its label, or, for group ports, when the job set <c>to</c> (so
    /// <c>port "http" { to = 80 }</c> works without a <c>port_map</c>).
    /// </summary>
    /// <exception cref="ConfigException">A <c>port_map</c> label that is not a port of the task's network.</exception>
    public static IReadOnlyList<PortForward> Resolve(
        IReadOnlyDictionary<string, int> portMap,
        IReadOnlyList<GroupPort> groupPorts,
        IReadOnlyList<LegacyNetwork> legacyNetworks
    )
    {
        List<PortForward> forwards = [];
        HashSet<string> seen = new(StringComparer.Ordinal);

        foreach (var port in groupPorts)
        {
            if (!seen.Add(port.Label))
            {
                continue;
            }

            int? guestPort =
                portMap.TryGetValue(port.Label, out var mapped) ? mapped
                : port.To > 0 ? port.To
                : port.To < 0 ? port.HostPort
                : null;
            if (guestPort is int guest)
            {
                forwards.Add(new PortForward(port.Label, port.HostIp ?? "", port.HostPort, guest));
            }
        }

        foreach (var network in legacyNetworks)
        {
            foreach (var port in network.ReservedPorts.Concat(network.DynamicPorts))
            {
                if (seen.Add(port.Label) && portMap.TryGetValue(port.Label, out var guest))
                {
                    forwards.Add(new PortForward(port.Label, network.Ip ?? "", port.Value, guest));
                }
            }
        }

        var unknown = portMap.Keys.Order(StringComparer.Ordinal).FirstOrDefault(label => !seen.Contains(label));
        if (unknown is not null)
        {
            var available =
                seen.Count == 0
                    ? "(none: the task has no network ports)"
                    : string.Join(", ", seen.Order(StringComparer.Ordinal));
            throw new ConfigException(
                TaskConfigSchema.PortMap,
                $"port_map label \"{unknown}\" is not a port of this task's network; available: {available}"
            );
        }

        return forwards;
    }

    /// <summary>Label → guest port, for Nomad's <c>NetworkOverride.port_map</c> (what services advertise with <c>address_mode = "driver"</c>).</summary>
    public static IReadOnlyDictionary<string, int> GuestPortMap(IReadOnlyList<PortForward> forwards)
    {
        Dictionary<string, int> map = new(StringComparer.Ordinal);
        foreach (var forward in forwards)
        {
            map.TryAdd(forward.Label, forward.GuestPort);
        }

        return map;
    }
}
