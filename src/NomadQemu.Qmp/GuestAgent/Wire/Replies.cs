using System.Text.Json.Serialization;

namespace NomadQemu.Qmp.GuestAgent.Wire;

// The "return" values the client decodes, as the agent spells them (kebab-case unless marked). Required
// members are constructor parameters without defaults; optional ones default to null. Public result types are
// built from these so the API does not carry wire quirks (optional lists, base64, truncation flags that are
// only present with data).

internal sealed record InfoReply(
    string Version,
    [property: JsonPropertyName("supported_commands")] IReadOnlyList<CommandInfoReply> SupportedCommands
);

internal sealed record CommandInfoReply(string Name, bool Enabled, bool SuccessResponse);

internal sealed record ExecReply(long Pid);

internal sealed record ExecStatusReply(
    bool Exited,
    int? Exitcode = null,
    int? Signal = null,
    byte[]? OutData = null,
    byte[]? ErrData = null,
    bool? OutTruncated = null,
    bool? ErrTruncated = null
);

internal sealed record NetworkInterfaceReply(
    string Name,
    string? HardwareAddress = null,
    IReadOnlyList<IpAddressReply>? IpAddresses = null,
    NetworkStatisticsReply? Statistics = null
);

internal sealed record IpAddressReply(string IpAddress, string IpAddressType, int Prefix);

internal sealed record NetworkStatisticsReply(
    ulong RxBytes,
    ulong RxPackets,
    ulong RxErrs,
    ulong RxDropped,
    ulong TxBytes,
    ulong TxPackets,
    ulong TxErrs,
    ulong TxDropped
);

internal sealed record FileReadReply(int Count, byte[] BufB64, bool Eof);

internal sealed record FileWriteReply(int Count, bool Eof);
