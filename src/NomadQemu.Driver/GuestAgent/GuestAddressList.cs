using System.Net;
using System.Net.Sockets;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Driver.GuestAgent;

/// <summary>
/// The guest's own addresses as <c>guest-network-get-interfaces</c> reports them, cleaned up for events and
/// InspectTask. The guest controls every byte of that reply, so names are reduced to a safe alphabet and
/// length, addresses must parse, and the counts are bounded: a hostile guest cannot flood an event.
/// Loopback is left out: it says nothing about how to reach the VM.
/// </summary>
internal sealed record GuestAddressList(IReadOnlyList<GuestAddress> Addresses)
{
    public const int MaxInterfaces = 16;
    public const int MaxAddressesPerInterface = 8;
    public const int MaxNameChars = 32;

    public static readonly GuestAddressList Empty = new([]);

    public static GuestAddressList From(IReadOnlyList<GuestNetworkInterface> interfaces)
    {
        var addresses = new List<GuestAddress>();
        foreach (var nic in interfaces.Take(MaxInterfaces))
        {
            var name = CleanName(nic.Name);
            foreach (var ip in nic.IpAddresses.Take(MaxAddressesPerInterface))
            {
                if (!ip.TryGetIPAddress(out var parsed) || parsed is null || IPAddress.IsLoopback(parsed))
                {
                    continue;
                }
                var maxPrefix = parsed.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
                addresses.Add(new GuestAddress(name, parsed, Math.Clamp(ip.Prefix, 0, maxPrefix)));
            }
        }
        return new GuestAddressList(addresses);
    }

    /// <summary>The first IPv4 address that is not link-local: the one a later bridge/tap setup would advertise.</summary>
    public IPAddress? PrimaryIPv4 =>
        Addresses
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IsLinkLocalV4(a));

    /// <summary>"eth0 10.0.2.15/24, eth0 fe80::1/64", or "none".</summary>
    public override string ToString() =>
        Addresses.Count == 0 ? "none" : string.Join(", ", Addresses.Select(a => a.ToString()));

    public bool SameAs(GuestAddressList other) => ToString() == other.ToString();

    private static bool IsLinkLocalV4(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return bytes[0] == 169 && bytes[1] == 254;
    }

    private static string CleanName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "?";
        }
        var kept = new string([
            .. name.Take(MaxNameChars)
                .Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@' or ':' ? c : '?'),
        ]);
        return kept;
    }
}
