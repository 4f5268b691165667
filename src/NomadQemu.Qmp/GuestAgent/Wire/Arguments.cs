using System.Text.Json.Nodes;

namespace NomadQemu.Qmp.GuestAgent.Wire;

// The "arguments" objects of the commands the client sends, serialised by GuestAgentJsonContext (kebab-case
// names, nulls omitted). Byte payloads are ReadOnlyMemory<byte>, which System.Text.Json writes as base64.

internal sealed record SyncArguments(long Id);

internal sealed record ExecArguments(
    string Path,
    IReadOnlyList<string>? Arg,
    IReadOnlyList<string>? Env,
    ReadOnlyMemory<byte>? InputData,
    JsonNode? CaptureOutput // a boolean on every agent; an enum string from qemu-ga 8.1
);

internal sealed record PidArguments(long Pid);

internal sealed record ShutdownArguments(string Mode);

internal sealed record SetTimeArguments(long? Time);

internal sealed record FileOpenArguments(string Path, string Mode);

internal sealed record HandleArguments(long Handle);

internal sealed record FileReadArguments(long Handle, int Count);

internal sealed record FileWriteArguments(long Handle, ReadOnlyMemory<byte> BufB64);

internal sealed record FreezeListArguments(IReadOnlyList<string> Mountpoints);
