namespace NomadQemu.Qmp.GuestAgent;

/// <summary>One entry of <c>guest-network-get-interfaces</c>.</summary>
/// <param name="Name">The interface name in the guest, e.g. "eth0" or "lo".</param>
/// <param name="HardwareAddress">The MAC address, e.g. "52:54:00:12:34:56", when the interface has one.</param>
/// <param name="IpAddresses">The interface's addresses; empty when it has none.</param>
/// <param name="Statistics">Traffic counters, when the guest reports them.</param>
public sealed record GuestNetworkInterface(
    string Name,
    string? HardwareAddress,
    IReadOnlyList<GuestIpAddress> IpAddresses,
    GuestNetworkStatistics? Statistics
);
