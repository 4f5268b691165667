using System.Text.Json;

namespace NomadQemu.Qmp;

/// <summary>A command reply. <paramref name="Id"/> is null when QEMU sent none (it could not parse a command).</summary>
internal sealed record QmpReplyMessage(JsonElement? Id, JsonElement Result, QmpReplyError? Error) : QmpInboundMessage;
