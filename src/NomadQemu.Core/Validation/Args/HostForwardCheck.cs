using System.Net;

namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// A job's own <c>hostfwd=</c> (only reachable when the operator's allowlist names it) may bind only an address and
/// port Nomad allocated to the task: any other port belongs to another task or to the node.
/// </summary>
internal static class HostForwardCheck
{
    public static void Check(QemuArgument argument, QemuOptionValue value, IReadOnlyList<AllocatedPort> allocated)
    {
        foreach (var (key, forward) in value.Properties)
        {
            if (QemuValueRules.NormalizePropertyName(key) != "hostfwd" || forward.Length == 0)
            {
                continue;
            }
            if (!TryParse(forward, out var hostIp, out var hostPort))
            {
                throw Refuse(argument, $"hostfwd={forward} is not [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport");
            }
            if (!allocated.Any(a => a.Port == hostPort && SameAddress(a.HostIp, hostIp)))
            {
                var ports =
                    allocated.Count == 0 ? "none" : string.Join(", ", allocated.Select(a => $"{a.HostIp}:{a.Port}"));
                throw Refuse(
                    argument,
                    $"hostfwd={forward} binds {(hostIp.Length == 0 ? "*" : hostIp)}:{hostPort}, which Nomad did not allocate to this task; allocated: {ports}"
                );
            }
        }
    }

    private static bool TryParse(string forward, out string hostIp, out int hostPort)
    {
        hostIp = "";
        hostPort = 0;
        var protocolEnd = forward.IndexOf(':', StringComparison.Ordinal);
        var dash = forward.IndexOf('-', StringComparison.Ordinal);
        if (protocolEnd < 0 || dash < protocolEnd)
        {
            return false;
        }
        var host = forward[(protocolEnd + 1)..dash];
        var portStart = host.LastIndexOf(':');
        if (portStart < 0)
        {
            return false;
        }
        hostIp = host[..portStart].Trim('[', ']');
        return int.TryParse(host[(portStart + 1)..], System.Globalization.NumberStyles.None, null, out hostPort);
    }

    // An empty or unspecified address binds every address: only an allocation without an address matches it.
    private static bool SameAddress(string allocatedIp, string hostIp)
    {
        var allocatedAny = allocatedIp.Length == 0 || allocatedIp is "0.0.0.0" or "::";
        var requestedAny = hostIp.Length == 0 || hostIp is "0.0.0.0" or "::";
        if (allocatedAny || requestedAny)
        {
            return allocatedAny && requestedAny;
        }
        return IPAddress.TryParse(allocatedIp, out var a) && IPAddress.TryParse(hostIp, out var b) && a.Equals(b);
    }

    private static Config.ConfigException Refuse(QemuArgument argument, string detail) =>
        ArgsRefusal.Create(argument.Index, ArgsRefusal.Show(argument), detail, ArgsRefusal.HostForwardRule);
}
