namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Traffic counters of a <see cref="GuestNetworkInterface"/>.</summary>
/// <param name="ReceivedBytes">rx-bytes.</param>
/// <param name="ReceivedPackets">rx-packets.</param>
/// <param name="ReceiveErrors">rx-errs.</param>
/// <param name="ReceiveDropped">rx-dropped.</param>
/// <param name="SentBytes">tx-bytes.</param>
/// <param name="SentPackets">tx-packets.</param>
/// <param name="SendErrors">tx-errs.</param>
/// <param name="SendDropped">tx-dropped.</param>
public sealed record GuestNetworkStatistics(
    ulong ReceivedBytes,
    ulong ReceivedPackets,
    ulong ReceiveErrors,
    ulong ReceiveDropped,
    ulong SentBytes,
    ulong SentPackets,
    ulong SendErrors,
    ulong SendDropped
);
