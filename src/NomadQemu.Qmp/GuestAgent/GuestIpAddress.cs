using System.Net;

namespace NomadQemu.Qmp.GuestAgent;

/// <summary>One address of a <see cref="GuestNetworkInterface"/>, as the guest reports it.</summary>
/// <param name="Address">The address text, e.g. "10.0.2.15" or "fe80::5054:ff:fe12:3456".</param>
/// <param name="Type">"ipv4" or "ipv6".</param>
/// <param name="Prefix">The prefix length, e.g. 24.</param>
public sealed record GuestIpAddress(string Address, string Type, int Prefix)
{
    /// <summary>Parses <see cref="Address"/>; the guest controls this text, so it may not parse.</summary>
    public bool TryGetIPAddress(out IPAddress? address) => IPAddress.TryParse(Address, out address);
}
