using System.Net;
using System.Net.Sockets;

namespace NomadQemu.Core.Qemu;

/// <summary>
/// Builds the user-mode (SLIRP) <c>-netdev</c> value. QEMU's <c>dns=</c> is the guest-visible address of its own
/// forwarding resolver and must lie inside the user network (10.0.2.0/24 by default); QEMU refuses to start
/// otherwise ("DNS doesn't belong to network"). So a Nomad DNS server outside it is dropped with a warning
/// instead of passed on as the built-in driver did.
/// </summary>
internal static class SlirpNetwork
{
    public const string NetdevId = "user.0";

    private static readonly IPAddress s_network = IPAddress.Parse("10.0.2.0");
    private static readonly IPAddress s_host = IPAddress.Parse("10.0.2.2");

    public static string NetdevValue(IReadOnlyList<PortForward> forwards, DnsSettings? dns, List<string> warnings)
    {
        List<string> parts = ["user", $"id={NetdevId}"];
        var server = dns?.Servers.FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));
        if (server is not null)
        {
            if (IsGuestVisibleDns(server))
            {
                parts.Add($"dns={QemuOptionText.Escape(server)}");
            }
            else
            {
                warnings.Add(
                    $"DNS server {server} is not used: QEMU user networking only offers its own resolver inside 10.0.2.0/24 (10.0.2.3 by default), which forwards to the host's resolvers"
                );
            }
        }

        foreach (var search in dns?.Searches ?? [])
        {
            parts.Add($"dnssearch={QemuOptionText.Escape(search)}");
        }

        foreach (var forward in forwards)
        {
            var hostIp = FormatHostIp(forward.HostIp);
            parts.Add($"hostfwd=tcp:{hostIp}:{forward.HostPort}-:{forward.GuestPort}");
            parts.Add($"hostfwd=udp:{hostIp}:{forward.HostPort}-:{forward.GuestPort}");
        }

        return string.Join(",", parts);
    }

    private static bool IsGuestVisibleDns(string server)
    {
        if (
            !IPAddress.TryParse(server, out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || address.Equals(s_host)
        )
        {
            return false;
        }

        var a = address.GetAddressBytes();
        var n = s_network.GetAddressBytes();
        return a[0] == n[0] && a[1] == n[1] && a[2] == n[2];
    }

    // IPv6 literals are bracketed so their colons are not read as hostfwd field separators.
    private static string FormatHostIp(string hostIp) =>
        hostIp.Contains(':', StringComparison.Ordinal) && !hostIp.StartsWith('[') ? $"[{hostIp}]" : hostIp;
}
