using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NomadQemu.CloudInit.Network;

/// <summary>
/// The network-config written when a job gives none: the task's one NIC on QEMU's user-mode (SLIRP) network,
/// matched by the MAC address the driver gives the NIC, renamed to <see cref="InterfaceName"/>, and addressed the
/// way SLIRP expects (10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3 unless the driver chose another resolver).
/// Every value is checked here and written quoted, so the output is valid YAML for any accepted input.
/// </summary>
public sealed record UserNetworkConfig
{
    public required MacAddress MacAddress { get; init; }

    /// <summary>The name the guest gives the matched NIC (cloud-init renames it; at most 15 characters).</summary>
    public string InterfaceName { get; init; } = "eth0";

    public NetworkAddressing Addressing { get; init; } = NetworkAddressing.Dhcp;

    public NetworkConfigVersion Version { get; init; } = NetworkConfigVersion.V2;

    /// <summary>Static addressing only: the guest's address with its prefix length.</summary>
    public string Address { get; init; } = "10.0.2.15/24";

    /// <summary>Static addressing only: QEMU's host side of the user network.</summary>
    public string Gateway { get; init; } = "10.0.2.2";

    /// <summary>Static addressing only: QEMU's forwarding resolver (the <c>dns=</c> of <c>-netdev user</c>).</summary>
    public IReadOnlyList<string> NameServers { get; init; } = ["10.0.2.3"];

    /// <summary>Static addressing only: DNS search domains (the <c>dnssearch=</c> values).</summary>
    public IReadOnlyList<string> SearchDomains { get; init; } = [];

    /// <exception cref="CloudInitException">A value is not valid (names the field).</exception>
    public byte[] Render()
    {
        Validate();
        var mac = Quote(MacAddress.ToString()); // unquoted, 52:54:00:12:34:56 is a base-60 integer to YAML 1.1
        var name = Quote(InterfaceName);
        var text = new StringBuilder();
        if (Version == NetworkConfigVersion.V2)
        {
            text.Append("version: 2\nethernets:\n");
            text.Append($"  {name}:\n    match:\n      macaddress: {mac}\n    set-name: {name}\n");
            if (Addressing == NetworkAddressing.Dhcp)
            {
                text.Append("    dhcp4: true\n");
            }
            else
            {
                text.Append($"    addresses:\n      - {Quote(Address)}\n");
                text.Append($"    routes:\n      - to: \"0.0.0.0/0\"\n        via: {Quote(Gateway)}\n");
                text.Append("    nameservers:\n");
                List("      addresses:", "        - ", NameServers, text);
                List("      search:", "        - ", SearchDomains, text);
            }
        }
        else
        {
            text.Append("version: 1\nconfig:\n");
            text.Append($"  - type: physical\n    name: {name}\n    mac_address: {mac}\n    subnets:\n");
            if (Addressing == NetworkAddressing.Dhcp)
            {
                text.Append("      - type: dhcp\n");
            }
            else
            {
                text.Append(
                    $"      - type: static\n        address: {Quote(Address)}\n        gateway: {Quote(Gateway)}\n"
                );
                List("        dns_nameservers:", "          - ", NameServers, text);
                List("        dns_search:", "          - ", SearchDomains, text);
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void List(string header, string indent, IReadOnlyList<string> items, StringBuilder text)
    {
        if (items.Count == 0)
        {
            return;
        }
        text.Append(header).Append('\n');
        foreach (var item in items)
        {
            text.Append(indent).Append(Quote(item)).Append('\n');
        }
    }

    private static string Quote(string checkedValue) => "\"" + checkedValue + "\"";

    private void Validate()
    {
        if (!Enum.IsDefined(Version))
        {
            throw Invalid("version", "must be 1 or 2");
        }
        if (!Enum.IsDefined(Addressing))
        {
            throw Invalid("addressing", "must be dhcp or static");
        }
        if (
            InterfaceName is not { Length: > 0 and <= 15 }
            || !InterfaceName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
        )
        {
            throw Invalid("interface_name", "must be 1 to 15 letters, digits, '-' or '_'");
        }
        if (Addressing == NetworkAddressing.Static)
        {
            var slash = Address.IndexOf('/', StringComparison.Ordinal);
            if (
                slash < 0
                || !IsIPv4(Address[..slash])
                || !int.TryParse(Address[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var p)
                || p is < 1 or > 32
                || Address[(slash + 1)..].Length > 2
            )
            {
                throw Invalid("address", "must be an IPv4 address with a prefix length, like 10.0.2.15/24");
            }
            if (!IsIPv4(Gateway))
            {
                throw Invalid("gateway", "must be an IPv4 address");
            }
            if (NameServers.Count > 3 || NameServers.Any(s => !IsIPv4(s)))
            {
                throw Invalid("name_servers", "must be at most 3 IPv4 addresses");
            }
            if (SearchDomains.Count > 6 || SearchDomains.Any(d => !IsDomain(d)))
            {
                throw Invalid("search_domains", "must be at most 6 domain names (letters, digits, '-', '.')");
            }
        }
    }

    // Dotted quad only: IPAddress.TryParse also accepts "1" or "0x1", which the guest's tools would not.
    private static bool IsIPv4(string text) =>
        text.Count(c => c == '.') == 3
        && text.All(c => char.IsAsciiDigit(c) || c == '.')
        && IPAddress.TryParse(text, out var address)
        && address.AddressFamily == AddressFamily.InterNetwork;

    private static bool IsDomain(string text) =>
        text is { Length: > 0 and <= 253 }
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')
        && !text.StartsWith('.')
        && !text.StartsWith('-');

    private static CloudInitException Invalid(string field, string rule) =>
        new(SeedFileNames.NetworkConfig, $"default network {field}: {rule}");
}
